import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { pruneToServices } from '../../scripts/build/service-protos.ts';

const require = createRequire(import.meta.url);
/** The JSON protos the bundles carry pruned: Firestore's (GCP's package, AWS sync) and Pub/Sub's. */
const protosOf = (pkg: string, file: string) =>
  JSON.parse(
    readFileSync(path.resolve(require.resolve(pkg), '../../protos', file), 'utf8'),
  ) as protobuf.INamespace;
const firestoreV1 = protosOf('@google-cloud/firestore', 'v1.json');
const pubsub = protosOf('@google-cloud/pubsub', 'protos.json');

const rootOf = (json: protobuf.INamespace) => {
  const root = protobuf.Root.fromJSON(json);
  root.resolveAll();
  return root;
};

const servicesOf = (root: protobuf.Root): protobuf.Service[] => {
  const out: protobuf.Service[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Service) out.push(obj);
      else if (obj instanceof protobuf.Namespace) walk(obj);
    }
  };
  walk(root);
  return out;
};

describe('service protos (the JSON protos the bundles carry)', () => {
  it("has one protobufjs: google-gax's is the project's, which the code-cache training runs", () => {
    // answer-dependent-paths.ts imports the project's copy to run a path of the one Firestore's answers take: were
    // npm to nest another under google-gax, that would compile the wrong copy's function and the caches would vary.
    const gax = require.resolve('google-gax', { paths: [require.resolve('@google-cloud/firestore')] });
    expect(createRequire(gax).resolve('protobufjs')).toBe(require.resolve('protobufjs'));
  });

  it.each([
    ['Firestore v1', firestoreV1],
    ['Pub/Sub', pubsub],
  ])('%s keeps every service and method, with the same request and response types', (_, json) => {
    const full = rootOf(json);
    const pruned = rootOf(pruneToServices(json).json);
    const services = servicesOf(full);
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      const kept = pruned.lookupService(service.fullName);
      expect(Object.keys(kept.methods)).toEqual(Object.keys(service.methods));
      for (const m of service.methodsArray) {
        expect(kept.methods[m.name]?.resolvedRequestType?.fullName).toBe(m.resolvedRequestType?.fullName);
        expect(kept.methods[m.name]?.resolvedResponseType?.fullName).toBe(m.resolvedResponseType?.fullName);
      }
    }
  });

  it("drops what only the .proto files' options use: descriptor.proto and the google.api annotations", () => {
    const { json, before, after } = pruneToServices(firestoreV1);
    expect(before).toBe(184);
    expect(after).toBeLessThan(before * 0.6);
    const pruned = rootOf(json);
    expect(pruned.lookup('google.protobuf.FileDescriptorProto')).toBeNull();
    expect(pruned.lookup('google.api.HttpRule')).toBeNull();
    // What Firestore's messages carry stays: timestamps, structs' values, status details as Any.
    for (const name of [
      'google.protobuf.Timestamp',
      'google.protobuf.Any',
      'google.rpc.Status',
      'google.type.LatLng',
    ])
      expect(pruned.lookup(name), name).not.toBeNull();
    // Options stay as written.
    const commit = pruned.lookupService('google.firestore.v1.Firestore').methods.Commit;
    expect(commit?.options).toEqual(
      rootOf(firestoreV1).lookupService('google.firestore.v1.Firestore').methods.Commit?.options,
    );
  });

  it('encodes and decodes a commit and its answer to the same bytes and values as the whole JSON', () => {
    const full = rootOf(firestoreV1);
    const pruned = rootOf(pruneToServices(firestoreV1).json);
    const request = {
      database: 'projects/p/databases/(default)',
      writes: [
        {
          update: {
            name: 'projects/p/databases/(default)/documents/aggregates/a',
            fields: {
              count: { integerValue: '3' },
              vwap: { doubleValue: 100.25 },
              body: { bytesValue: Buffer.from([1, 2, 3]) },
              tags: { arrayValue: { values: [{ stringValue: 'x' }, { nullValue: 'NULL_VALUE' }] } },
              at: { timestampValue: { seconds: '1700000000', nanos: 5 } },
              nested: { mapValue: { fields: { ok: { booleanValue: true } } } },
            },
          },
          currentDocument: { updateTime: { seconds: '1700000000', nanos: 268_435_455 } },
        },
      ],
    };
    const response = {
      writeResults: [{ updateTime: { seconds: '1700000001', nanos: 2_097_152 } }],
      commitTime: { seconds: '1700000001', nanos: 2_097_152 },
    };
    const options = { longs: String, enums: String, bytes: String, defaults: true, oneofs: true };
    for (const [name, message] of [
      ['google.firestore.v1.CommitRequest', request],
      ['google.firestore.v1.CommitResponse', response],
    ] as const) {
      const a = full.lookupType(name);
      const b = pruned.lookupType(name);
      const bytes = a.encode(a.fromObject(message)).finish();
      expect(Buffer.from(b.encode(b.fromObject(message)).finish())).toEqual(Buffer.from(bytes));
      expect(b.toObject(b.decode(bytes), options)).toEqual(a.toObject(a.decode(bytes), options));
    }
  });
});
