/**
 * Imported by the code-cache training of the packages whose first call goes through Google's clients (`warmUp` in
 * `deployables.ts`): runs the code that such a call runs or not depending on the bytes the servers answer, so every
 * build's cache holds it and the zip stays the same.
 *
 * protobufjs reads a varint32 that starts within a buffer's last four bytes on a path of its own
 * (`readVarint32NearEnd`). Firestore's answers end with a timestamp's nanoseconds, which take four bytes or five,
 * so whether a first call takes that path depends on the clock of the server that answered. This is the copy of
 * protobufjs that google-gax and gRPC's loader use (`test/unit/service-protos.test.ts` checks there is one), read
 * through its public `Reader`.
 */
import protobuf from 'protobufjs/minimal.js';

// A two-byte varint (128) at the end of its buffer.
if (protobuf.Reader.create(Uint8Array.of(0x80, 0x01)).uint32() !== 128)
  throw new Error('protobufjs read the varint 0x80 0x01 as something other than 128');
