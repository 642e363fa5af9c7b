/**
 * The AWS credential provider of GCP's and Azure's sync functions, against loopback stand-ins for Google's metadata
 * server, the Azure Functions managed identity endpoint and STS: the platform's token is asked for the configured
 * audience and traded with AssumeRoleWithWebIdentity; the credentials are kept until five minutes before they expire
 * and traded again with a fresh token; concurrent callers share one trade; and every failure says what to fix. Then
 * the DynamoDB client, built from the env contract as sync builds it, signs its requests to a local DynamoDB
 * (dynalite, behind a recording proxy) with the assumed credentials.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessServer, startDynamoServer } from '../../scripts/local-stack/in-process-servers.ts';
import { listenOn } from '../../scripts/machine/free-port.ts';
import { createDynamoClient } from '../../shared/clouds/aws/clients.ts';
import { webIdentityCredentials } from '../../shared/clouds/aws/web-identity-credentials.ts';
import { WebIdentityError } from '../../shared/clouds/web-identity-error.ts';
import { identityTokenSource } from '../../shared/clouds/web-identity-tokens.ts';
import { readAwsStoreSettings } from '../../shared/config/environment.ts';
import { ManualClock } from '../../shared/core/testing/index.ts';
import {
  type StandIn,
  type StsAnswer,
  startManagedIdentityEndpoint,
  startMetadataServer,
  startSts,
} from '../helpers/web-identity-stand-ins.ts';

const roleArn = 'arn:aws:iam::123456789012:role/tricloud-gcp-sync';
const hour = 3_600_000;
const minute = 60_000;

const open: StandIn[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
async function track<T extends StandIn>(standIn: Promise<T>): Promise<T> {
  const s = await standIn;
  open.push(s);
  return s;
}

/** STS credentials numbered by call, expiring an hour after `clock`'s now at the time of the call. */
function credentialsFor(clock: { now(): number }) {
  return (_call: unknown, n: number): StsAnswer => ({
    accessKeyId: `ASIAEXAMPLE${n}`,
    secretAccessKey: `secret-${n}`,
    sessionToken: `session-${n}`,
    expiration: new Date(clock.now() + hour),
  });
}

describe('credentials from Google’s metadata server', () => {
  it('asks for an ID token for the audience and trades it for the role', async () => {
    const metadata = await track(startMetadataServer());
    const clock = new ManualClock();
    const sts = await track(startSts(credentialsFor(clock)));
    const credentials = webIdentityCredentials({
      roleArn,
      roleSessionName: 'tricloud-gcp-metadata',
      token: identityTokenSource({
        roleArn,
        audience: 'sts.amazonaws.com',
        tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
      }),
      region: 'eu-central-1',
      stsEndpoint: sts.url,
      clock,
    });

    const got = await credentials();

    expect(metadata.requests).toEqual([{ audience: 'sts.amazonaws.com', format: 'full', header: 'Google' }]);
    expect(sts.calls).toHaveLength(1);
    const params = sts.calls[0]!.params;
    expect(params.get('Action')).toBe('AssumeRoleWithWebIdentity');
    expect(params.get('RoleArn')).toBe(roleArn);
    expect(params.get('RoleSessionName')).toBe('tricloud-gcp-metadata');
    expect(params.get('WebIdentityToken')).toBe(metadata.tokens[0]);
    // The call is unsigned: STS authenticates the token, and the function has no AWS credentials to sign with.
    expect(sts.calls[0]!.authorization).toBeUndefined();
    expect(got).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE1',
      secretAccessKey: 'secret-1',
      sessionToken: 'session-1',
    });
    expect(got.expiration?.getTime()).toBe(clock.now() + hour);
  });

  it('keeps the credentials until five minutes before they expire, then trades a fresh token', async () => {
    const metadata = await track(startMetadataServer());
    const clock = new ManualClock();
    const sts = await track(startSts(credentialsFor(clock)));
    const credentials = webIdentityCredentials({
      roleArn,
      roleSessionName: 'tricloud-gcp-metadata',
      token: identityTokenSource({
        roleArn,
        audience: 'sts.amazonaws.com',
        tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
      }),
      region: 'eu-central-1',
      stsEndpoint: sts.url,
      clock,
    });

    const first = await credentials();
    clock.advance(hour - 5 * minute - 1);
    expect(await credentials()).toBe(first);
    expect(sts.calls).toHaveLength(1);

    clock.advance(1);
    const second = await credentials();
    expect(second.accessKeyId).toBe('ASIAEXAMPLE2');
    expect(metadata.tokens).toHaveLength(2);
    expect(sts.calls[1]!.params.get('WebIdentityToken')).toBe(metadata.tokens[1]);
    expect(await credentials()).toBe(second);
  });

  it('makes one trade for callers that ask at once', async () => {
    const metadata = await track(startMetadataServer());
    const clock = new ManualClock();
    const sts = await track(startSts(credentialsFor(clock)));
    const credentials = webIdentityCredentials({
      roleArn,
      roleSessionName: 'tricloud-gcp-metadata',
      token: identityTokenSource({
        roleArn,
        audience: 'sts.amazonaws.com',
        tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
      }),
      region: 'eu-central-1',
      stsEndpoint: sts.url,
      clock,
    });

    const all = await Promise.all([credentials(), credentials(), credentials()]);

    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIAEXAMPLE1']));
    expect(metadata.requests).toHaveLength(1);
    expect(sts.calls).toHaveLength(1);
  });
});

describe('credentials from an Azure Function’s managed identity', () => {
  it('asks the identity endpoint for the resource with the identity header, and trades its access token', async () => {
    const identity = await track(startManagedIdentityEndpoint('header-secret'));
    const clock = new ManualClock();
    const sts = await track(startSts(credentialsFor(clock)));
    const credentials = webIdentityCredentials({
      roleArn: 'arn:aws:iam::123456789012:role/tricloud-azure-sync',
      roleSessionName: 'tricloud-azure-managed-identity',
      token: identityTokenSource({
        roleArn,
        audience: 'api://AzureADTokenExchange',
        tokenSource: {
          platform: 'azure-managed-identity',
          identityEndpoint: `${identity.url}/msi/token`,
          identityHeader: 'header-secret',
        },
      }),
      region: 'eu-central-1',
      stsEndpoint: sts.url,
      clock,
    });

    expect((await credentials()).accessKeyId).toBe('ASIAEXAMPLE1');
    expect(identity.requests).toEqual([{ audience: 'api://AzureADTokenExchange', header: 'header-secret' }]);
    expect(sts.calls[0]!.params.get('WebIdentityToken')).toBe(identity.tokens[0]);
  });
});

describe('failures say what to fix', () => {
  const options = (token: () => Promise<string>, stsEndpoint: string) => ({
    roleArn,
    roleSessionName: 'tricloud-gcp-metadata',
    token,
    region: 'eu-central-1',
    stsEndpoint,
    clock: new ManualClock(),
  });

  it('a refused trade names the role and the claims its trust policy must accept, never the token', async () => {
    const metadata = await track(startMetadataServer('998877'));
    const sts = await track(
      startSts(() => ({
        code: 'AccessDenied',
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        status: 403,
      })),
    );
    const token = identityTokenSource({
      roleArn,
      audience: 'sts.amazonaws.com',
      tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
    });

    const error = await webIdentityCredentials(options(token, sts.url))().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WebIdentityError);
    const message = (error as Error).message;
    expect(message).toContain(`assume ${roleArn}`);
    expect(message).toContain('AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity');
    expect(message).toContain(
      'iss="https://accounts.google.com", aud="sts.amazonaws.com", sub="998877", azp="998877"',
    );
    expect(message).toContain('infra/aws/federation.tf');
    expect(message).not.toContain(metadata.tokens[0]);
  });

  it('a refusal does not stick: the next call trades again', async () => {
    const metadata = await track(startMetadataServer());
    const clock = new ManualClock();
    const good = credentialsFor(clock);
    const sts = await track(
      startSts((call, n) =>
        n === 1
          ? { code: 'InvalidIdentityToken', message: "Couldn't retrieve verification key", status: 400 }
          : good(call, n),
      ),
    );
    const token = identityTokenSource({
      roleArn,
      audience: 'sts.amazonaws.com',
      tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
    });
    const credentials = webIdentityCredentials({ ...options(token, sts.url), clock });

    await expect(credentials()).rejects.toThrow(WebIdentityError);
    expect((await credentials()).accessKeyId).toBe('ASIAEXAMPLE2');
  });

  it('off Google Cloud, the metadata server is not there: unset the role or run on Google Cloud', async () => {
    const closed = await startMetadataServer();
    await closed.close();
    const token = identityTokenSource({
      roleArn,
      audience: 'sts.amazonaws.com',
      tokenSource: { platform: 'gcp-metadata', metadataHost: closed.host },
    });

    await expect(token()).rejects.toThrow(
      /Could not reach Google's metadata server at 127\.0\.0\.1:\d+ .*ECONNREFUSED.*works only on Google Cloud.*unset TRICLOUD_AWS_ROLE_ARN/,
    );
  });

  it('a metadata server that refuses names the audience', async () => {
    const metadata = await track(startMetadataServer());
    const token = identityTokenSource({
      roleArn,
      audience: '',
      tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
    });

    await expect(token()).rejects.toThrow(
      /gave no identity token for audience '' \(HTTP 400: non-empty audience parameter required\).*TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE/,
    );
  });

  it('a managed identity endpoint that refuses says to turn the identity on and check the resource', async () => {
    const identity = await track(startManagedIdentityEndpoint('right'));
    const token = identityTokenSource({
      roleArn,
      audience: 'api://AzureADTokenExchange',
      tokenSource: {
        platform: 'azure-managed-identity',
        identityEndpoint: identity.url,
        identityHeader: 'wrong',
      },
    });

    await expect(token()).rejects.toThrow(
      /no token for resource 'api:\/\/AzureADTokenExchange' \(HTTP 400: .*identity header.*Turn on the Function App's managed identity/,
    );
  });

  it('an STS that cannot be reached is named, with the variable that points at it', async () => {
    const metadata = await track(startMetadataServer());
    const closed = await startSts(() => ({ code: 'x', message: 'x', status: 500 }));
    await closed.close();
    const token = identityTokenSource({
      roleArn,
      audience: 'sts.amazonaws.com',
      tokenSource: { platform: 'gcp-metadata', metadataHost: metadata.host },
    });

    await expect(webIdentityCredentials(options(token, closed.url))()).rejects.toThrow(
      /Could not reach http:\/\/127\.0\.0\.1:\d+ to assume .*ECONNREFUSED.*AWS_ENDPOINT_URL_STS/,
    );
  });
});

/** Forwards every request to `target` and records the headers that carry the request's signature. */
async function startRecordingProxy(target: string) {
  const seen: { authorization?: string; securityToken?: string }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({
      authorization: req.headers.authorization,
      securityToken: req.headers['x-amz-security-token'] as string | undefined,
    });
    const upstream = httpRequest(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  const port = await listenOn(server, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('DynamoDB through the assumed role, as GCP’s and Azure’s sync build it from the environment', () => {
  let dynamo: InProcessServer;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  const table = 'federated-aggregates';

  beforeAll(async () => {
    dynamo = await startDynamoServer('127.0.0.1');
    proxy = await startRecordingProxy(dynamo.endpoint);
    const admin = new DynamoDBClient({
      region: 'eu-central-1',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await admin.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    admin.destroy();
  });

  afterAll(async () => {
    await proxy.close();
    await dynamo.close();
  });

  it('signs every request with the credentials STS returned', async () => {
    const identity = await track(startManagedIdentityEndpoint('header-secret'));
    const sts = await track(
      startSts((_call, n) => ({
        accessKeyId: `ASIAFEDERATED${n}`,
        secretAccessKey: `federated-secret-${n}`,
        sessionToken: `federated-session-${n}`,
        // The client's own cache runs on the real clock: these must be fresh for it.
        expiration: new Date(Date.now() + hour),
      })),
    );
    const settings = readAwsStoreSettings({
      AWS_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      TRICLOUD_DYNAMODB_AGGREGATES_TABLE: table,
      TRICLOUD_DYNAMODB_CHANGES_INDEX: 'byUpdatedAt',
      TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE: 'unused',
      TRICLOUD_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/tricloud-azure-sync',
      TRICLOUD_AWS_WEB_IDENTITY: 'azure-managed-identity',
      IDENTITY_ENDPOINT: `${identity.url}/msi/token`,
      IDENTITY_HEADER: 'header-secret',
    });
    const client = createDynamoClient(settings);

    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'w1' }, n: { N: '1' } } }));
    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'w1' } } }));
    client.destroy();

    expect(Item).toEqual({ id: { S: 'w1' }, n: { N: '1' } });
    expect(identity.requests.map((r) => r.audience)).toEqual(['api://AzureADTokenExchange']);
    expect(sts.calls.map((c) => c.params.get('RoleSessionName'))).toEqual([
      'tricloud-azure-managed-identity',
    ]);
    expect(proxy.seen).toHaveLength(2);
    for (const request of proxy.seen) {
      expect(request.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAFEDERATED1\/\d{8}\/eu-central-1\/dynamodb\//,
      );
      expect(request.securityToken).toBe('federated-session-1');
    }
  });
});
