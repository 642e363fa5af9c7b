/**
 * The AWS sync function's Google credential configuration as a Lambda layer, `dist/aws/gcp-credentials.zip` with
 * one file, `gcp-credentials.json` (the function finds it at `/opt/gcp-credentials.json`), so that infra/aws needs
 * no archive provider to make it. The configuration is infra/gcp's output `aws_sync_credential_config` — workload
 * identity federation, no secret in it — given to the build as TRICLOUD_AWS_SYNC_GCP_CREDENTIAL_CONFIG. Without
 * it nothing is written, `tricloud deploy` passes no layer, and AWS sync cannot read Firestore.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';

export const gcpCredentialConfigVariable = 'TRICLOUD_AWS_SYNC_GCP_CREDENTIAL_CONFIG';
/** The zip, under `dist/`. */
export const gcpCredentialsZip = 'aws/gcp-credentials.zip';
/** The file in the zip; a layer's files land under `/opt` (infra/aws/cross-cloud.tf points the SDK at it). */
export const gcpCredentialsFile = 'gcp-credentials.json';

const fix =
  'Set it to infra/gcp\'s output: TRICLOUD_AWS_SYNC_GCP_CREDENTIAL_CONFIG="$(terraform -chdir=infra/gcp output ' +
  '-raw aws_sync_credential_config)" (deploy infra/gcp with TF_VAR_aws_account_id first), or unset it.';

/**
 * Writes the zip into `distDir` when the environment gives the configuration; returns its path, or undefined when
 * there is none. Throws, naming the variable and the fix, for anything but a federation configuration: a
 * service-account key would sit readable in the layer.
 */
export async function writeCredentialsZip(
  distDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const text = env[gcpCredentialConfigVariable];
  if (text === undefined || text.trim() === '') return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new Error(`${gcpCredentialConfigVariable} is not JSON. ${fix}`);
  }
  const type = (config as { type?: unknown } | null)?.type;
  if (type !== 'external_account') {
    throw new Error(
      `${gcpCredentialConfigVariable} is not a workload identity federation configuration (type external_account` +
        `${typeof type === 'string' ? `, not ${type}` : ''}); a key must not be shipped in a Lambda layer. ${fix}`,
    );
  }
  const zipFile = path.join(distDir, gcpCredentialsZip);
  // A fixed timestamp, as for the bundles: the same configuration makes the same bytes, so Terraform sees no change.
  const zipped = zipSync(
    { [gcpCredentialsFile]: [strToU8(text), { mtime: new Date('2020-01-01T00:00:00Z') }] },
    { level: 9 },
  );
  await mkdir(path.dirname(zipFile), { recursive: true });
  await writeFile(zipFile, zipped);
  return zipFile;
}
