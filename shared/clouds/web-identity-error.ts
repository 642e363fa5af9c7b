/**
 * The one error of federation between clouds: a platform that gave no identity token, or an STS that refused to
 * trade it for a role's credentials. The message names what to change (the function's identity, the audience,
 * the role's trust policy); it never quotes a token.
 */
import { TricloudError } from '../core/errors.ts';

export class WebIdentityError extends TricloudError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebIdentityError';
  }
}

/** What a failed request's error says, briefly: its name and message, or its network code. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message}: ${code}` : `${error.name}: ${error.message}`;
}
