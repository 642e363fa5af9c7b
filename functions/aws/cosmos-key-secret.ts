/**
 * AWS sync's Cosmos DB key, read from Secrets Manager at cold start. Terraform keeps the key in a secret
 * (infra/aws/cross-cloud.tf) and gives the function only the secret's ARN, so the key sits in no Lambda
 * configuration, and rotating it means updating the secret (`aws secretsmanager put-secret-value`, or deploying
 * again with the new COSMOS_KEY): each new instance reads the current value. The key is put where the environment
 * contract says the sync runtime finds it, `COSMOS_KEY`, in this process only. The client is imported on demand,
 * so a cold start loads the AWS SDK no sooner than the DynamoDB adapter would.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The variable that names the secret: a JSON object whose `COSMOS_KEY` is the Cosmos DB account key. */
export const cosmosKeySecretArnVariable = 'TRICLOUD_COSMOS_KEY_SECRET_ARN';

/** Where the sync runtime reads the key (the env contract's name for it). */
const cosmosKeyVariable = 'COSMOS_KEY';

/**
 * Sets `env.COSMOS_KEY` from the secret `env.TRICLOUD_COSMOS_KEY_SECRET_ARN` names. Does nothing when no secret is
 * named, or when COSMOS_KEY is already set (a local run). Throws a sentence naming the secret and the fix.
 */
export async function loadCosmosKey(
  env: NodeJS.ProcessEnv = process.env,
  client?: SecretsManagerClient,
): Promise<void> {
  const secretId = env[cosmosKeySecretArnVariable];
  if (!secretId || env[cosmosKeyVariable]) return;
  let text: string | undefined;
  try {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    // Region, credentials and endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER) from the environment, as Lambda sets them.
    const secrets = client ?? new sdk.SecretsManagerClient({});
    ({ SecretString: text } = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(
      `Could not read the Cosmos DB key from the secret ${secretId} (${reason}). The sync function's role needs ` +
        'secretsmanager:GetSecretValue on that secret and kms:Decrypt on its key (infra/aws/iam.tf).',
      { cause: error },
    );
  }
  const key = keyOf(text);
  if (key === undefined) {
    throw new Error(
      `The secret ${secretId} holds no ${cosmosKeyVariable}: it must be a JSON object with the Cosmos DB account key ` +
        `as ${cosmosKeyVariable}. Deploy infra/aws with TF_VAR_azure_cosmos_key set (tricloud deploy reads COSMOS_KEY ` +
        'from --env), or put the value with aws secretsmanager put-secret-value.',
    );
  }
  env[cosmosKeyVariable] = key;
}

/** The key of the secret's JSON text; undefined when the text is not such an object (never quoted: it is secret). */
function keyOf(text: string | undefined): string | undefined {
  try {
    const value = (JSON.parse(text ?? '') as Record<string, unknown> | null)?.[cosmosKeyVariable];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
