/**
 * Where a receiver starts reading. The SDK sends its `EventPosition` as an `apache.org:selector-filter:string`
 * filter on the receiver link, e.g. `amqp.annotation.x-opt-offset > '-1'` (earliest),
 * `amqp.annotation.x-opt-offset > '@latest'` (latest), `amqp.annotation.x-opt-sequence-number >= '42'` or
 * `amqp.annotation.x-opt-enqueued-time > '1700000000000'`.
 */

export const selectorFilterName = 'apache.org:selector-filter:string';

export type StartPosition =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset' | 'sequence-number' | 'enqueued-time'; value: number; inclusive: boolean };

export class InvalidSelectorFilterError extends Error {
  override name = 'InvalidSelectorFilterError';
}

const annotationKinds = {
  'x-opt-offset': 'offset',
  'x-opt-sequence-number': 'sequence-number',
  'x-opt-enqueued-time': 'enqueued-time',
} as const;

const filterPattern = /^\s*amqp\.annotation\.(x-opt-[a-z-]+)\s*(>=|>)\s*'([^']*)'\s*$/i;

function parseNumber(text: string, annotation: string, filter: string): number {
  const value = Number(text);
  if (Number.isFinite(value)) return value;
  // Enqueued times may also arrive as ISO dates from clients other than the JS SDK.
  const date = annotation === 'x-opt-enqueued-time' ? Date.parse(text) : Number.NaN;
  if (Number.isFinite(date)) return date;
  throw new InvalidSelectorFilterError(
    `The value '${text}' in the selector filter "${filter}" is not a number.`,
  );
}

/** Parses a selector filter; a link without one starts at the earliest retained event, as in Event Hubs. */
export function parseSelectorFilter(filter: string | undefined): StartPosition {
  if (filter === undefined || filter.trim() === '') return { kind: 'earliest' };
  const match = filterPattern.exec(filter);
  const annotation = match?.[1]?.toLowerCase() ?? '';
  const kind = annotationKinds[annotation as keyof typeof annotationKinds];
  if (!match || kind === undefined) {
    throw new InvalidSelectorFilterError(
      `The selector filter "${filter}" is not supported: use amqp.annotation.<x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time> >[=] '<value>'.`,
    );
  }
  const text = match[3] ?? '';
  if (kind === 'offset' && text === '-1') return { kind: 'earliest' };
  if (kind === 'offset' && text === '@latest') return { kind: 'latest' };
  return { kind, value: parseNumber(text, annotation, filter), inclusive: match[2] === '>=' };
}

/** The filter string from a link source's filter map, whether rhea left it wrapped in its descriptor or not. */
export function selectorFilterOf(filters: Record<string, unknown> | undefined): string | undefined {
  const entry = filters?.[selectorFilterName];
  if (typeof entry === 'string') return entry;
  if (typeof entry === 'object' && entry !== null && 'value' in entry && typeof entry.value === 'string') {
    return entry.value;
  }
  return undefined;
}
