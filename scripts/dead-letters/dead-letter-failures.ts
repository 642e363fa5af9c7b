/**
 * What went wrong, as `tricloud dead-letters` says it and exits with: 1 for what the person typed or left out of
 * the environment, 2 for a cloud that could not be read or written (with what to check), 3 for an id no cloud
 * holds.
 */
import { networkErrorCode } from '../../shared/clouds/network-errors.ts';
import { ConfigError, QueryError, UnavailableError } from '../../shared/core/index.ts';
import { OptionError } from '../cli/options.ts';

export class LetterNotFound extends Error {
  constructor(id: string, searched: readonly string[], skipped: readonly string[]) {
    super(
      `No dead letter has the id '${id}' in ${searched.join(', ') || 'any cloud'}` +
        `${skipped.length > 0 ? ` (not searched: ${skipped.join('; ')})` : ''}. ` +
        "Ids are printed by tricloud dead-letters list --cloud CLOUD; a transport's messages start with sqs: or pubsub:, and a redriven message leaves its dead-letter place.",
    );
    this.name = 'LetterNotFound';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof OptionError || error instanceof QueryError || error instanceof ConfigError) return 1;
  if (error instanceof LetterNotFound) return 3;
  return 2;
}

/** gRPC's UNAVAILABLE and DEADLINE_EXCEEDED: how the Pub/Sub and Firestore clients say a server did not answer. */
const GRPC_UNREACHABLE = new Set([4, 14]);

export function isUnreachable(error: unknown): boolean {
  if (error instanceof UnavailableError || networkErrorCode(error) !== undefined) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && GRPC_UNREACHABLE.has(code);
}

/** The longest an error is quoted: SDKs list every retry's error in one message. */
const QUOTED = 300;

/** One sentence (or two) for the person: the error, and for an unreachable cloud what to check. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  const line = message.split('\n')[0]!.trim();
  const text = line.length > QUOTED ? `${line.slice(0, QUOTED - 1)}…` : line;
  if (!isUnreachable(error)) return text;
  return (
    `${text}. The cloud did not answer: check that it is up and that the environment names it — locally, ` +
    "run 'tricloud stack up --env FILE' and pass --env FILE here; 'tricloud status' checks every service."
  );
}
