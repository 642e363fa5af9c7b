/**
 * `tricloud deploy` and `destroy` without a cloud: a missing terraform binary or missing credentials stop them with
 * a sentence naming the fix, before anything is built; with a stand-in terraform (a script that records its
 * arguments) on PATH, the steps run in order in the cloud's folder with the artifacts' paths, other clouds'
 * settings arrive as TF_VAR_*, and the outputs of the env contract land in the env file.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployables } from '../../scripts/build/deployables.ts';
import { run as deploy } from '../../scripts/commands/deploy.ts';
import { run as destroy } from '../../scripts/commands/destroy.ts';
import { readEnvFile } from '../../shared/config/env-file.ts';

let dir: string;
let bin: string;
let home: string;
let dist: string;
let log: string;

const fakeTerraform = `#!/bin/sh
echo "ARGS $*" >> "$FAKE_TF_LOG"
env | grep '^TF_VAR_' | sort >> "$FAKE_TF_LOG"
case "$*" in
  *" output -json") printf '%s' "$FAKE_TF_OUTPUT" ;;
  *" plan "*) if [ -n "$FAKE_TF_FAIL_PLAN" ]; then exit 3; fi ;;
esac
exit 0
`;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tricloud-deploy-'));
  bin = path.join(dir, 'bin');
  home = path.join(dir, 'home');
  dist = path.join(dir, 'dist');
  log = path.join(dir, 'terraform.log');
  await mkdir(bin);
  await mkdir(home);
  for (const d of deployables) {
    await mkdir(path.dirname(path.join(dist, d.zip)), { recursive: true });
    await writeFile(path.join(dist, d.zip), 'zip');
  }
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function installFakeTerraform(): Promise<void> {
  await writeFile(path.join(bin, 'terraform'), fakeTerraform);
  await chmod(path.join(bin, 'terraform'), 0o755);
}

/** The Azure stack publishes with the Azure CLI; deploy only checks that it is there. */
async function installFakeAzureCli(): Promise<void> {
  await writeFile(path.join(bin, 'az'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(bin, 'az'), 0o755);
}

/** An environment with nothing of the caller's: only what a test gives. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${bin}:/usr/bin:/bin`, HOME: home, FAKE_TF_LOG: log, ...extra };
}

const awsLogin = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' };

describe('tricloud deploy, before terraform runs', () => {
  it('says how to install terraform when it is not on PATH', async () => {
    const run = deploy(['--cloud', 'aws', '--skip-build', '--dist', dist], env({ ...awsLogin, PATH: bin }));
    await expect(run).rejects.toThrow(
      /'terraform' command is not on PATH\. Install Terraform .*developer\.hashicorp\.com/,
    );
    await expect(run).rejects.toMatchObject({ name: 'MissingTerraformError' });
  });

  it('names TRICLOUD_TERRAFORM when it points at nothing', async () => {
    const run = deploy(
      ['--cloud', 'aws', '--skip-build'],
      env({ ...awsLogin, TRICLOUD_TERRAFORM: path.join(dir, 'nope') }),
    );
    await expect(run).rejects.toThrow(/TRICLOUD_TERRAFORM names .*nope, which is not an executable file/);
  });

  it.each([
    ['aws', {}, /No AWS credentials found: set AWS_ACCESS_KEY_ID .* 'aws configure'/],
    [
      'gcp',
      {},
      /No Google Cloud credentials found: run 'gcloud auth application-default login'.*set GOOGLE_CLOUD_PROJECT/,
    ],
    [
      'gcp',
      { GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' },
      /GOOGLE_APPLICATION_CREDENTIALS names \/nonexistent\/key\.json, which does not exist/,
    ],
    ['azure', {}, /No Azure credentials found: run 'az login'.*set ARM_SUBSCRIPTION_ID/],
  ] as const)('stops a %s deploy without credentials (%o)', async (cloud, extra, message) => {
    await installFakeTerraform();
    const run = deploy(['--cloud', cloud, '--skip-build', '--dist', dist], env(extra));
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toMatchObject({ name: 'MissingCredentialsError' });
    await expect(readFile(log, 'utf8')).rejects.toThrow();
  });

  it('accepts each cloud CLI login found in HOME', async () => {
    await installFakeTerraform();
    await mkdir(path.join(home, '.aws'));
    await writeFile(path.join(home, '.aws', 'credentials'), '[default]\n');
    await mkdir(path.join(home, '.config', 'gcloud'), { recursive: true });
    await writeFile(path.join(home, '.config', 'gcloud', 'application_default_credentials.json'), '{}');
    await mkdir(path.join(home, '.azure'));
    await writeFile(path.join(home, '.azure', 'azureProfile.json'), '{}');
    const projects = { GOOGLE_CLOUD_PROJECT: 'p', ARM_SUBSCRIPTION_ID: 's' };
    await expect(
      deploy(['--cloud', 'azure', '--plan', '--skip-build', '--dist', dist], env(projects)),
    ).rejects.toThrow(/The Azure CLI \('az'\) is not on PATH; it publishes the Function App package/);
    await installFakeAzureCli();
    for (const cloud of ['aws', 'gcp', 'azure']) {
      expect(await deploy(['--cloud', cloud, '--plan', '--skip-build', '--dist', dist], env(projects))).toBe(
        0,
      );
    }
  });

  it('names a missing deployable and the build that makes it', async () => {
    await installFakeTerraform();
    await rm(path.join(dist, 'aws'), { recursive: true });
    const run = deploy(['--cloud', 'aws', '--skip-build', '--dist', dist], env(awsLogin));
    await expect(run).rejects.toThrow(/The deployable .*aws\/ingest\.zip is missing\. Run 'npm run build'/);
  });

  it('refuses an unknown cloud', async () => {
    await expect(deploy(['--cloud', 'ibm'], env(awsLogin))).rejects.toThrow(
      /--cloud takes aws, gcp or azure, not 'ibm'/,
    );
  });
});

describe('tricloud deploy with terraform', () => {
  it('runs init, validate and plan in infra/<cloud> with the artifacts, and stops there with --plan', async () => {
    await installFakeTerraform();
    expect(await deploy(['--cloud', 'aws', '--plan', '--skip-build', '--dist', dist], env(awsLogin))).toBe(0);
    const steps = (await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith('ARGS '));
    const infra = path.resolve(import.meta.dirname, '..', '..', 'infra', 'aws');
    expect(steps).toEqual([
      `ARGS -chdir=${infra} init -input=false`,
      `ARGS -chdir=${infra} validate`,
      `ARGS -chdir=${infra} plan -input=false -out=.terraform/tfplan -var ingest_zip=${dist}/aws/ingest.zip -var sync_zip=${dist}/aws/sync.zip -var read_zip=${dist}/aws/read.zip`,
    ]);
  });

  it('applies the plan, passes the other clouds settings from the env file, and writes the outputs into it', async () => {
    await installFakeTerraform();
    const envFile = path.join(dir, 'cloud.env');
    await writeFile(
      envFile,
      'GOOGLE_CLOUD_PROJECT=my-project\nCOSMOS_ENDPOINT=https://acct.documents.azure.com:443/\nCOSMOS_KEY=secret\n',
    );
    const outputs = {
      TRICLOUD_SQS_QUEUE_URL: {
        value: 'https://sqs.eu-central-1.amazonaws.com/1/tricloud-records',
        sensitive: false,
      },
      sync_role_arn: { value: 'arn:aws:iam::1:role/tricloud-sync', sensitive: false },
    };
    const code = await deploy(
      ['--cloud', 'aws', '--skip-build', '--dist', dist, '--env', envFile],
      env({ ...awsLogin, FAKE_TF_OUTPUT: JSON.stringify(outputs) }),
    );
    expect(code).toBe(0);
    const text = await readFile(log, 'utf8');
    expect(text).toMatch(/ARGS -chdir=\S+ apply -input=false \.terraform\/tfplan/);
    expect(text).toContain('TF_VAR_gcp_settings={"GOOGLE_CLOUD_PROJECT":"my-project"}');
    expect(text).toContain(
      'TF_VAR_azure_settings={"COSMOS_ENDPOINT":"https://acct.documents.azure.com:443/"}',
    );
    expect(text).toContain('TF_VAR_azure_cosmos_key=secret');
    // The deployer's own AWS login never becomes a variable of a function.
    expect(text).not.toContain('AKIAEXAMPLE');
    const written = await readEnvFile(envFile);
    expect(written).toMatchObject({
      GOOGLE_CLOUD_PROJECT: 'my-project',
      COSMOS_KEY: 'secret',
      TRICLOUD_SQS_QUEUE_URL: outputs.TRICLOUD_SQS_QUEUE_URL.value,
    });
    expect(written).not.toHaveProperty('sync_role_arn');
  });

  it('gives GCP sync the AWS role it assumes, and no AWS key', async () => {
    await installFakeTerraform();
    const roleArn = 'arn:aws:iam::123456789012:role/tricloud-gcp-sync';
    const code = await deploy(
      ['--cloud', 'gcp', '--plan', '--skip-build', '--dist', dist],
      env({
        GOOGLE_OAUTH_ACCESS_TOKEN: 't',
        GOOGLE_CLOUD_PROJECT: 'my-project',
        ...awsLogin,
        TRICLOUD_AWS_GCP_SYNC_ROLE_ARN: roleArn,
      }),
    );
    expect(code).toBe(0);
    const text = await readFile(log, 'utf8');
    expect(text).toContain('TF_VAR_project_id=my-project');
    expect(text).toContain(`TF_VAR_aws_federated_role_arn=${roleArn}`);
    expect(text).toContain('TF_VAR_sync_secrets={}');
    expect(text).not.toContain('AKIAEXAMPLE');
  });

  it('gives Azure sync the stores’ settings only and its Google credential as JSON text', async () => {
    await installFakeTerraform();
    await installFakeAzureCli();
    await mkdir(path.join(home, '.azure'));
    await writeFile(path.join(home, '.azure', 'azureProfile.json'), '{}');
    const credential = '{"type":"service_account","client_email":"a@b","private_key":"k"}';
    const code = await deploy(
      ['--cloud', 'azure', '--plan', '--skip-build', '--dist', dist],
      env({
        ARM_SUBSCRIPTION_ID: 's',
        GOOGLE_CLOUD_PROJECT: 'my-project',
        TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION: 'aggregates',
        TRICLOUD_PUBSUB_TOPIC: 'tricloud-records',
        TRICLOUD_GCP_CREDENTIALS_JSON: credential,
      }),
    );
    expect(code).toBe(0);
    const text = await readFile(log, 'utf8');
    expect(text).toContain(
      'TF_VAR_gcp_settings={"GOOGLE_CLOUD_PROJECT":"my-project","TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION":"aggregates"}',
    );
    expect(text).toContain(`TF_VAR_gcp_credentials_json=${credential}`);
  });

  it('says which terraform step failed', async () => {
    await installFakeTerraform();
    const run = deploy(
      ['--cloud', 'aws', '--skip-build', '--dist', dist],
      env({ ...awsLogin, FAKE_TF_FAIL_PLAN: '1' }),
    );
    await expect(run).rejects.toThrow(/'terraform plan' in infra\/aws failed \(exit code 3\)/);
    expect(await readFile(log, 'utf8')).not.toContain(' apply ');
  });
});

describe('tricloud destroy', () => {
  it('checks terraform and credentials, then destroys with the artifacts paths', async () => {
    await expect(destroy(['--cloud', 'azure', '--dist', dist], env({ PATH: bin }))).rejects.toThrow(
      /not on PATH/,
    );
    await installFakeTerraform();
    await expect(destroy(['--cloud', 'azure', '--dist', dist], env())).rejects.toThrow(
      /No Azure credentials/,
    );
    const code = await destroy(
      ['--cloud', 'azure', '--auto-approve', '--dist', dist],
      env({ ARM_CLIENT_ID: 'c', ARM_CLIENT_SECRET: 's', ARM_SUBSCRIPTION_ID: 'sub' }),
    );
    expect(code).toBe(0);
    expect(await readFile(log, 'utf8')).toMatch(
      /ARGS -chdir=\S+infra\/azure destroy -input=false -auto-approve -var functionapp_zip=\S+\/azure\/functionapp\.zip/,
    );
  });
});
