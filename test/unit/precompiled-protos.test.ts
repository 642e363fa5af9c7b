import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { type PackageDefinition, PRECOMPILED_KEY } from '../../scripts/build/precompiled-protos.ts';
import { prunedProtosModule, pruneToServices } from '../../scripts/build/service-protos.ts';

const require = createRequire(import.meta.url);
const gax = require.resolve('google-gax', { paths: [require.resolve('@google-cloud/firestore')] });
/** The proto-loader google-gax uses, as installed (the bundles carry it edited to take the precompiled one). */
const protoLoader = createRequire(gax)('@grpc/proto-loader') as {
  fromJSON(json: protobuf.INamespace, options: object): PackageDefinition;
};
/** google-gax's `GrpcClient.defaultOptions()`. */
const GAX_OPTIONS = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

const protosOf = (pkg: string, file: string) =>
  JSON.parse(
    readFileSync(path.resolve(require.resolve(pkg), '../../protos', file), 'utf8'),
  ) as protobuf.INamespace;

const firestoreV1 = protosOf('@google-cloud/firestore', 'v1.json');

interface Method {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  originalName: string;
  options: unknown;
  requestSerialize(value: object): Buffer;
  requestDeserialize(bytes: Buffer): object;
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): object;
  requestType: { format: string; type: unknown };
  responseType: { format: string; type: unknown };
}
type Definition = Record<string, { format: string; type: unknown } | Record<string, Method>>;

/** The pruned JSON as a bundle has it, and the definition it carries, run as the edited `fromJSON` runs it. */
function precompiled(json: protobuf.INamespace): { pruned: protobuf.INamespace; definition: Definition } {
  const module = { exports: {} as protobuf.INamespace };
  new Function('module', prunedProtosModule(pruneToServices(json)))(module);
  const pruned = module.exports;
  type Build = (options: object, reflection: object, pb: typeof protobuf) => Definition;
  const build = (pruned as unknown as Record<symbol, Build>)[Symbol.for(PRECOMPILED_KEY)]!;
  let root: protobuf.Root | undefined;
  const reflection = {
    root: () => (root ??= protobuf.Root.fromJSON(pruned).resolveAll() as protobuf.Root),
    definition: () => protoLoader.fromJSON(pruned, GAX_OPTIONS),
  };
  return { pruned, definition: build(GAX_OPTIONS, reflection, protobuf) };
}

/** A value for every field of `type`, nested messages to `depth`, two elements per list and map. */
function sample(type: protobuf.Type, depth: number): Record<string, unknown> {
  const scalar = (f: protobuf.Field, i: number): unknown => {
    const t = f.resolvedType;
    if (t instanceof protobuf.Enum) return Object.keys(t.values)[i % Object.keys(t.values).length];
    if (t instanceof protobuf.Type) return depth > 0 ? sample(t, depth - 1) : {};
    const values: Record<string, unknown> = {
      double: 1.5 + i,
      float: 0.5,
      int32: -3 - i,
      uint32: 7 + i,
      sint32: -5,
      fixed32: 9,
      sfixed32: -9,
      int64: `-12345678901${i}`,
      uint64: `12345678901${i}`,
      sint64: '-42',
      fixed64: '4294967297',
      sfixed64: '-4294967297',
      bool: i === 0,
      string: `s${i}`,
      bytes: Buffer.from([1, 2, 3 + i]),
    };
    return values[f.type];
  };
  const out: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    f.resolve();
    if (f.map) {
      const key = (i: number) =>
        (f as unknown as protobuf.MapField).keyType === 'string' ? `k${i}` : String(i + 1);
      out[f.name] = { [key(0)]: scalar(f, 0), [key(1)]: scalar(f, 1) };
    } else if (f.repeated) out[f.name] = [scalar(f, 0), scalar(f, 1)];
    else out[f.name] = scalar(f, 0);
  }
  return out;
}

describe('precompiled gRPC package definitions (the JSON protos the bundles carry)', () => {
  it.each([
    ['Firestore v1', firestoreV1],
    ['Pub/Sub', protosOf('@google-cloud/pubsub', 'protos.json')],
  ])(
    "%s: the same definition as proto-loader's, and the same bytes and values for every method",
    (_, json) => {
      const { pruned, definition } = precompiled(json);
      const reflected = protoLoader.fromJSON(pruned, GAX_OPTIONS) as unknown as Definition;
      const root = protobuf.Root.fromJSON(pruned).resolveAll();
      expect(Object.keys(definition)).toEqual(Object.keys(reflected));
      let methods = 0;
      for (const [name, entry] of Object.entries(reflected)) {
        const mine = definition[name]!;
        if ('format' in entry) {
          expect(mine.format).toBe(entry.format);
          continue;
        }
        const service = root.lookupService(name);
        for (const [m, want] of Object.entries(entry)) {
          const got = (mine as Record<string, Method>)[m]!;
          methods++;
          const { path: p, requestStream, responseStream, originalName, options } = want;
          expect({
            path: got.path,
            requestStream: got.requestStream,
            responseStream: got.responseStream,
          }).toEqual({
            path: p,
            requestStream,
            responseStream,
          });
          expect(got.originalName).toBe(originalName);
          expect(got.options).toEqual(options);
          expect(got.requestType.format).toBe(want.requestType.format);
          const method = service.methods[m]!;
          for (const [side, type] of [
            ['request', method.resolvedRequestType!],
            ['response', method.resolvedResponseType!],
          ] as const) {
            const value = sample(type, 3);
            const serialize = `${side}Serialize` as const;
            const deserialize = `${side}Deserialize` as const;
            const bytes = want[serialize](value);
            expect(got[serialize](value), `${name}.${m} ${side}`).toEqual(bytes);
            expect(got[deserialize](bytes), `${name}.${m} ${side}`).toEqual(want[deserialize](bytes));
            // Defaults, on a message with nothing set.
            expect(got[deserialize](Buffer.alloc(0))).toEqual(want[deserialize](Buffer.alloc(0)));
          }
        }
      }
      expect(methods).toBeGreaterThan(10);
    },
  );

  it("leaves what only gRPC reflection reads to proto-loader, built on first read: a message's descriptor", () => {
    const { pruned, definition } = precompiled(firestoreV1);
    const reflected = protoLoader.fromJSON(pruned, GAX_OPTIONS) as unknown as Definition;
    const name = 'google.firestore.v1.Document';
    expect(definition[name]!.type).toEqual(reflected[name]!.type);
    const commit = (definition['google.firestore.v1.Firestore'] as Record<string, Method>).Commit!;
    const want = (reflected['google.firestore.v1.Firestore'] as Record<string, Method>).Commit!;
    expect(commit.responseType.type).toEqual(want.responseType.type);
  });

  it('serializes google.protobuf.Any, which protobufjs wraps with code of its own, through its reflection', () => {
    const { pruned, definition } = precompiled(firestoreV1);
    const reflected = protoLoader.fromJSON(pruned, GAX_OPTIONS) as unknown as Definition;
    // BatchWrite's answer carries a google.rpc.Status per write, whose details are Any.
    const answer = {
      status: [
        {
          code: 6,
          message: 'exists',
          details: [{ typeUrl: 'type.googleapis.com/x', value: Buffer.from([7]) }],
        },
      ],
    };
    const mine = (definition['google.firestore.v1.Firestore'] as Record<string, Method>).BatchWrite!;
    const want = (reflected['google.firestore.v1.Firestore'] as Record<string, Method>).BatchWrite!;
    const bytes = want.responseSerialize(answer);
    expect(mine.responseSerialize(answer)).toEqual(bytes);
    expect(mine.responseDeserialize(bytes)).toEqual(want.responseDeserialize(bytes));
    expect(bytes.length).toBeGreaterThan(10);
  });
});
