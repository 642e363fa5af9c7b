/**
 * Azure read: an HTTP trigger with `authLevel: 'function'`, so a request needs the function's key (the
 * `x-functions-key` header or `code` parameter); Terraform can put Entra ID (App Service authentication) in front.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { readOwnStoreSettings } from '../../shared/config/environment.ts';
import { readRuntime } from '../read-runtime.ts';

// Deployed in a Function App of its own whose COSMOS_KEY is the account's read-only key (infra/azure/read.tf).
const read = readRuntime('azure', () => createAzureStores(readOwnStoreSettings('azure').azure));

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
