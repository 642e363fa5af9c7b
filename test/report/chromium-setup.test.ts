import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureChromium } from '../setup/chromium.ts';

describe('finding Chromium for the report test', () => {
  const originalPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = originalPath;
  });

  it('finds the browser the setup provides on PATH', async () => {
    expect(path.basename(await ensureChromium())).toMatch(/^(chromium|chromium-browser|google-chrome)/);
  });

  it('says what to install when no browser is on PATH and it cannot install one', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'tricloud-empty-path-'));
    try {
      process.env.PATH = empty;
      await expect(ensureChromium()).rejects.toThrow(
        /none is on PATH.*apt-get install --no-install-recommends chromium/s,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
