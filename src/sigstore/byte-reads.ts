import { ByteStream } from '@sigstore/core';

/** The fields `ByteStream` reads through: private in the library's types, so checked before they are used. */
interface StreamFields {
  view: Uint8Array;
  start: number;
}

let installed = false;

/**
 * Makes `ByteStream.getUint8` read its byte directly. The library reads it through `getBlock(1)`, a new Buffer view
 * per byte, and its ASN.1 parser reads every tag and length byte so: about 2,800 views per verified release, each a
 * garbage object on a cold start. Same byte, same bounds check, same error. The replacement is installed only if a
 * probe stream has the fields it reads; otherwise the library's method stays. Idempotent.
 */
export function useDirectByteReads(): void {
  if (installed) return;
  installed = true;
  const probe = new ByteStream(Buffer.from([0x2a])) as unknown as Partial<StreamFields>;
  if (!(probe.view instanceof Uint8Array) || probe.view[0] !== 0x2a || probe.start !== 0) return;
  ByteStream.prototype.getUint8 = function getUint8(this: ByteStream): number {
    const stream = this as unknown as StreamFields;
    if (stream.start + 1 > stream.view.length) throw new Error('request past end of buffer');
    return stream.view[stream.start++] as number;
  };
}
