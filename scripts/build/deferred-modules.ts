/**
 * Work that Google's clients do at a cold start for no data call, deferred to first use. Build time only: what
 * runs, runs as before.
 *
 * - Modules deferred to a file of their own: the static protobuf code of Firestore's v1 API (only pipelines use
 *   it) and google-gax's IAM, Locations and Operations classes (only those APIs' clients and long-running
 *   operations use them), ≈ 800 KB that a bundle would otherwise parse and run at load. They are built into one
 *   CommonJS file beside the chunks; in the bundle, a stand-in `require`s a module from there on first use: when
 *   the stand-in is `require`d, or (`onRead`) when one of its exports is first read, for modules that others
 *   `require` and `__importStar` at their top but use only later.
 * - Source edits: where a module reads such a value at its top and uses it later (Firestore's serializer), where
 *   the admin client is loaded beside the data client, where the data client builds a Locations client it never
 *   calls, and where @grpc/proto-loader describes every message of a package as descriptor protos that only gRPC
 *   reflection reads (gax loads Firestore's package on the first call; tens of milliseconds) and loads
 *   protobufjs's descriptor extension for them, and where proto-loader's `fromJSON` would build the reflection that
 *   a JSON's precompiled package definition replaces (`precompiled-protos.ts`). Each edit must match the installed
 *   text exactly once, or the build fails: an upgrade of the SDK is then reviewed here rather than silently loading
 *   everything at start again.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { PRECOMPILED_KEY } from './precompiled-protos.ts';

const resolveFrom = (from: string, id: string) => createRequire(from).resolve(id);
/** Package roots, as Firestore resolves them (each package's `main` is `build/src/index.js`). */
const firestoreDir = path.resolve(resolveFrom(import.meta.filename, '@google-cloud/firestore'), '../../..');
const gaxDir = path.resolve(resolveFrom(path.join(firestoreDir, 'package.json'), 'google-gax'), '../../..');
const firestoreFile = (f: string) => path.join(firestoreDir, 'build', f);
const gaxFile = (f: string) => path.join(gaxDir, 'build', f);
const protoLoaderFile = resolveFrom(gaxFile('src/index.js'), '@grpc/proto-loader');

/**
 * The deferred modules, by their name in the deferred file: static protobuf code, which needs nothing but
 * `protobufjs/minimal`, so the deferred file carries no second copy of the SDKs.
 */
const DEFERRED: Record<string, { file: string; onRead?: true }> = {
  'firestore-v1-proto-api': { file: firestoreFile('protos/firestore_v1_proto_api.js') },
  'gax-iam-protos': { file: gaxFile('protos/iam_service.js'), onRead: true },
  'gax-locations-protos': { file: gaxFile('protos/locations.js'), onRead: true },
  'gax-operations-protos': { file: gaxFile('protos/operations.js'), onRead: true },
};
const deferredByFile = new Map(Object.entries(DEFERRED).map(([name, d]) => [d.file, name]));
/** The deferred file's name, in the chunks' folder. */
export const DEFERRED_FILE = 'deferred.cjs';

/** Source edits, `[text, replacement]`, each text found exactly once in its file. */
const EDITS: Array<{ file: string; edits: Array<[string, string]> }> = [
  {
    // proto-loader describes every message, enum and file of a package as descriptor protos when the package is
    // loaded (gax loads Firestore's on the first call): only gRPC reflection reads them. Built on first read, and
    // protobufjs's descriptor extension (which builds descriptor.proto's reflection when loaded) with them.
    file: protoLoaderFile,
    edits: [
      [
        'const descriptor = require("protobufjs/ext/descriptor");',
        'let descriptorModule;\nconst descriptor = () => (descriptorModule ??= require("protobufjs/ext/descriptor"));',
      ],
      [
        "    const messageDescriptor = message.toDescriptor('proto3');\n    return {\n        format: 'Protocol Buffer 3 DescriptorProto',\n        type: messageDescriptor.$type.toObject(messageDescriptor, descriptorOptions),\n        fileDescriptorProtos: fileDescriptors,",
        "    let type;\n    return {\n        format: 'Protocol Buffer 3 DescriptorProto',\n        get type() { if (type === undefined) { descriptor(); const messageDescriptor = message.toDescriptor('proto3'); type = messageDescriptor.$type.toObject(messageDescriptor, descriptorOptions); } return type; },\n        get fileDescriptorProtos() { return fileDescriptors(); },",
      ],
      [
        "    const enumDescriptor = enumType.toDescriptor('proto3');\n    return {\n        format: 'Protocol Buffer 3 EnumDescriptorProto',\n        type: enumDescriptor.$type.toObject(enumDescriptor, descriptorOptions),\n        fileDescriptorProtos: fileDescriptors,",
        "    let type;\n    return {\n        format: 'Protocol Buffer 3 EnumDescriptorProto',\n        get type() { if (type === undefined) { descriptor(); const enumDescriptor = enumType.toDescriptor('proto3'); type = enumDescriptor.$type.toObject(enumDescriptor, descriptorOptions); } return type; },\n        get fileDescriptorProtos() { return fileDescriptors(); },",
      ],
      [
        "    const descriptorList = root.toDescriptor('proto3').file;\n    const bufferList = descriptorList.map(value => Buffer.from(descriptor.FileDescriptorProto.encode(value).finish()));",
        "    let bufferList;\n    const fileDescriptors = () => (bufferList ??= (descriptor(), root.toDescriptor('proto3')).file.map(value => Buffer.from(descriptor().FileDescriptorProto.encode(value).finish())));",
      ],
      [
        // The bundles' pruned JSON carries its package definition, generated at build time (`precompiled-protos.ts`).
        'function fromJSON(json, options) {\n    options = options || {};\n    const loadedRoot = Protobuf.Root.fromJSON(json);\n    loadedRoot.resolveAll();\n    return createPackageDefinition(loadedRoot, options);\n}',
        `function fromJSON(json, options) {\n    options = options || {};\n    let loadedRoot, loadedDefinition;\n    const root = () => { if (loadedRoot === undefined) { loadedRoot = Protobuf.Root.fromJSON(json); loadedRoot.resolveAll(); } return loadedRoot; };\n    const definition = () => (loadedDefinition ??= createPackageDefinition(root(), options));\n    const precompiled = json[Symbol.for(${JSON.stringify(PRECOMPILED_KEY)})];\n    return precompiled ? precompiled(options, { root, definition }, Protobuf) : definition();\n}`,
      ],
      [
        'def[name] = createDefinition(obj, name, options, bufferList);',
        'def[name] = createDefinition(obj, name, options, fileDescriptors);',
      ],
      [
        'const decodedDescriptorSet = descriptor.FileDescriptorSet.decode(descriptorSet);',
        'const decodedDescriptorSet = descriptor().FileDescriptorSet.decode(descriptorSet);',
      ],
      [
        'const decodedDescriptorSet = descriptor.FileDescriptorSet.fromObject(descriptorSet);',
        'const decodedDescriptorSet = descriptor().FileDescriptorSet.fromObject(descriptorSet);',
      ],
    ],
  },
  {
    // `Value` serves pipelines' options only.
    file: firestoreFile('src/serializer.js'),
    edits: [
      [
        'const firestore_v1_proto_api_1 = require("../protos/firestore_v1_proto_api");\nvar Value = firestore_v1_proto_api_1.google.firestore.v1.Value;',
        'var Value = { fromObject: (value) => require("../protos/firestore_v1_proto_api").google.firestore.v1.Value.fromObject(value) };',
      ],
    ],
  },
  {
    // The admin client is exported beside the data client; the module's last lines copy both onto its exports.
    file: firestoreFile('src/v1/index.js'),
    edits: [
      [
        'const firestore_admin_client_1 = require("./firestore_admin_client");\nObject.defineProperty(exports, "FirestoreAdminClient", { enumerable: true, get: function () { return firestore_admin_client_1.FirestoreAdminClient; } });\n',
        '',
      ],
      [
        'module.exports = Object.assign(module.exports, existingExports);',
        'module.exports = Object.assign(module.exports, existingExports);\nObject.defineProperty(module.exports, "FirestoreAdminClient", { enumerable: true, configurable: true, get: () => require("./firestore_admin_client").FirestoreAdminClient });',
      ],
    ],
  },
  {
    // The data client builds a Locations client (and its protos' reflection) in its constructor, on the first
    // call; only getLocation and listLocations use it. Built on first use.
    file: firestoreFile('src/v1/firestore_client.js'),
    edits: [
      [
        '        this.locationsClient = new this._gaxModule.LocationsClient(this._gaxGrpc, opts);',
        "        let locationsClient;\n        Object.defineProperty(this, 'locationsClient', { enumerable: true, configurable: true, get: () => (locationsClient ??= new this._gaxModule.LocationsClient(this._gaxGrpc, opts)) });\n        this._closeLocationsClient = () => (locationsClient ? locationsClient.close() : Promise.resolve());",
      ],
      ['this.locationsClient.close().catch(err => {', 'this._closeLocationsClient().catch(err => {'],
    ],
  },
];

/** The stand-in for a deferred module. Every output file knows its own `__dirname` (see the bundle's banner). */
function standIn(name: string, chunksDirName: string): string {
  const d = DEFERRED[name]!;
  const load = [
    "const path = require('node:path');",
    `const dir = path.basename(__dirname) === ${JSON.stringify(chunksDirName)} ? __dirname : path.join(__dirname, ${JSON.stringify(chunksDirName)});`,
    `const load = () => require(path.join(dir, ${JSON.stringify(DEFERRED_FILE)}))[${JSON.stringify(name)}]();`,
  ];
  if (!d.onRead) return [...load, 'module.exports = load();'].join('\n');
  // The names the module exports, read from the installed module (protobuf classes: loading them only registers).
  const names = Object.keys(createRequire(import.meta.filename)(d.file) as object);
  return [
    ...load,
    'let loaded;',
    ...names.map(
      (n) =>
        `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => (loaded ??= load())[${JSON.stringify(n)}] });`,
    ),
  ].join('\n');
}

export interface DeferredModules {
  plugin: Plugin;
  /**
   * Builds the deferred file into `chunksDir` when the bundle refers to a deferred module; returns its metafile
   * (paths relative to `root`, as the bundle's), or nothing.
   */
  build(root: string, chunksDir: string): Promise<Metafile | undefined>;
}

/** One per bundle: it records which deferred modules that bundle refers to. */
export function deferredModules(chunksDirName: string): DeferredModules {
  const used = new Set<string>();
  const plugin: Plugin = {
    name: 'deferred-modules',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.namespace !== 'file') return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        const name = deferredByFile.get(`${target}.js`) ?? deferredByFile.get(path.join(target, 'index.js'));
        if (!name) return undefined;
        used.add(name);
        return { path: name, namespace: 'deferred' };
      });
      b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
        contents: standIn(args.path, chunksDirName),
        loader: 'js',
      }));
      for (const { file, edits } of EDITS) {
        b.onLoad(
          { filter: new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) },
          async (args) => {
            let text = await readFile(args.path, 'utf8');
            for (const [from, to] of edits) {
              const found = text.split(from).length - 1;
              if (found !== 1)
                throw new Error(
                  `${args.path}: the text to edit is there ${found} times, not once; review scripts/build/deferred-modules.ts for this version of the package:\n${from}`,
                );
              text = text.replace(from, () => to);
            }
            return { contents: text, loader: 'js' };
          },
        );
      }
    },
  };
  return {
    plugin,
    async build(root, chunksDir) {
      if (used.size === 0) return undefined;
      // Paths relative to the root (the entry's resolveDir): the entry's text is in the source map, which must not
      // depend on the folder the repository is checked out in.
      const relative = (file: string) => `./${path.relative(root, file).split(path.sep).join('/')}`;
      const entries = [...used]
        .sort()
        .map(
          (name) =>
            `  ${JSON.stringify(name)}: () => require(${JSON.stringify(relative(DEFERRED[name]!.file))}),`,
        );
      const result = await build({
        absWorkingDir: root,
        stdin: {
          contents: `module.exports = {\n${entries.join('\n')}\n};\n`,
          resolveDir: root,
          loader: 'js',
        },
        outfile: path.join(chunksDir, DEFERRED_FILE),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node22',
        minify: true,
        sourcemap: 'linked',
        legalComments: 'none',
        metafile: true,
        logLevel: 'warning',
      });
      return result.metafile;
    },
  };
}
