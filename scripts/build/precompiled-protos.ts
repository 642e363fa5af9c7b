/**
 * gRPC package definitions of Google's JSON protos, generated at build time: the codecs protobufjs would generate
 * on a function's first call, as code in the bundle (which the code cache then holds), instead of the reflection
 * google-gax builds before the first request.
 *
 * On its first call a Google client hands its JSON protos to `@grpc/proto-loader`'s `fromJSON` (through gax's
 * `loadProtoJSON`), which builds protobufjs reflection of every type (`Root.fromJSON`, `resolveAll` and its
 * editions features), and the first message of each type then has protobufjs generate and compile its codecs with
 * `Function()`: ≈ 25 ms of a GCP cold start's first call under the profiler, which no code cache holds. Here the
 * build runs those same generators (`encoder`, `decoder`, `converter`, `Type.generateConstructor`, of the protobufjs
 * the bundle carries) on the pruned JSON the bundle carries, and writes their source into the JSON's module as one
 * function that returns the package definition proto-loader would: the same paths, stream flags, names and
 * options, with serializers that run the same generated code on the same `Writer`, `Reader` and `util`. An edit to
 * proto-loader's `fromJSON` (`deferred-modules.ts`) takes it where the JSON carries it.
 *
 * What the generated code does not need stays reflection, built on first use: a message's descriptor (only gRPC
 * reflection reads it) and the types protobufjs wraps with code of its own (`google.protobuf.Any`).
 */
import { isDeepStrictEqual } from 'node:util';
import type * as Protobuf from 'protobufjs';

/** The symbol under which a JSON's module carries its package definition (read by the edit to `fromJSON`). */
export const PRECOMPILED_KEY = 'tricloud.precompiledPackageDefinition';

/** proto-loader's package definition, as far as this file reads it. */
interface MethodEntry {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  originalName?: string;
  options: unknown;
}
export type PackageDefinition = Record<string, { format: string } | Record<string, MethodEntry>>;

/** What the generated codecs may read of another type's codecs, and of their own (`this`). */
const TYPES_READ = new Set(['encode', 'decode', 'fromObject', 'toObject', 'values']);
const THIS_READ = new Set(['ctor']);

/** Every message, enum and service of `root`, in protobufjs' order, nested ones included. */
export function definitionsOf(root: Protobuf.Root, pb: typeof Protobuf) {
  const messages: Protobuf.Type[] = [];
  const enums: Protobuf.Enum[] = [];
  const services: Protobuf.Service[] = [];
  const walk = (ns: Protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof pb.Type) messages.push(obj);
      else if (obj instanceof pb.Enum) enums.push(obj);
      else if (obj instanceof pb.Service) services.push(obj);
      if (obj instanceof pb.Namespace || obj instanceof pb.Type) walk(obj as Protobuf.NamespaceBase);
    }
  };
  walk(root);
  return { messages, enums, services };
}

/**
 * The source of one generated codec, checked to read nothing of other types' codecs and of its own but what they
 * provide here (a constructor sets the message's own fields on `this`).
 */
function generated(source: string, type: string, ctor: boolean): string {
  for (const [, read] of source.matchAll(/types\[\d+\]\.(\w+)/g))
    if (!TYPES_READ.has(read!)) throw new Error(`protobufjs' code for ${type} reads types[].${read}`);
  if (!ctor)
    for (const [, read] of source.matchAll(/\bthis\.(\w+)/g))
      if (!THIS_READ.has(read!)) throw new Error(`protobufjs' code for ${type} reads this.${read}`);
  return source;
}

/**
 * The source of a function `(options, reflection, protobuf) => PackageDefinition` for `root` (resolved, built by
 * the protobufjs `pb` that the bundle carries), equal to `definition`, proto-loader's for the same JSON.
 * `reflection.root()` and `reflection.definition()` build the reflection and proto-loader's own definition on
 * first use.
 */
export function precompiledPackageDefinition(
  pb: typeof Protobuf,
  root: Protobuf.Root,
  definition: PackageDefinition,
): string {
  const { messages, enums } = definitionsOf(root, pb);
  /** Each type's codecs in the generated function: `c[i]` for messages, `e[i]` for enums. */
  const ref = new Map<string, string>([
    ...messages.map((t, i): [string, string] => [t.fullName, `c[${i}]`]),
    ...enums.map((e, i): [string, string] => [e.fullName, `e[${i}]`]),
  ]);
  const wrappers = pb.wrappers as Record<string, unknown>;

  const codecs = messages.map((t, i) => {
    const name = JSON.stringify(t.name);
    if (t.fullName in wrappers)
      return `Object.assign(c[${i}], reflected(${JSON.stringify(t.fullName.slice(1))}, ${name}));`;
    const types = t.fieldsArray.map((f) => {
      const resolved = f.resolve().resolvedType;
      return resolved ? ref.get(resolved.fullName)! : 'null';
    });
    const fns = {
      ctor: pb.Type.generateConstructor(t),
      encode: pb.encoder(t),
      decode: pb.decoder(t),
      fromObject: pb.converter.fromObject(t),
      toObject: pb.converter.toObject(t),
    };
    const body = Object.entries(fns)
      .map(([k, gen]) => `  ${k}: ${generated(gen.toString(), t.fullName, k === 'ctor')},`)
      .join('\n');
    return `{ // ${t.fullName}\nconst types = [${types.join(', ')}];\nObject.assign(c[${i}], { name: ${name},\n${body}\n}); }`;
  });
  const enumValues = enums.map(
    (e) =>
      `{ values: Object.assign(Object.create(${JSON.stringify(e.valuesById)}), ${JSON.stringify(e.values)}) }`,
  );

  const entries = Object.entries(definition).map(([name, entry]) => {
    const key = JSON.stringify(name);
    if ('format' in entry) return `${key}: described(${JSON.stringify(entry.format)}, (d) => d[${key}]),`;
    const service = root.lookupService(name);
    const methods = Object.entries(entry).map(([m, def]) => {
      const method = service.methods[m]!;
      const request = ref.get(method.resolvedRequestType!.fullName)!;
      const response = ref.get(method.resolvedResponseType!.fullName)!;
      const options = JSON.stringify(def.options);
      if (!isDeepStrictEqual(JSON.parse(options), def.options))
        throw new Error(`${name}.${m}: its options do not survive JSON`);
      const at = (side: string) =>
        `described(${JSON.stringify((def as unknown as Record<string, { format: string }>)[side]!.format)}, (d) => d[${key}][${JSON.stringify(m)}].${side})`;
      return [
        `  ${JSON.stringify(m)}: {`,
        `    path: ${JSON.stringify(def.path)},`,
        `    requestStream: ${def.requestStream}, responseStream: ${def.responseStream},`,
        `    requestSerialize: serializer(${request}), requestDeserialize: deserializer(${request}),`,
        `    responseSerialize: serializer(${response}), responseDeserialize: deserializer(${response}),`,
        `    originalName: ${JSON.stringify(def.originalName)},`,
        `    requestType: ${at('requestType')}, responseType: ${at('responseType')},`,
        `    options: ${options},`,
        '  },',
      ].join('\n');
    });
    return `${key}: {\n${methods.join('\n')}\n},`;
  });

  return `function precompiledPackageDefinition(options, reflection, protobuf) {
const { Writer, Reader, util } = protobuf;
const c = [${messages.map(() => '{}').join(', ')}];
const e = [${enumValues.join(',\n')}];
const reflected = (fullName, name) => {
  let type;
  const t = () => (type ??= reflection.root().lookupType(fullName));
  return { name, encode: (m, w) => t().encode(m, w), decode: (r, l) => t().decode(r, l), fromObject: (d) => t().fromObject(d), toObject: (m, o) => t().toObject(m, o) };
};
${codecs.join('\n')}
const serializer = (cls) => function serialize(arg) {
  if (Array.isArray(arg)) throw new Error(\`Failed to serialize message: expected object with \${cls.name} structure, got array instead\`);
  return cls.encode(cls.fromObject(arg)).finish();
};
const deserializer = (cls) => function deserialize(argBuf) { return cls.toObject(cls.decode(argBuf), options); };
const described = (format, from) => ({ format, get type() { return from(reflection.definition()).type; }, get fileDescriptorProtos() { return from(reflection.definition()).fileDescriptorProtos; } });
return {
${entries.join('\n')}
};
}`;
}
