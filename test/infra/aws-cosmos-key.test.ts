/**
 * AWS sync reads its Cosmos DB key from Secrets Manager at cold start (functions/aws/cosmos-key-secret.ts), with the
 * official SDK's client. No npm package serves Secrets Manager locally, so a stand-in HTTP server speaks its wire
 * protocol (AWS JSON 1.1: `POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`) and records what it was asked.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cosmosKeySecretArnVariable, loadCosmosKey } from '../../functions/aws/cosmos-key-secret.ts';
import { handler } from '../../functions/aws/sync.ts';
import { envNames } from '../../shared/config/environment.ts';
import { MemoryStore } from '../../shared/core/testing/index.ts';

/** The stores the sync runtime opens: in memory (our composition root, not a cloud SDK). */
vi.mock('../../shared/clouds/all-stores.ts', () => ({
  createStores: async () => ({ store: new MemoryStore(), close: () => {} }),
}));

const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:tricloud/sync/cross-cloud-AbCdEf';

interface Asked {
  target: string | undefined;
  body: Record<string, unknown>;
  signed: boolean;
}

let server: Server;
let endpoint: string;
const asked: Asked[] = [];
/** What the server answers next: a status and a JSON body. */
let answer: { status: number; body: Record<string, unknown> };

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    asked.push({
      target: request.headers['x-amz-target'] as string | undefined,
      body: await bodyOf(request),
      signed: /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//.test(String(request.headers.authorization)),
    });
    response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

afterEach(() => {
  asked.length = 0;
  vi.unstubAllEnvs();
});

const client = () =>
  new SecretsManagerClient({
    region: 'eu-central-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

const secretHolding = (value: unknown) => ({
  status: 200,
  body: { ARN: arn, Name: 'tricloud/sync/cross-cloud', SecretString: JSON.stringify(value), VersionId: 'v1' },
});

describe('the Cosmos DB key of AWS sync', () => {
  it('comes from the secret the environment names, into COSMOS_KEY', async () => {
    answer = secretHolding({ [envNames.azure.cosmosKey]: 'cosmos-key-1' });
    const env: NodeJS.ProcessEnv = { [cosmosKeySecretArnVariable]: arn };
    await loadCosmosKey(env, client());
    expect(env[envNames.azure.cosmosKey]).toBe('cosmos-key-1');
    expect(asked).toEqual([
      { target: 'secretsmanager.GetSecretValue', body: { SecretId: arn }, signed: true },
    ]);
  });

  it('is read with the Lambda environment alone: region, credentials and endpoint from the variables', async () => {
    answer = secretHolding({ [envNames.azure.cosmosKey]: 'cosmos-key-2' });
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
    const env: NodeJS.ProcessEnv = { [cosmosKeySecretArnVariable]: arn };
    await loadCosmosKey(env);
    expect(env[envNames.azure.cosmosKey]).toBe('cosmos-key-2');
    expect(asked).toHaveLength(1);
  });

  it('is not fetched when no secret is named or the key is already set (a local run)', async () => {
    answer = secretHolding({ [envNames.azure.cosmosKey]: 'unused' });
    const none: NodeJS.ProcessEnv = {};
    await loadCosmosKey(none, client());
    expect(none).toEqual({});
    const local: NodeJS.ProcessEnv = {
      [cosmosKeySecretArnVariable]: arn,
      [envNames.azure.cosmosKey]: 'local',
    };
    await loadCosmosKey(local, client());
    expect(local[envNames.azure.cosmosKey]).toBe('local');
    expect(asked).toEqual([]);
  });

  it('fails with the secret and the permissions to check when Secrets Manager refuses', async () => {
    answer = {
      status: 400,
      body: {
        __type: 'AccessDeniedException',
        message: 'not authorized to perform secretsmanager:GetSecretValue',
      },
    };
    const env: NodeJS.ProcessEnv = { [cosmosKeySecretArnVariable]: arn };
    await expect(loadCosmosKey(env, client())).rejects.toThrow(
      new RegExp(
        `^Could not read the Cosmos DB key from the secret ${arn} \\(AccessDeniedException: .*\\)\\. .*secretsmanager:GetSecretValue .*kms:Decrypt`,
      ),
    );
    expect(env).not.toHaveProperty(envNames.azure.cosmosKey);
  });

  it('fails without quoting the secret when it holds no key', async () => {
    for (const value of [{ [envNames.azure.cosmosKey]: '' }, { OTHER: 'hidden-value' }, 'hidden-value']) {
      answer = secretHolding(value);
      const env: NodeJS.ProcessEnv = { [cosmosKeySecretArnVariable]: arn };
      const load = loadCosmosKey(env, client());
      await expect(load).rejects.toThrow(/holds no COSMOS_KEY: .*TF_VAR_azure_cosmos_key/);
      await expect(load).rejects.not.toThrow(/hidden-value/);
      expect(env).not.toHaveProperty(envNames.azure.cosmosKey);
    }
  });
});

describe('the AWS sync handler', () => {
  /** The Lambda's environment: store names, the secret's ARN, no COSMOS_KEY. */
  function stubLambdaEnv(): void {
    const { aws, gcp, azure } = envNames;
    const values: Record<string, string> = {
      [aws.region]: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      [aws.aggregatesTable]: 'tricloud-aggregates',
      [aws.changesIndex]: 'byUpdatedAt',
      [aws.deadLettersTable]: 'tricloud-dead-letters',
      [gcp.projectId]: 'tricloud-test',
      [gcp.aggregatesCollection]: 'aggregates',
      [gcp.deadLettersCollection]: 'deadLetters',
      [gcp.syncStateCollection]: 'syncState',
      [azure.cosmosEndpoint]: 'https://tricloud.documents.azure.com:443/',
      [azure.cosmosKey]: '',
      [azure.cosmosDatabase]: 'tricloud',
      [azure.aggregatesContainer]: 'aggregates',
      [azure.deadLettersContainer]: 'deadLetters',
      [azure.syncStateContainer]: 'syncState',
      [cosmosKeySecretArnVariable]: arn,
      TRICLOUD_LOG_LEVEL: 'error',
    };
    for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
  }

  it('has the key before the first run builds its stores, and reads it again after a failed read', async () => {
    stubLambdaEnv();
    answer = { status: 400, body: { __type: 'AccessDeniedException', message: 'denied' } };
    await expect(handler({ id: 'tick-1' })).rejects.toThrow(
      /Could not read the Cosmos DB key from the secret/,
    );
    answer = secretHolding({ [envNames.azure.cosmosKey]: 'cosmos-key-3' });
    const report = await handler({ id: 'tick-2' });
    expect(report.sources.map((s) => [s.source, s.error])).toEqual([
      ['gcp', undefined],
      ['azure', undefined],
    ]);
    expect(process.env[envNames.azure.cosmosKey]).toBe('cosmos-key-3');
    await handler({ id: 'tick-3' });
    // Once per instance: the third run asked nothing.
    expect(asked.map((a) => a.target)).toEqual([
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
    ]);
  });
});
