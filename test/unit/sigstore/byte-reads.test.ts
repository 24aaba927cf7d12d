import { ByteStream, X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { useDirectByteReads } from '../../../src/sigstore/byte-reads.js';
import { publicGoodCertificates } from './bundle/fixtures.js';

// Taken before the module installs itself (each test file has its own module instances).
const libraryGetUint8 = Object.getOwnPropertyDescriptor(ByteStream.prototype, 'getUint8')?.value as (
  this: ByteStream,
) => number;

/** Every byte the stream gives, until it throws: the bytes and the error's message. */
function readAll(bytes: Buffer, read: (this: ByteStream) => number): { bytes: number[]; error: string } {
  const stream = new ByteStream(bytes);
  const got: number[] = [];
  for (;;) {
    try {
      got.push(read.call(stream));
    } catch (error) {
      return { bytes: got, error: (error as Error).message };
    }
  }
}

describe('useDirectByteReads', () => {
  it('reads the bytes the library reads, then fails as it does past the end', () => {
    const der = publicGoodCertificates();
    const before = der.map((bytes) => X509Certificate.parse(bytes));
    useDirectByteReads();
    useDirectByteReads();
    expect(Object.getOwnPropertyDescriptor(ByteStream.prototype, 'getUint8')?.value).not.toBe(libraryGetUint8);
    const installed = Object.getOwnPropertyDescriptor(ByteStream.prototype, 'getUint8')
      ?.value as typeof libraryGetUint8;
    for (const [i, bytes] of der.entries()) {
      expect(readAll(bytes, installed)).toEqual(readAll(bytes, libraryGetUint8));
      const after = X509Certificate.parse(bytes);
      expect(after.root.toDER().equals(bytes)).toBe(true);
      expect(after.extensions.length).toBe(before[i]?.extensions.length);
      expect(after.subject.equals(before[i]?.subject ?? Buffer.alloc(0))).toBe(true);
    }
    expect(readAll(Buffer.alloc(0), installed)).toEqual({
      bytes: [],
      error: 'request past end of buffer',
    });
  });

  it('keeps reading from where the stream was moved to', () => {
    useDirectByteReads();
    const stream = new ByteStream(Buffer.from([1, 2, 3]));
    stream.seek(2);
    expect(stream.getUint8()).toBe(3);
    expect(stream.position).toBe(3);
  });
});
