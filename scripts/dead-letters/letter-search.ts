/**
 * Finding one letter by id for `tricloud dead-letters show`: a transport's message (`sqs:…`, `pubsub:…`) in that
 * transport's dead-letter place, read without consuming it; any other id by a point read of each store asked.
 */

import type { Env } from '../../shared/config/environment.ts';
import { ConfigError, type Origin } from '../../shared/core/index.ts';
import { openCloudDeadLetters } from './cloud-dead-letters.ts';
import { type Letter, TRANSPORT_ID_PREFIX } from './letter.ts';
import { PEEK_CAP } from './transport-dead-letters.ts';

export interface Search {
  letter?: Letter;
  /** The places asked. */
  searched: string[];
  /** Clouds not asked, and why (their variables are not set). */
  skipped: string[];
}

/**
 * Asks each cloud in turn. A cloud whose variables are missing is skipped when it was not named (`strict` false),
 * and its `ConfigError` is thrown when it was.
 */
export async function findLetter(
  id: string,
  clouds: readonly Origin[],
  env: Env,
  strict: boolean,
): Promise<Search> {
  const transport = (Object.entries(TRANSPORT_ID_PREFIX) as [Origin, string][]).find(([, p]) =>
    id.startsWith(p),
  );
  const search: Search = { searched: [], skipped: [] };
  for (const cloud of transport ? clouds.filter((c) => c === transport[0]) : clouds) {
    let opened: Awaited<ReturnType<typeof openCloudDeadLetters>>;
    try {
      opened = await openCloudDeadLetters(cloud, env);
    } catch (error) {
      if (strict || !(error instanceof ConfigError)) throw error;
      search.skipped.push(`${cloud}: ${error.message}`);
      continue;
    }
    try {
      if (transport === undefined) {
        search.searched.push(opened.store.where);
        search.letter = await opened.store.read(id);
      } else if ('none' in opened.transport) {
        if (strict) throw new ConfigError(opened.transport.none);
        search.skipped.push(`${cloud}: ${opened.transport.none}`);
      } else {
        search.searched.push(opened.transport.where);
        for await (const letter of opened.transport.peek(PEEK_CAP)) {
          if (letter.id !== id) continue;
          search.letter = letter;
          break;
        }
      }
    } finally {
      await opened.close();
    }
    if (search.letter !== undefined) return search;
  }
  return search;
}
