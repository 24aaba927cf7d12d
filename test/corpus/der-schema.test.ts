/**
 * Strict DER is schema-aware (issue 7, item 9): every real bundle and legacy layer with an RFC 3161 timestamp, and
 * every real signing certificate, with one identifier octet changed where the structure has a SEQUENCE (or SET),
 * is rejected as malformed before the library reads it. Before, the walk checked lengths only: a TimeStampResp
 * whose outer SEQUENCE was a SET verified, because the library navigates by position and never looks at tags.
 */
import { describe, expect, it } from 'vitest';
import { VerifyReleaseError } from '../../src/errors.js';
import { ANNOTATION } from '../../src/sigstore/legacy/annotations.js';
import type { SweepTarget } from '../support/mutations.js';
import { loadCases } from '../support/oci-layout.js';
import { hasRfc3161, targetOf, verifies, verifyTarget } from '../support/sweep-targets.js';

/** Offsets of the element at `path` (child indexes from the root) in DER: identifier, contents start and end. */
function locate(der: Buffer, path: number[]): { offset: number; contentStart: number; end: number } {
  let offset = 0;
  let limit = der.length;
  for (let depth = 0; ; depth++) {
    const lengthByte = der[offset + 1] ?? 0;
    const count = lengthByte & 0x80 ? lengthByte & 0x7f : 0;
    const length = count === 0 ? lengthByte : der.readUIntBE(offset + 2, count);
    const contentStart = offset + 2 + count;
    const end = contentStart + length;
    if (end > limit) throw new Error('malformed test input');
    if (depth === path.length) return { offset, contentStart, end };
    let child = contentStart;
    for (let i = 0; i < (path[depth] ?? 0); i++) child = locate(der.subarray(child), []).end + child;
    offset = child;
    limit = end;
  }
}

/** The DER with the identifier octet at `path` replaced. */
function retag(der: Buffer, path: number[], tag: number): Buffer {
  const copy = Buffer.from(der);
  copy[locate(copy, path).offset] = tag;
  return copy;
}

/** The DER with the identifier octet at `inner` inside the contents of the OCTET STRING at `octetString` replaced. */
function retagInside(der: Buffer, octetString: number[], inner: number[], tag: number): Buffer {
  const copy = Buffer.from(der);
  const octets = locate(copy, octetString);
  copy[octets.contentStart + locate(copy.subarray(octets.contentStart, octets.end), inner).offset] = tag;
  return copy;
}

const SET = 0x31;
const SEQUENCE = 0x30;
/** The eContent OCTET STRING that holds the TSTInfo. */
const E_CONTENT = [1, 1, 0, 2, 1, 0];

/** TimeStampResp → timeStampToken → [0] content → SignedData → … (RFC 3161 §2.4.2, RFC 5652 §5). */
const TIMESTAMP_RETAGS: [string, (der: Buffer) => Buffer][] = [
  ['TimeStampResp SEQUENCE → SET', (der) => retag(der, [], SET)],
  ['PKIStatusInfo SEQUENCE → SET', (der) => retag(der, [0], SET)],
  ['timeStampToken (ContentInfo) SEQUENCE → SET', (der) => retag(der, [1], SET)],
  ['SignedData SEQUENCE → SET', (der) => retag(der, [1, 1, 0], SET)],
  ['digestAlgorithms SET → SEQUENCE', (der) => retag(der, [1, 1, 0, 1], SEQUENCE)],
  ['encapContentInfo SEQUENCE → SET', (der) => retag(der, [1, 1, 0, 2], SET)],
  ['TSTInfo (inside eContent) SEQUENCE → SET', (der) => retagInside(der, E_CONTENT, [], SET)],
  ['TSTInfo.messageImprint SEQUENCE → SET', (der) => retagInside(der, E_CONTENT, [2], SET)],
  ['TSTInfo.genTime GeneralizedTime → UTCTime', (der) => retagInside(der, E_CONTENT, [4], 0x17)],
];

function withTimestamp(t: SweepTarget, der: Buffer): SweepTarget {
  if (t.layer) {
    const annotation = JSON.stringify({ SignedRFC3161Timestamp: der.toString('base64') });
    return { ...t, layer: { ...t.layer, annotations: { ...t.layer.annotations, [ANNOTATION.rfc3161]: annotation } } };
  }
  const bundle = structuredClone(t.bundle) as any;
  bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp = der.toString('base64');
  return { ...t, bundle };
}

function timestampOf(t: SweepTarget): Buffer {
  if (t.layer) {
    const json = JSON.parse(t.layer.annotations[ANNOTATION.rfc3161] ?? '{}') as { SignedRFC3161Timestamp: string };
    return Buffer.from(json.SignedRFC3161Timestamp, 'base64');
  }
  const ts = (t.bundle as any).verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
  return Buffer.from(ts.signedTimestamp as string, 'base64');
}

/** The leaf certificate of a bundle (keyless), or undefined. */
function certificateOf(t: SweepTarget): Buffer | undefined {
  const material = (t.bundle as any)?.verificationMaterial;
  const raw = material?.certificate?.rawBytes ?? material?.x509CertificateChain?.certificates?.[0]?.rawBytes;
  return typeof raw === 'string' ? Buffer.from(raw, 'base64') : undefined;
}

function withCertificate(t: SweepTarget, der: Buffer): SweepTarget {
  const bundle = structuredClone(t.bundle) as any;
  const material = bundle.verificationMaterial;
  if (material.certificate) material.certificate.rawBytes = der.toString('base64');
  else material.x509CertificateChain.certificates[0].rawBytes = der.toString('base64');
  return { ...t, bundle };
}

function codeOf(t: SweepTarget): string {
  try {
    verifyTarget(t);
  } catch (error) {
    return error instanceof VerifyReleaseError ? `${error.code}: ${error.message}` : `not ours: ${String(error)}`;
  }
  return 'verified';
}

const targets = loadCases()
  .filter((c) => c.expected.startsWith('valid'))
  .map((c) => targetOf(c))
  .filter((t): t is SweepTarget => t !== undefined && verifies(t));
const timestamped = targets.filter(hasRfc3161);
const keyless = targets.filter((t) => certificateOf(t) !== undefined);

describe('RFC 3161 timestamps: each structure has its tag', () => {
  it('covers the real inputs with an RFC 3161 timestamp', () => {
    expect(timestamped.length).toBeGreaterThanOrEqual(19);
  });

  it.each(timestamped.map((t) => [t.id, t] as const))('%s', (_id, t) => {
    const der = timestampOf(t);
    for (const [name, change] of TIMESTAMP_RETAGS) {
      expect(codeOf(withTimestamp(t, change(der))), name).toMatch(/^TIMESTAMP_ERROR: timestamp: .*expected strict DER/);
    }
  });
});

describe('signing certificates: each structure has its tag', () => {
  const CERTIFICATE_RETAGS: [string, (der: Buffer) => Buffer][] = [
    ['Certificate SEQUENCE → SET', (der) => retag(der, [], SET)],
    ['tbsCertificate SEQUENCE → SET', (der) => retag(der, [0], SET)],
    ['validity SEQUENCE → SET', (der) => retag(der, [0, 4], SET)],
    ['signatureAlgorithm SEQUENCE → SET', (der) => retag(der, [1], SET)],
  ];

  it('covers the real keyless bundles', () => {
    expect(keyless.length).toBeGreaterThanOrEqual(30);
  });

  it.each(keyless.map((t) => [t.id, t] as const))('%s', (_id, t) => {
    const der = certificateOf(t) as Buffer;
    for (const [name, change] of CERTIFICATE_RETAGS) {
      expect(codeOf(withCertificate(t, change(der))), name).toMatch(
        /^CERTIFICATE_ERROR: certificate: signing certificate: expected strict DER/,
      );
    }
  });
});
