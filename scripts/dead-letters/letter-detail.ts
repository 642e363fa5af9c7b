/** Everything about one letter, as `tricloud dead-letters show` prints it, and what to do with it next. */
import type { Letter } from './letter.ts';
import { kindText } from './letter-listing.ts';

export function renderLetter(letter: Letter): string {
  const rows: [string, string][] = [
    ['id', letter.id],
    ['cloud', letter.cloud],
    [
      'kept in',
      `${letter.where} (${letter.source === 'store' ? 'dead-lettered by the ingest function' : "the transport's dead-letter place"})`,
    ],
    ['kind', kindText(letter.kind)],
    ['when', `${new Date(letter.at).toISOString()} (${letter.at})`],
    ['reason', letter.reason],
    ['message', messageText(letter)],
    ['attempts', `${letter.attempts.count ?? 'unknown'}: ${letter.attempts.note}`],
    ['payload', payloadText(letter)],
  ];
  rows.push(['next', nextStep(letter)]);
  const sections = [table(rows)];
  const details = Object.entries(letter.details ?? {});
  if (details.length > 0) sections.push(`what the transport says of it:\n${table(details, '  ')}`);
  return `${sections.join('\n')}\n\n${letter.payload}\n`;
}

function table(rows: readonly [string, string][], indent = ''): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${indent}${name.padEnd(width)}  ${value}`).join('\n');
}

function messageText(letter: Letter): string {
  const parts = [letter.messageId];
  if (letter.batchId !== undefined) parts.push(`batch ${letter.batchId}`);
  if (letter.row !== undefined) parts.push(`row ${letter.row}`);
  return parts.join(', ');
}

function payloadText(letter: Letter): string {
  const what = letter.kind === 'record' ? 'the row as sent' : 'the whole message as received';
  const cut = letter.payloadTruncated
    ? `; only its start is kept, the store's item limit cut the rest (${letter.payload.length} characters kept)`
    : '';
  const base64 = letter.payload.startsWith('base64:') ? '; not UTF-8, so kept as base64 after "base64:"' : '';
  return `${what}, ${letter.payloadBytes} bytes${cut}${base64}, below`;
}

function nextStep(letter: Letter): string {
  const exported = `tricloud dead-letters export --cloud ${letter.cloud} --out FILE, correct FILE, then tricloud produce --file FILE --to ${letter.cloud}`;
  if (letter.kind === 'exhausted' || letter.kind === 'undeliverable') {
    return `once what refused it is fixed, tricloud dead-letters redrive --cloud ${letter.cloud} sends it back as it is; or ${exported}`;
  }
  if (letter.kind === 'message') return 'it holds no readable record: fix the producer that sent it';
  return exported;
}
