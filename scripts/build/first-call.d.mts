/** Types of `first-call.mjs`, which stays plain JavaScript for the cold-load probe. */
export function firstCall(
  mod: Record<string, (...args: never[]) => Promise<unknown>>,
  deployable: string,
  tag: string,
): Promise<unknown>;
