/**
 * The env contract read into settings (what a deployed function or a CLI command gets from its environment) and
 * written back from them (what `tricloud stack up` writes): one module, the same names both ways.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import {
  type CloudSettings,
  cloudEnv,
  envNames,
  isContractName,
  readAwsSettings,
  readCloudSettings,
  readGcpStoreSettings,
  readGivenServices,
  readPipelineSettings,
  readStoreSettings,
  readSyncOptions,
  storeLocatorEnv,
} from '../../shared/config/environment.ts';
import { ConfigError } from '../../shared/core/index.ts';

const aws = {
  AWS_REGION: 'eu-central-1',
  TRICLOUD_SQS_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/tricloud-records',
  TRICLOUD_SQS_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/1/tricloud-records-dlq',
  TRICLOUD_DYNAMODB_AGGREGATES_TABLE: 'tricloud-aggregates',
  TRICLOUD_DYNAMODB_CHANGES_INDEX: 'byUpdatedAt',
  TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE: 'tricloud-dead-letters',
};

describe('AWS settings from the environment', () => {
  it('leave credentials to the SDK’s default chain when no keys are set, and endpoints to the real service', () => {
    const settings = readAwsSettings(aws);
    expect(settings.credentials).toBeUndefined();
    expect(settings.sqsEndpoint).toBeUndefined();
    expect(settings.dynamodbEndpoint).toBeUndefined();
  });

  it('keep the session token of temporary credentials, as Lambda sets them', () => {
    const settings = readAwsSettings({
      ...aws,
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    expect(settings.credentials).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('name the missing variable and how to get it', () => {
    const { TRICLOUD_DYNAMODB_AGGREGATES_TABLE: _, ...missing } = aws;
    expect(() => readAwsSettings(missing)).toThrow(ConfigError);
    expect(() => readAwsSettings(missing)).toThrow(/TRICLOUD_DYNAMODB_AGGREGATES_TABLE is not set.*stack up/);
  });
});

const gcpStore = {
  GOOGLE_CLOUD_PROJECT: 'tricloud-prod',
  TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION: 'aggregates',
  TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION: 'deadLetters',
  TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION: 'syncState',
};

const azureStore = {
  COSMOS_ENDPOINT: 'https://tricloud.documents.azure.com:443/',
  COSMOS_KEY: 'cosmos-key',
  TRICLOUD_COSMOS_DATABASE: 'tricloud',
  TRICLOUD_COSMOS_AGGREGATES_CONTAINER: 'aggregates',
  TRICLOUD_COSMOS_DEAD_LETTERS_CONTAINER: 'deadLetters',
  TRICLOUD_COSMOS_SYNC_STATE_CONTAINER: 'syncState',
};

/** A private key's marker, to show that no error message carries the value. */
const secret = 'SECRET-KEY-MATERIAL-4711';

/** A workload identity federation configuration whose subject token comes from a file. */
function externalAccount(fields: Record<string, unknown> = {}) {
  return {
    type: 'external_account',
    audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/azure/providers/sync',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    credential_source: { file: 'token.jwt' },
    ...fields,
  };
}

const withCredentials = (json: string) => ({ ...gcpStore, TRICLOUD_GCP_CREDENTIALS_JSON: json });

describe('Google credentials as JSON text (TRICLOUD_GCP_CREDENTIALS_JSON)', () => {
  it('are absent unless set, so Application Default Credentials apply', () => {
    expect(readGcpStoreSettings(gcpStore).credentials).toBeUndefined();
  });

  it('parse a service-account key and an external_account configuration into the settings', () => {
    const key = {
      type: 'service_account',
      client_email: 'sync@tricloud-prod.iam.gserviceaccount.com',
      private_key: `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`,
    };
    expect(readGcpStoreSettings(withCredentials(JSON.stringify(key))).credentials).toEqual(key);
    expect(readGcpStoreSettings(withCredentials(JSON.stringify(externalAccount()))).credentials).toEqual(
      externalAccount(),
    );
  });

  it.each([
    // V8's own message would quote the text around the error: `..."vate_key":SECRET-KEY"...`.
    ['text that is not JSON', `{"type":"service_account","private_key":${secret}}`, /not valid JSON/],
    ['JSON cut short', `{"type":"service_account","private_key":"${secret}"`, /not valid JSON \(error at/],
    ['JSON that is not an object', JSON.stringify([secret]), /not an object/],
    ['an unknown type', JSON.stringify({ type: secret }), /no "type" of service_account or external_account/],
    [
      'a key without its private key',
      JSON.stringify({ type: 'service_account', client_email: secret }),
      /service_account credential without private_key\./,
    ],
    [
      'a federation configuration without its token source',
      JSON.stringify(externalAccount({ credential_source: undefined, audience: secret })),
      /external_account credential without credential_source\./,
    ],
  ])('refuse %s with what to put there, never quoting the value', (_, json, cause) => {
    const read = () => readGcpStoreSettings(withCredentials(json));
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(cause);
    expect(read).toThrow(/TRICLOUD_GCP_CREDENTIALS_JSON.*service-account key.*external_account/);
    let message = '';
    try {
      read();
    } catch (error) {
      message = String(error);
    }
    expect(message).not.toMatch(/SECRET/);
  });

  it('are what the Google client authenticates with: it exchanges the configured subject token', async () => {
    // A stand-in for Google's STS on loopback: the client posts the subject token it read from the file.
    const dir = await mkdtemp(path.join(tmpdir(), 'tricloud-gcp-credentials-'));
    const tokenFile = path.join(dir, 'token.jwt');
    await writeFile(tokenFile, 'subject-token-from-azure');
    const posted: URLSearchParams[] = [];
    const sts = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        posted.push(new URLSearchParams(body));
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'refused by the test' }));
      });
    });
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = sts.address() as AddressInfo;
      const config = externalAccount({
        token_url: `http://127.0.0.1:${port}/v1/token`,
        credential_source: { file: tokenFile },
      });
      const settings = readGcpStoreSettings(withCredentials(JSON.stringify(config)));
      const pubsub = createPubSub(settings);
      await expect(pubsub.auth.getAccessToken()).rejects.toThrow(/refused by the test/);
      expect(posted).toHaveLength(1);
      expect(posted[0]?.get('subject_token')).toBe('subject-token-from-azure');
      expect(posted[0]?.get('audience')).toBe(config.audience);
      await pubsub.close();
    } finally {
      sts.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('store settings, which sync, export and verify read', () => {
  const stores = { ...aws, ...gcpStore, ...azureStore };

  it('need no queue, topic or hub variable', () => {
    const { TRICLOUD_SQS_QUEUE_URL: _q, TRICLOUD_SQS_DEAD_LETTER_QUEUE_URL: _dlq, ...storesOnly } = stores;
    const settings = readStoreSettings(storesOnly);
    expect(settings.aws.aggregatesTable).toBe('tricloud-aggregates');
    expect(settings.gcp.aggregatesCollection).toBe('aggregates');
    expect(settings.azure.cosmosDatabase).toBe('tricloud');
    // The full reader still asks for the transport: the store reader is not merely lenient everywhere.
    expect(() => readCloudSettings(storesOnly)).toThrow(/TRICLOUD_SQS_QUEUE_URL is not set/);
  });

  it.each(['TRICLOUD_DYNAMODB_CHANGES_INDEX', 'TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION', 'COSMOS_KEY'])(
    'name a missing store variable (%s)',
    (name) => {
      const { [name]: _, ...missing } = stores as Record<string, string>;
      expect(() => readStoreSettings(missing)).toThrow(ConfigError);
      expect(() => readStoreSettings(missing)).toThrow(new RegExp(`${name} is not set`));
    },
  );
});

/** Settings as `tricloud stack up` makes them: every endpoint local, dummy keys, a self-signed Cosmos server. */
const local: CloudSettings = {
  aws: {
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    sqsEndpoint: 'http://127.0.0.1:4566',
    dynamodbEndpoint: 'http://127.0.0.1:4567',
    queueUrl: 'http://127.0.0.1:4566/000000000000/tricloud-records',
    deadLetterQueueUrl: 'http://127.0.0.1:4566/000000000000/tricloud-records-dlq',
    aggregatesTable: 'tricloud-aggregates',
    changesIndex: 'byUpdatedAt',
    deadLettersTable: 'tricloud-dead-letters',
  },
  gcp: {
    projectId: 'tricloud-local',
    pubsubEmulatorHost: '127.0.0.1:8085',
    firestoreEmulatorHost: '127.0.0.1:8086',
    topic: 'tricloud-records',
    subscription: 'tricloud-ingest',
    deadLetterTopic: 'tricloud-dead-letters',
    deadLetterSubscription: 'tricloud-dead-letters-inspect',
    syncTopic: 'tricloud-sync',
    aggregatesCollection: 'aggregates',
    deadLettersCollection: 'deadLetters',
    syncStateCollection: 'syncState',
  },
  azure: {
    eventHubConnectionString:
      'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=local;SharedAccessKey=k=;UseDevelopmentEmulator=true',
    eventHubName: 'tricloud-records',
    consumerGroup: 'tricloud-ingest',
    cosmosEndpoint: 'https://127.0.0.1:8081/',
    cosmosKey: 'bG9jYWwtY29zbW9zLWtleQ==',
    cosmosTrustSelfSignedCertificate: true,
    cosmosDatabase: 'tricloud',
    aggregatesContainer: 'aggregates',
    deadLettersContainer: 'deadLetters',
    syncStateContainer: 'syncState',
  },
};

/** The same resources in real clouds: no endpoints, no keys but Cosmos DB's, temporary AWS credentials. */
const real: CloudSettings = {
  aws: {
    ...readAwsSettings(aws),
    credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
  },
  gcp: {
    ...(({ pubsubEmulatorHost: _p, firestoreEmulatorHost: _f, ...rest }) => rest)(local.gcp),
    credentials: {
      type: 'service_account',
      client_email: 'sync@p.iam.gserviceaccount.com',
      private_key: 'k',
    },
  },
  azure: {
    ...local.azure,
    eventHubConnectionString:
      'Endpoint=sb://tricloud.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=s',
    cosmosEndpoint: 'https://tricloud.documents.azure.com:443/',
    cosmosKey: 'real-key',
    cosmosTrustSelfSignedCertificate: false,
  },
};

describe('settings written as variables', () => {
  it.each([
    ['the local stack', local],
    ['real clouds', real],
  ])('read back as the same settings (%s)', (_, settings) => {
    expect(readCloudSettings(cloudEnv(settings))).toEqual(settings);
  });

  it('read back as the same store settings, without queue, topic or hub', () => {
    const stores = readStoreSettings(cloudEnv(local));
    const env = cloudEnv(stores);
    expect(readStoreSettings(env)).toEqual(stores);
    expect(env).not.toHaveProperty(envNames.aws.queueUrl);
    expect(env).not.toHaveProperty(envNames.gcp.topic);
    expect(env).not.toHaveProperty(envNames.azure.eventHubConnectionString);
  });

  it('name no endpoint and no certificate trust for real clouds, so the SDKs use their defaults', () => {
    const env = cloudEnv(real);
    for (const name of [
      envNames.aws.sqsEndpoint,
      envNames.aws.dynamodbEndpoint,
      envNames.gcp.pubsubEmulatorHost,
      envNames.gcp.firestoreEmulatorHost,
      envNames.azure.cosmosTrustSelfSignedCertificate,
    ]) {
      expect(env).not.toHaveProperty(name);
    }
    expect(Object.keys(env).every(isContractName)).toBe(true);
  });
});

describe('pipeline and sync settings', () => {
  it('default to 1m windows, 16 documents at once, no lateness limit; 50s budget, 60s overlap, pages of 200', () => {
    expect(readPipelineSettings({})).toEqual({ windows: [{ name: '1m', sizeMs: 60_000 }], concurrency: 16 });
    expect(readSyncOptions({})).toEqual({ pageSize: 200, budgetMs: 50_000, overlapMs: 60_000 });
  });

  it('read what is set', () => {
    expect(
      readPipelineSettings({
        TRICLOUD_WINDOWS: '1m,1h',
        TRICLOUD_MAX_LATENESS: '10m',
        TRICLOUD_INGEST_CONCURRENCY: '4',
      }),
    ).toEqual({
      windows: [
        { name: '1m', sizeMs: 60_000 },
        { name: '1h', sizeMs: 3_600_000 },
      ],
      maxLatenessMs: 600_000,
      concurrency: 4,
    });
    expect(readSyncOptions({ TRICLOUD_SYNC_PAGE_SIZE: '1000', TRICLOUD_SYNC_BUDGET: '5s' })).toMatchObject({
      pageSize: 1_000,
      budgetMs: 5_000,
    });
  });

  it.each([
    [
      { TRICLOUD_INGEST_CONCURRENCY: '0' },
      "TRICLOUD_INGEST_CONCURRENCY must be a whole number of at least 1, got '0'.",
    ],
    [
      { TRICLOUD_INGEST_CONCURRENCY: '2.5' },
      "TRICLOUD_INGEST_CONCURRENCY must be a whole number of at least 1, got '2.5'.",
    ],
    [
      { TRICLOUD_SYNC_PAGE_SIZE: '1001' },
      "TRICLOUD_SYNC_PAGE_SIZE must be a whole number from 1 to 1000, got '1001'.",
    ],
    [{ TRICLOUD_SYNC_OVERLAP: 'a minute' }, "TRICLOUD_SYNC_OVERLAP: 'a minute' is not a duration"],
    [{ TRICLOUD_MAX_LATENESS: '-1m' }, "TRICLOUD_MAX_LATENESS: '-1m' is not a duration"],
  ])('refuse %j, naming the variable and what it takes', (env, message) => {
    const read = () => {
      readPipelineSettings(env);
      readSyncOptions(env);
    };
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});

describe('what stack up is given from outside', () => {
  it('is each service whose endpoint is set, with the keys and trust that reach it', () => {
    const given = readGivenServices({
      AWS_ENDPOINT_URL_SQS: 'http://localstack:4566',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      COSMOS_ENDPOINT: 'https://emulator:8081/',
      COSMOS_KEY: 'key',
      TRICLOUD_COSMOS_TRUST_SELF_SIGNED_CERT: 'true',
      PUBSUB_EMULATOR_HOST: '',
    });
    expect(given).toEqual({
      endpoints: { sqs: 'http://localstack:4566', cosmos: 'https://emulator:8081/' },
      awsCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      cosmosKey: 'key',
      cosmosTrustSelfSignedCertificate: true,
    });
  });

  it('refuses a Cosmos DB endpoint without its key', () => {
    expect(() => readGivenServices({ COSMOS_ENDPOINT: 'https://emulator:8081/' })).toThrow(
      'COSMOS_ENDPOINT is set but COSMOS_KEY is not: set both.',
    );
  });
});

describe('what tricloud deploy hands one cloud of another', () => {
  it("is the store's names, never a key or a local endpoint", () => {
    const env = { ...cloudEnv(local), TRICLOUD_GCP_CREDENTIALS_JSON: '{}' };
    expect(storeLocatorEnv('aws', env)).toEqual({
      AWS_REGION: 'eu-central-1',
      TRICLOUD_DYNAMODB_AGGREGATES_TABLE: 'tricloud-aggregates',
      TRICLOUD_DYNAMODB_CHANGES_INDEX: 'byUpdatedAt',
      TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE: 'tricloud-dead-letters',
    });
    expect(Object.keys(storeLocatorEnv('gcp', env))).toEqual([
      'GOOGLE_CLOUD_PROJECT',
      'TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION',
      'TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION',
      'TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION',
    ]);
    expect(storeLocatorEnv('azure', env)).not.toHaveProperty('COSMOS_KEY');
    expect(storeLocatorEnv('azure', {})).toEqual({});
  });
});
