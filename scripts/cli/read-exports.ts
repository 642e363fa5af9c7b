/** Reads a cloud's merged windows in the export format, sorted by series, window and start. */
import { createStores } from '../../shared/clouds/all-stores.ts';
import { readStoreSettings } from '../../shared/config/environment.ts';
import { allWindows, type ExportedWindow, exportWindow, type Origin } from '../../shared/core/index.ts';

export async function readExports(origin: Origin, env: NodeJS.ProcessEnv): Promise<ExportedWindow[]> {
  const stores = await createStores(origin, readStoreSettings(env));
  try {
    const windows: ExportedWindow[] = [];
    for await (const doc of allWindows(stores.store)) windows.push(exportWindow(doc));
    return windows.sort(
      (a, b) =>
        (a.series < b.series ? -1 : a.series > b.series ? 1 : 0) ||
        (a.window < b.window ? -1 : a.window > b.window ? 1 : 0) ||
        a.start - b.start,
    );
  } finally {
    await stores.close();
  }
}
