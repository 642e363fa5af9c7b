/** The env contract read into settings: what a deployed function or a CLI command gets from its environment. */
import { describe, expect, it } from 'vitest';
import { readAwsSettings } from '../../shared/config/local-env.ts';
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
