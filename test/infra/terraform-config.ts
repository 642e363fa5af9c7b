/**
 * A cloud's Terraform (`infra/<cloud>/*.tf`) parsed with HashiCorp's HCL parser (`@cdktf/hcl2json`) into one
 * object per block kind, so tests can follow the wiring: expressions stay strings such as
 * `${aws_sqs_queue.records.arn}`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

export const infraDir = path.resolve(import.meta.dirname, '..', '..', 'infra');

export type Block = Record<string, unknown>;

export interface TerraformConfig {
  /** type → name → the block's body. */
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  variable: Record<string, Block>;
  output: Record<string, Block>;
  locals: Block;
}

export async function terraformFiles(cloud: string): Promise<string[]> {
  const dir = path.join(infraDir, cloud);
  return (await readdir(dir)).filter((f) => f.endsWith('.tf')).map((f) => path.join(dir, f));
}

/** hcl2json wraps every block body in a one-element array; this takes it out. */
function only(value: unknown): Block {
  return (Array.isArray(value) ? value[0] : value) as Block;
}

export async function loadTerraform(cloud: string): Promise<TerraformConfig> {
  const config: TerraformConfig = { resource: {}, data: {}, variable: {}, output: {}, locals: {} };
  for (const file of await terraformFiles(cloud)) {
    const parsed = (await parse(path.basename(file), await readFile(file, 'utf8'))) as Record<
      string,
      unknown
    >;
    for (const kind of ['resource', 'data'] as const) {
      const byType = (parsed[kind] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [type, byName] of Object.entries(byType)) {
        config[kind][type] ??= {};
        for (const [name, body] of Object.entries(byName)) config[kind][type][name] = only(body);
      }
    }
    for (const kind of ['variable', 'output'] as const) {
      for (const [name, body] of Object.entries((parsed[kind] ?? {}) as Record<string, unknown>)) {
        config[kind][name] = only(body);
      }
    }
    for (const locals of (parsed.locals ?? []) as Block[]) Object.assign(config.locals, locals);
  }
  return config;
}

/** A block that must exist: fails with its address rather than with "cannot read properties of undefined". */
export function block(config: TerraformConfig, kind: 'resource' | 'data', type: string, name: string): Block {
  const found = config[kind][type]?.[name];
  if (found === undefined) throw new Error(`${kind} ${type}.${name} is not declared`);
  return found;
}

/** The first element of a nested block (`point_in_time_recovery { ... }` parses as a one-element array). */
export function nested(parent: Block, name: string): Block {
  const value = parent[name];
  if (!Array.isArray(value) || value.length === 0) throw new Error(`block ${name} is missing`);
  return value[0] as Block;
}

/** `${var.queue_name}` → `queue_name`; anything else → undefined. */
export function variableOf(expression: unknown): string | undefined {
  return typeof expression === 'string' ? /^\$\{var\.([a-z0-9_]+)\}$/.exec(expression)?.[1] : undefined;
}

/** A Terraform reference as hcl2json writes it: `ref('var.x')` is the string `${var.x}`. */
export function ref(expression: string): string {
  return ['${', expression, '}'].join('');
}
