/** Drives headless Chromium from the command line: the DOM after scripts ran, and a full-page screenshot. */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../helpers/eventually.ts';
import { decodePng, type Image } from './png.ts';

/**
 * Chromium's helper processes (renderer, crash handler) can still be writing the profile for a moment after the
 * browser process exits: removal retries instead of failing with ENOTEMPTY.
 */
export const PROFILE_REMOVAL = { recursive: true, force: true, maxRetries: 10, retryDelay: 100 } as const;

const run = promisify(execFile);

/**
 * Virtual time lets the page's timers and animation frames run as fast as the machine allows, and the browser
 * acts (dumps or screenshots) once the page is idle or the budget is spent, so no wall-clock wait is involved.
 */
function flags(profile: string, width: number, height: number): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    `--window-size=${width},${height}`,
    '--virtual-time-budget=10000',
  ];
}

async function withProfile<T>(act: (profile: string) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tricloud-chromium-'));
  try {
    return await act(profile);
  } finally {
    await rm(profile, PROFILE_REMOVAL);
  }
}

/** The page's DOM, serialised after its scripts ran. */
export function renderedDom(chromium: string, file: string, width: number): Promise<string> {
  return renderedUrl(chromium, `file://${file}`, width);
}

/** The DOM of a page at any URL (a local server's), serialised after its scripts ran. */
export function renderedUrl(chromium: string, url: string, width: number): Promise<string> {
  return withProfile(async (profile) => {
    const { stdout } = await run(chromium, [...flags(profile, width, 900), '--dump-dom', url], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 90_000,
    });
    return stdout;
  });
}

/** A `width`×`height` screenshot of the page, decoded; the PNG is kept at `png`. */
export function screenshot(
  chromium: string,
  file: string,
  png: string,
  width: number,
  height: number,
): Promise<Image> {
  return withProfile(async (profile) => {
    const browser = spawn(
      chromium,
      [...flags(profile, width, height), `--screenshot=${png}`, `file://${file}`],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<void>((resolve) => {
      browser.once('exit', () => resolve());
      browser.once('error', () => resolve());
    });
    try {
      // The file appears when the browser has written it; a partly written PNG fails to decode, so poll until it
      // decodes whole.
      return await eventually(
        async () => decodePng(await readFile(png)),
        () => true,
        { what: `Chromium's screenshot ${png}`, timeoutMs: 90_000, intervalMs: 200 },
      );
    } finally {
      if (browser.exitCode === null) browser.kill();
      await exited;
    }
  });
}
