import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASN1Obj, EXTENSION_OID_SCT, X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it, vi } from 'vitest';
import { encodeDer, useFastDerEncoding } from '../../../src/sigstore/der-encoding.js';
import { withCertificatesEncodedOnce, withLeafEncodedOnce } from '../../../src/sigstore/encode-once.js';
import { readJson, REALWORLD } from './bundle/fixtures.js';

// Taken before anything installs the fast encoder (each test file has its own module instances).
const libraryEncoder = Object.getOwnPropertyDescriptor(ASN1Obj.prototype, 'toDER')?.value as (this: ASN1Obj) => Buffer;
const libraryToDER = { call: (node: ASN1Obj): Buffer => libraryEncoder.call(node) };

/** Every X.509 certificate in the vendored corpus's JSON files (trusted roots and bundles), deduplicated. */
function corpusCertificates(): Buffer<ArrayBuffer>[] {
  const found = new Map<string, Buffer<ArrayBuffer>>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        // Certificates are DER SEQUENCEs, which base64-encode to "MI…".
        if (key === 'rawBytes' && typeof child === 'string' && child.startsWith('MI')) {
          found.set(child, Buffer.from(child, 'base64'));
        } else visit(child);
      }
    }
  };
  for (const entry of readdirSync(REALWORLD, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    try {
      visit(JSON.parse(readFileSync(join(entry.parentPath, entry.name), 'utf8')));
    } catch {
      // Not every .json in the corpus is valid JSON on purpose (negative conformance cases).
    }
  }
  return [...found.values()].filter((der) => {
    try {
      X509Certificate.parse(der);
      return true;
    } catch {
      return false;
    }
  });
}

const certificates = corpusCertificates();

describe('encodeDer', () => {
  it('finds the corpus certificates', () => {
    expect(certificates.length).toBeGreaterThan(50);
  });

  it('gives the original bytes and what the library encodes, for every certificate and its parts', () => {
    for (const der of certificates) {
      const certificate = X509Certificate.parse(der);
      expect(encodeDer(certificate.root)).toEqual(der);
      for (const node of [certificate.root, certificate.tbsCertificate, ...certificate.extensions]) {
        expect(encodeDer(node)).toEqual(libraryToDER.call(node));
      }
    }
  });

  it('encodes an edited tree as the library does (the SCT check removes an extension first)', () => {
    let edited = 0;
    for (const der of certificates) {
      const certificate = X509Certificate.parse(der);
      const at = certificate.extensions.findIndex((extension) => extension.subs[0]?.toOID() === EXTENSION_OID_SCT);
      if (at === -1) continue;
      certificate.extensions.splice(at, 1);
      expect(encodeDer(certificate.tbsCertificate)).toEqual(libraryToDER.call(certificate.tbsCertificate));
      edited++;
    }
    expect(edited).toBeGreaterThan(10);
  });

  it('uses long-form lengths of every size the library does', () => {
    for (const size of [0, 1, 127, 128, 255, 256, 65535, 65536, 70000, 2 ** 24]) {
      const empty = ASN1Obj.parseBuffer(Buffer.from([0x04, 0x00]));
      const node = new ASN1Obj(empty.tag, Buffer.alloc(size, 1), []);
      // Buffer#equals: toEqual compares a 16 MiB buffer index by index.
      expect(encodeDer(node).equals(libraryToDER.call(node))).toBe(true);
    }
  });

  it('replaces the library encoder with itself once installed', () => {
    useFastDerEncoding();
    const certificate = X509Certificate.parse(certificates[0] as Buffer<ArrayBuffer>);
    expect(certificate.tbsCertificate.toDER()).toEqual(libraryToDER.call(certificate.tbsCertificate));
    expect(Object.getOwnPropertyDescriptor(ASN1Obj.prototype, 'toDER')?.value).not.toBe(libraryEncoder);
  });
});

describe('withLeafEncodedOnce', () => {
  it("clones a leaf as the library's clone does, and an edit of the clone leaves the leaf as it was", () => {
    let edited = 0;
    for (const der of certificates) {
      const leaf = X509Certificate.parse(der);
      const { certificate } = withLeafEncodedOnce({ key: { $case: 'certificate', certificate: leaf } }).key;
      const clone = certificate.clone();
      const libraryClone = X509Certificate.parse(der).clone();
      expect(clone.root.toDER()).toEqual(libraryClone.root.toDER());
      const at = clone.extensions.findIndex((extension) => extension.subs[0]?.toOID() === EXTENSION_OID_SCT);
      if (at === -1) continue;
      clone.extensions.splice(at, 1);
      libraryClone.extensions.splice(at, 1);
      // What the SCT check signs over, and the leaf untouched (its encode-once bytes included).
      expect(clone.tbsCertificate.toDER()).toEqual(libraryClone.tbsCertificate.toDER());
      expect(certificate.root.toDER()).toEqual(der);
      expect(encodeDer(certificate.tbsCertificate)).toEqual(X509Certificate.parse(der).tbsCertificate.toDER());
      edited++;
    }
    expect(edited).toBeGreaterThan(10);
  });
});

describe('withCertificatesEncodedOnce', () => {
  it("answers every authority's signature check as the library does, checking each pair once", () => {
    const root = TrustedRoot.fromJSON(readJson('trusted-roots/public-good.trusted_root.json'));
    const check = vi.spyOn(X509Certificate.prototype, 'verify');
    const material = withCertificatesEncodedOnce(toTrustMaterial(root));
    const authorities = material.certificateAuthorities.flatMap((authority) => authority.certChain);
    expect(authorities.length).toBeGreaterThan(2);
    let pairs = 0;
    let trusted = 0;
    const reparse = (certificate: X509Certificate) => X509Certificate.parse(Buffer.from(certificate.root.toDER()));
    for (const certificate of authorities) {
      const fresh = reparse(certificate);
      for (const issuer of [undefined, ...authorities]) {
        const expected = fresh.verify(issuer && reparse(issuer));
        expect(certificate.verify(issuer)).toBe(expected);
        expect(certificate.verify(issuer)).toBe(expected);
        pairs++;
        if (expected) trusted++;
      }
    }
    // Each pair reached the library's check twice: for the fresh copy, and for the material's first call. The
    // material's second call was answered from memory.
    expect(check).toHaveBeenCalledTimes(pairs * 2);
    expect(trusted).toBeGreaterThanOrEqual(authorities.length);
    check.mockRestore();
  });
});
