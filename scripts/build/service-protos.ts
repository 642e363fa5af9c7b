/**
 * Google's clients load their API's protos from JSON into protobufjs reflection on their first call: gax builds
 * every type and resolves every field (`Root.fromJSON`, `resolveAll`), then gRPC's loader defines each one. Their
 * JSON also carries what the API's `.proto` files import only for options: Firestore's `v1.json` holds 184 types,
 * of which descriptor.proto's 67 and the `google.api` annotations' 28 are never sent or received. In a bundle, each
 * such JSON keeps its services and the messages and enums their methods reach through fields, and nothing else:
 * the same reflection for every call, for about half the work. Options stay as they are (protobufjs keeps them as
 * plain values, never resolved against the types that declare them).
 *
 * The pruning runs protobufjs itself (the copy google-gax uses), so what a field refers to is what protobufjs
 * resolves it to; the build fails if the pruned JSON resolves any kept field otherwise. The pruned JSON's module also
 * carries its gRPC package definition with codecs generated at build time (`precompiled-protos.ts`).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';
import type * as Protobuf from 'protobufjs';
import {
  definitionsOf,
  type PackageDefinition,
  PRECOMPILED_KEY,
  precompiledPackageDefinition,
} from './precompiled-protos.ts';

const require = createRequire(import.meta.filename);
const gax = require.resolve('google-gax', {
  paths: [require.resolve('@google-cloud/firestore')],
});
const protobuf = createRequire(gax)('protobufjs') as typeof Protobuf;
const protoLoader = createRequire(gax)('@grpc/proto-loader') as {
  fromJSON(json: Protobuf.INamespace, options: object): PackageDefinition;
};

/** A namespace of protobufjs' JSON form (`INamespace`): nested namespaces, types, enums and services by name. */
interface JsonNamespace {
  nested?: Record<string, JsonNamespace>;
  [key: string]: unknown;
}

const loaded = (json: Protobuf.INamespace): Protobuf.Root => {
  const root = protobuf.Root.fromJSON(json);
  root.resolveAll();
  return root;
};

/** Full names (without the leading dot) of the services and of every type their methods reach. */
function reachable(root: Protobuf.Root): Set<string> {
  const names = new Set<string>();
  const visit = (t: Protobuf.Type | Protobuf.Enum | null): void => {
    if (!t || names.has(t.fullName)) return;
    names.add(t.fullName);
    if (t instanceof protobuf.Type) for (const f of t.fieldsArray) visit(f.resolvedType);
  };
  for (const service of definitionsOf(root, protobuf).services) {
    names.add(service.fullName);
    for (const m of service.methodsArray) {
      visit(m.resolvedRequestType);
      visit(m.resolvedResponseType);
    }
  }
  return new Set([...names].map((n) => n.replace(/^\./, '')));
}

/** `json` with only the namespaces and definitions on the way to a name in `keep`. */
function keepOnly(json: JsonNamespace, keep: Set<string>, prefix = ''): JsonNamespace {
  if (!json.nested) return json;
  const nested: Record<string, JsonNamespace> = {};
  for (const [name, child] of Object.entries(json.nested)) {
    const full = prefix ? `${prefix}.${name}` : name;
    const kept = keep.has(full) || [...keep].some((k) => k.startsWith(`${full}.`));
    if (kept) nested[name] = keepOnly(child, keep, full);
  }
  const { nested: _, ...rest } = json;
  return Object.keys(nested).length > 0 ? { ...rest, nested } : rest;
}

export interface PrunedProtos {
  json: Protobuf.INamespace;
  /** The pruned JSON's reflection, resolved. */
  root: Protobuf.Root;
  /** Types, enums and services before and after. */
  before: number;
  after: number;
}

const definitions = (root: Protobuf.Root): number => {
  const { messages, enums, services } = definitionsOf(root, protobuf);
  return messages.length + enums.length + services.length;
};

/**
 * The services of `json` and what their methods reach. Throws if a kept field would resolve to another type than
 * in the whole JSON, or a method's type is missing.
 */
export function pruneToServices(json: Protobuf.INamespace): PrunedProtos {
  const full = loaded(json);
  const keep = reachable(full);
  const pruned = keepOnly(json as JsonNamespace, keep) as Protobuf.INamespace;
  const small = loaded(pruned);
  for (const name of keep) {
    const before = full.lookup(name);
    const after = small.lookup(name);
    if (!after) throw new Error(`pruned protos lost ${name}`);
    if (before instanceof protobuf.Type && after instanceof protobuf.Type)
      for (const f of before.fieldsArray) {
        const was = f.resolvedType?.fullName;
        const is = after.fields[f.name]?.resolvedType?.fullName;
        if (was !== is) throw new Error(`pruned protos resolve ${name}.${f.name} to ${is}, not ${was}`);
      }
  }
  return { json: pruned, root: small, before: definitions(full), after: definitions(small) };
}

/**
 * A CommonJS module that exports the pruned JSON, as esbuild's JSON loader would, with its precompiled package
 * definition under a symbol: gax hashes the JSON's text (`JSON.stringify`), which leaves symbols out.
 */
export function prunedProtosModule({ json, root }: PrunedProtos): string {
  const text = JSON.stringify(json);
  // In a JavaScript object literal, unlike JSON, `__proto__` would set the prototype.
  if (text.includes('"__proto__"')) throw new Error('protos with a __proto__ key');
  const definition = precompiledPackageDefinition(protobuf, root, protoLoader.fromJSON(json, {}));
  return [
    `const json = ${text};`,
    `Object.defineProperty(json, Symbol.for(${JSON.stringify(PRECOMPILED_KEY)}), { value: ${definition} });`,
    'module.exports = json;',
  ].join('\n');
}

/** The JSON protos of Google's clients, where they declare services (gax's own hold only error details: kept). */
const CLIENT_PROTOS =
  /[\\/]node_modules[\\/]@google-cloud[\\/][^\\/]+[\\/]build[\\/]protos[\\/][^\\/]+\.json$/;

/**
 * The protos whose codecs are generated at build time: those of Firestore's data API, the one Google client on a
 * function's call path (every Firestore store). The others in a bundle keep their reflection, built on first use,
 * for the bytes: 200–300 KB of codecs each, for Firestore's admin and v1beta1 clients, which no function calls.
 */
const PRECOMPILED_PROTOS = /[\\/]@google-cloud[\\/]firestore[\\/]build[\\/]protos[\\/]v1\.json$/;

export const serviceProtos: Plugin = {
  name: 'service-protos',
  setup(b) {
    b.onLoad({ filter: CLIENT_PROTOS }, async (args) => {
      const json = JSON.parse(await readFile(args.path, 'utf8')) as Protobuf.INamespace;
      const hasService = (ns: object): boolean =>
        'methods' in ns || Object.values((ns as JsonNamespace).nested ?? {}).some(hasService);
      if (!hasService(json)) return undefined;
      const pruned = pruneToServices(json);
      if (!PRECOMPILED_PROTOS.test(args.path))
        return { contents: JSON.stringify(pruned.json), loader: 'json' };
      return { contents: prunedProtosModule(pruned), loader: 'js' };
    });
  },
};
