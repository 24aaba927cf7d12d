import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { useRememberedOids } from '../../../src/sigstore/remembered-oids.js';
import { publicGoodCertificates } from './bundle/fixtures.js';

// Taken before the module installs itself (each test file has its own module instances).
const libraryToOID = Object.getOwnPropertyDescriptor(ASN1Obj.prototype, 'toOID')?.value as (this: ASN1Obj) => string;

describe('useRememberedOids', () => {
  it("answers as the library's own decoding, every time, once installed", () => {
    useRememberedOids();
    useRememberedOids();
    expect(Object.getOwnPropertyDescriptor(ASN1Obj.prototype, 'toOID')?.value).not.toBe(libraryToOID);
    let checked = 0;
    for (const certificate of publicGoodCertificates().map((der) => X509Certificate.parse(der))) {
      for (const extension of certificate.extensions) {
        const node = extension.subs[0] as ASN1Obj;
        const expected = libraryToOID.call(node);
        expect(node.toOID()).toBe(expected);
        expect(node.toOID()).toBe(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('still throws for a node that is not an OID, every time', () => {
    useRememberedOids();
    const integer = ASN1Obj.parseBuffer(Buffer.from([0x02, 0x01, 0x05]));
    expect(() => integer.toOID()).toThrow('not an OID');
    expect(() => integer.toOID()).toThrow('not an OID');
  });
});
