/** The resource manifest that the local stack and Terraform share: read whole, or refused with the reason. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/local-stack/manifest.ts';

describe('the resource manifest', () => {
  it('is read from infra/manifest.json by default', async () => {
    const manifest = await loadManifest();
    expect(manifest.aws.maxReceiveCount).toBeGreaterThanOrEqual(1);
  });

  it('refuses a missing file, text that is not JSON, and values the services reject, naming each', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'manifest-'));
    const missing = path.join(dir, 'missing.json');
    await expect(loadManifest(missing)).rejects.toThrow(
      `The resource manifest ${missing} cannot be read (ENOENT`,
    );
    const garbled = path.join(dir, 'garbled.json');
    await writeFile(garbled, '{"aws": ');
    await expect(loadManifest(garbled)).rejects.toThrow('shaped like infra/manifest.json');
    const wrong = path.join(dir, 'wrong.json');
    const base = await loadManifest();
    await writeFile(wrong, JSON.stringify({ ...base, gcp: { ...base.gcp, maxDeliveryAttempts: 101 } }));
    await expect(loadManifest(wrong)).rejects.toThrow(
      'gcp.maxDeliveryAttempts must be an integer from 5 to 100',
    );
  });
});
