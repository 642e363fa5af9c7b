/** The env contract read into settings: what a deployed function or a CLI command gets from its environment. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import {
  readAwsSettings,
  readCloudSettings,
  readGcpStoreSettings,
  readStoreSettings,
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
