/**
 * The record schemas compiled into checks by TypeBox (a JIT compiler: about 20M checks/s, where interpreting
 * validators manage 2M). Compiling here costs about 9 ms of a cold start, so the function bundles replace this
 * module with the same checks that TypeBox compiled at build time (`scripts/build/precompiled-checks.ts`); the
 * bundles then carry neither TypeBox nor a compiler.
 */
import { Compile } from 'typebox/schema';
import { type RecordSchemaName, recordSchemas } from './record-schemas.ts';

export type Check = (value: unknown) => boolean;

export const checks = Object.fromEntries(
  Object.entries(recordSchemas).map(([name, schema]) => {
    const validator = Compile(schema);
    return [name, (value: unknown): boolean => validator.Check(value)];
  }),
) as Record<RecordSchemaName, Check>;
