/**
 * Routing (DESIGN §1): which clouds a series' records go to. `partition` gives each series a home cloud by a
 * stable hash, so every record reaches exactly one cloud and the merged view is exact; `failover` sends to the home
 * cloud while it is healthy, else to the next healthy cloud in fixed order (each record still reaches one cloud);
 * `mirror` sends every record to every cloud.
 */
import { fnv1a32, ORIGINS, type Origin } from '../shared/core/index.ts';

export type Route = 'partition' | 'failover' | 'mirror';
export const ROUTES: readonly Route[] = ['partition', 'failover', 'mirror'];

/** FNV-1a of the series: the same home on every machine and every run. */
export function homeCloud(series: string, clouds: readonly Origin[] = ORIGINS): Origin {
  return clouds[fnv1a32(series) % clouds.length]!;
}

/**
 * The clouds a record of `series` goes to now. `healthy` matters only to `failover`: starting at the home cloud,
 * the first healthy one in the order of `clouds` (wrapping); the home cloud when none is (its spool keeps the
 * records until it is back).
 */
export function routeSeries(
  series: string,
  route: Route,
  clouds: readonly Origin[] = ORIGINS,
  healthy: (cloud: Origin) => boolean = () => true,
): readonly Origin[] {
  if (route === 'mirror') return clouds;
  const home = fnv1a32(series) % clouds.length;
  if (route === 'failover') {
    for (let k = 0; k < clouds.length; k++) {
      const cloud = clouds[(home + k) % clouds.length]!;
      if (healthy(cloud)) return [cloud];
    }
  }
  return [clouds[home]!];
}
