/**
 * Vitest global setup of the `report` project: finds a headless-capable Chromium on PATH, installing Debian's
 * `chromium` package when it is missing and we may (root with apt-get, as in CI), and hands its path to the tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { findOnPath } from '../../scripts/machine/find-on-path.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the Chromium (or Chrome) binary the report test drives. */
    chromiumPath: string;
  }
}

const run = promisify(execFile);

/** Names the browser goes by: Debian's package, Ubuntu's older one, Google's build. */
const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export default async function setup(project: TestProject): Promise<void> {
  project.provide('chromiumPath', await ensureChromium());
}

/** The browser's path, installing Debian's `chromium` first when none is on PATH and this process may. */
export async function ensureChromium(): Promise<string> {
  const found = await findBrowser();
  if (found !== undefined) return found;
  const apt = await findOnPath('apt-get');
  const isRoot = process.getuid?.() === 0;
  if (apt === undefined || !isRoot) {
    throw new Error(
      `The report test renders the page in headless Chromium, and none is on PATH (looked for ${BROWSER_NAMES.join(', ')}). ` +
        `It installs Debian's package itself only as root with apt-get${isRoot ? ', and apt-get is missing' : ', and this is not root'}: ` +
        "install it with 'sudo apt-get install --no-install-recommends chromium' (Debian/Ubuntu) or put Chrome or Chromium on PATH.",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run(apt, ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run(apt, ['install', '-y', '--no-install-recommends', 'chromium'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const output = String((error as { stderr?: string }).stderr ?? '').slice(-2_000);
    throw new Error(
      `Installing Chromium with 'apt-get install -y --no-install-recommends chromium' failed; install it by hand and run the tests again.\n${output}`,
      { cause: error },
    );
  }
  const installed = await findBrowser();
  if (installed === undefined) {
    throw new Error(
      "apt-get installed 'chromium' but no chromium binary is on PATH; check PATH includes /usr/bin.",
    );
  }
  return installed;
}

async function findBrowser(): Promise<string | undefined> {
  for (const name of BROWSER_NAMES) {
    const found = await findOnPath(name);
    if (found !== undefined) return found;
  }
  return undefined;
}
