/** The clouds, each the origin of the part it ingests. The order is the tie-break of every deterministic choice. */
export const ORIGINS = ['aws', 'gcp', 'azure'] as const;
export type Origin = (typeof ORIGINS)[number];

export function isOrigin(value: string): value is Origin {
  return (ORIGINS as readonly string[]).includes(value);
}
