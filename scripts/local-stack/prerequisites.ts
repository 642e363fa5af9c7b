/**
 * What the Google emulators need on the machine: the `gcloud` CLI with the emulator components, and Java.
 * Checked before anything starts so a missing tool is one clear message, not a Java stack trace.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from '../machine/find-on-path.ts';
import { MissingPrerequisiteError } from './errors.ts';

export type GoogleEmulator = 'pubsub' | 'firestore';

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Where each emulator's files live under the Cloud SDK root (`<root>/platform/<dir>`). */
const componentDirs: Record<GoogleEmulator, { dir: string; component: string; aptPackage: string }> = {
  pubsub: {
    dir: 'pubsub-emulator',
    component: 'pubsub-emulator',
    aptPackage: 'google-cloud-cli-pubsub-emulator',
  },
  firestore: {
    dir: 'cloud-firestore-emulator',
    component: 'cloud-firestore-emulator',
    aptPackage: 'google-cloud-cli-firestore-emulator',
  },
};

/**
 * Throws a {@link MissingPrerequisiteError} listing everything that is missing for `emulators`, with the commands
 * that install it. When the SDK root cannot be located (an unusual install), the component check is skipped and
 * gcloud's own error, if any, surfaces when the emulator starts.
 */
export async function checkGoogleEmulatorPrerequisites(emulators: readonly GoogleEmulator[]): Promise<void> {
  if (emulators.length === 0) return;
  const missing: string[] = [];
  const gcloud = await findOnPath('gcloud');
  if (gcloud === undefined) {
    missing.push(
      "the Google Cloud CLI ('gcloud' is not on PATH): install it from https://cloud.google.com/sdk/docs/install, " +
        `then run 'gcloud components install beta ${emulators.map((e) => componentDirs[e].component).join(' ')}'`,
    );
  } else {
    const sdkRoot = path.dirname(path.dirname(await realpath(gcloud)));
    if (await isDirectory(path.join(sdkRoot, 'platform'))) {
      for (const emulator of emulators) {
        const { dir, component, aptPackage } = componentDirs[emulator];
        if (!(await isDirectory(path.join(sdkRoot, 'platform', dir)))) {
          missing.push(
            `the ${emulator === 'pubsub' ? 'Pub/Sub' : 'Firestore'} emulator: run 'gcloud components install ${component}' ` +
              `(or, for a Cloud SDK installed with apt, 'sudo apt-get install ${aptPackage}')`,
          );
        }
      }
    }
  }
  if ((await findOnPath('java')) === undefined) {
    missing.push(
      "Java ('java' is not on PATH; the emulators need a JRE 11 or newer, 21 recommended): " +
        "e.g. 'sudo apt-get install openjdk-21-jre-headless' or 'brew install openjdk@21'",
    );
  }
  if (missing.length > 0) {
    throw new MissingPrerequisiteError(
      `The local stack cannot start Google's emulators. Missing:\n  - ${missing.join('\n  - ')}\n` +
        'Or point the stack at emulators running elsewhere with PUBSUB_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST.',
    );
  }
}
