/**
 * Routing (DESIGN §1): which clouds a series' records go to. `partition` gives each series a home cloud by a
 * stable hash, so every record reaches exactly one cloud and the merged view is exact; `mirror` sends every
 * record to every cloud.
 */
import { fnv1a32, ORIGINS, type Origin } from '../shared/core/index.ts';

export type Route = 'partition' | 'mirror';

/** FNV-1a of the series: the same home on every machine and every run. */
export function homeCloud(series: string, clouds: readonly Origin[] = ORIGINS): Origin {
  return clouds[fnv1a32(series) % clouds.length]!;
}

export function routeSeries(
  series: string,
  route: Route,
  clouds: readonly Origin[] = ORIGINS,
): readonly Origin[] {
  return route === 'mirror' ? clouds : [homeCloud(series, clouds)];
}
