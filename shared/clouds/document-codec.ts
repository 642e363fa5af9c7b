/**
 * How every store keeps a window document: the fields stores query natively (`id`, `series`, `window`, `start`,
 * `updatedAt`, `revision`) plus `body`, the parts and merged view as JSON text.
 *
 * JSON text because it round-trips every double exactly and identically in DynamoDB (whose numbers are decimal
 * strings with their own limits), Firestore and Cosmos, so the three stores hold bit-identical parts; and because
 * a store never needs to look inside a part.
 */
import type { MergedView, Parts, WindowDocument } from '../core/index.ts';

export interface StoredFields {
  id: string;
  series: string;
  window: string;
  start: number;
  updatedAt: number;
  revision: number;
  body: string;
}

interface Body {
  parts: Parts;
  merged: MergedView;
}

export function toStored(doc: WindowDocument): StoredFields {
  const body: Body = { parts: doc.parts, merged: doc.merged };
  return {
    id: doc.id,
    series: doc.series,
    window: doc.window,
    start: doc.start,
    updatedAt: doc.updatedAt,
    revision: doc.revision,
    body: JSON.stringify(body),
  };
}

export function fromStored(fields: StoredFields): WindowDocument {
  const body = JSON.parse(fields.body) as Body;
  return {
    id: fields.id,
    series: fields.series,
    window: fields.window,
    start: Number(fields.start),
    updatedAt: Number(fields.updatedAt),
    revision: Number(fields.revision),
    parts: body.parts,
    merged: body.merged,
  };
}
