/**
 * Azure read: an HTTP trigger with `authLevel: 'function'`, so a request needs the function's key (the
 * `x-functions-key` header or `code` parameter); Terraform can put Entra ID (App Service authentication) in front.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { envNames, readAzureStoreSettings } from '../../shared/config/local-env.ts';
import { readRuntime } from '../read-runtime.ts';

// The app's functions share its settings; the read function alone is open to readers, so it reads Cosmos DB with
// the account's read-only key where Terraform provides one (TRICLOUD_COSMOS_READ_KEY), and cannot write.
const read = readRuntime('azure', async () => {
  const settings = readAzureStoreSettings();
  const readOnlyKey = process.env[envNames.azure.cosmosReadKey];
  return createAzureStores(readOnlyKey ? { ...settings, cosmosKey: readOnlyKey } : settings);
});

export async function readWindowsHttp(request: HttpRequest): Promise<HttpResponseInit> {
  const ifNoneMatch = request.headers.get('if-none-match');
  const answer = await read({
    query: (name) => request.query.get(name) ?? undefined,
    ...(ifNoneMatch ? { ifNoneMatch } : {}),
  });
  return { status: answer.status, headers: answer.headers, body: answer.body };
}

app.http('read', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'windows',
  handler: readWindowsHttp,
});
