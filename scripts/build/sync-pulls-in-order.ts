/**
 * Imported by AWS sync's code-cache training (`warmUp` in `deployables.ts`). Its first call pulls from GCP and
 * Azure at once, and V8's cache of a run of it came out different from build to build: a few dozen bytes, values
 * that grow by one from function to function in the order the two pulls happened to run them first. So before the
 * training's first call (`beforeFirstCall`, which `code-cache-training.ts` runs only when it trains on the first
 * call), the same pulls run once each, one source after the other, against the training's local stack: every
 * function they run is then first run in the same order in every build, and the first call, with its pulls at once
 * as in the cloud, runs nothing new.
 */
import { createStores } from '../../shared/clouds/all-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { readStoreSettings } from '../../shared/config/environment.ts';
import { ORIGINS, syncInto } from '../../shared/core/index.ts';

export async function beforeFirstCall(): Promise<void> {
  const settings = readStoreSettings();
  const target = (await createStores('aws', settings)).store;
  for (const origin of ORIGINS.filter((o) => o !== 'aws')) {
    const { store } = await createStores(origin, settings);
    const report = await syncInto({ target, sources: [{ origin, store }], clock: systemClock });
    const failed = report.sources.find((s) => s.error);
    if (failed) throw new Error(`the training's pull from ${origin} failed: ${failed.error}`);
  }
}
