import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../src/model/digest.js';
import type { Evidence, VerifiedContent, VerifiedEvidence } from '../../../src/model/evidence.js';
import {
  isImageSignature,
  toInTotoStatement,
  toSimpleSigningPayload,
  verifySimpleSigningClaim,
  verifyStatementSubject,
} from '../../../src/sigstore/claims.js';
import { readCorpusFile } from '../../support/oci-layout.js';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const claimMismatch = expect.objectContaining({ code: 'CLAIM_MISMATCH' });

// The real 2021 simple-signing payload (sigstore-rs extracted) and the image digest it signs.
const payloadBytes = readCorpusFile(
  'sigstore-rs/extracted/legacy-rekord-2021-kubewarden-disallow-service-nodeport/simplesigning-payload.json',
);
const signedDigest: Digest = 'sha256:5f481572d088dc4023afb35fced9530ced3d9b03bf7299c6f492163cb9f0452e';
const otherDigest: Digest = `sha256:${'0'.repeat(64)}`;

describe('verifySimpleSigningClaim', () => {
  const payload = toSimpleSigningPayload(payloadBytes);

  it('accepts the digest the payload signs', () => {
    expect(() => verifySimpleSigningClaim(payload, signedDigest)).not.toThrow();
  });

  it('rejects another digest, naming both', () => {
    expect(() => verifySimpleSigningClaim(payload, otherDigest)).toThrow(claimMismatch);
    expect(() => verifySimpleSigningClaim(payload, otherDigest)).toThrow(
      `expected docker-manifest-digest ${otherDigest}, got ${signedDigest}`,
    );
  });

  it('rejects another critical.type', () => {
    const other = { ...payload, critical: { ...payload.critical, type: 'something else' } };
    expect(() => verifySimpleSigningClaim(other, signedDigest)).toThrow(claimMismatch);
  });

  it.each([
    ['an array', [1]],
    ['a string', 'x'],
    ['null', null],
    ['no critical', { optional: null }],
    ['no image', { critical: { type: 't' } }],
  ])('refuses to decode %s', (_name, value) => {
    expect(() => toSimpleSigningPayload(encode(value))).toThrow(claimMismatch);
  });

  it('refuses bytes that are not UTF-8 JSON', () => {
    expect(() => toSimpleSigningPayload(new Uint8Array([0xff, 0xfe]))).toThrow(claimMismatch);
  });
});

// Go's encoding/json (cosign, sigstore-go) matches object keys case-insensitively and keeps the last match, where
// JSON.parse keeps exact keys: a payload with both spellings means different things to the two.
describe('claims whose keys Go folds together', () => {
  const hex = 'a'.repeat(64);
  const text = (json: string): Uint8Array => new TextEncoder().encode(json);

  it('refuses a simple-signing payload with docker-manifest-digest in two spellings', () => {
    const json = `{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:${hex}","Docker-Manifest-Digest":"${otherDigest}"},"type":"cosign container image signature"},"optional":null}`;
    expect(() => toSimpleSigningPayload(text(json))).toThrow(claimMismatch);
    expect(() => toSimpleSigningPayload(text(json))).toThrow(
      'expected unambiguous keys in critical.image, got docker-manifest-digest and Docker-Manifest-Digest',
    );
  });

  it('refuses a key spelled with a character Go folds to ASCII (U+017F folds to s)', () => {
    const json = `{"critical":{"image":{"docker-manifest-digest":"sha256:${hex}","docker-manife\u017ft-digest":"${otherDigest}"},"type":"cosign container image signature"}}`;
    expect(() => toSimpleSigningPayload(text(json))).toThrow(claimMismatch);
  });

  it('refuses a statement with predicateType in two spellings', () => {
    const json = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${hex}"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","PredicateType":"https://cyclonedx.org/bom","predicate":{}}`;
    expect(() => toInTotoStatement('application/vnd.in-toto+json', text(json))).toThrow(claimMismatch);
  });

  it('refuses a subject with digest in two spellings', () => {
    const json = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${hex}"},"Digest":{"sha256":"${'0'.repeat(64)}"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`;
    expect(() => toInTotoStatement('application/vnd.in-toto+json', text(json))).toThrow(claimMismatch);
  });

  it("keeps digest algorithms exact, as Go's map does", () => {
    const json = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${hex}","SHA256":"x"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`;
    expect(toInTotoStatement('application/vnd.in-toto+json', text(json)).subject[0]?.digest).toEqual({
      sha256: hex,
      SHA256: 'x',
    });
  });

  it('leaves the free-form predicate alone', () => {
    const json = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${hex}"}}],"predicateType":"https://cyclonedx.org/bom","predicate":{"PATH":"a","path":"b"}}`;
    expect(toInTotoStatement('application/vnd.in-toto+json', text(json)).predicate).toEqual({ PATH: 'a', path: 'b' });
  });
});

describe('verifyStatementSubject / toInTotoStatement', () => {
  const hex = 'a'.repeat(64);
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'x', digest: { sha512: 'b'.repeat(128) } }, { digest: { sha256: hex } }],
    predicateType: 'https://slsa.dev/provenance/v0.2',
    predicate: {},
  };

  it('accepts a statement with a matching sha256 subject', () => {
    const decoded = toInTotoStatement('application/vnd.in-toto+json', encode(statement));
    expect(() => verifyStatementSubject(decoded, `sha256:${hex}`)).not.toThrow();
  });

  it('rejects a statement without that subject', () => {
    const decoded = toInTotoStatement('application/vnd.in-toto+json', encode(statement));
    expect(() => verifyStatementSubject(decoded, otherDigest)).toThrow(claimMismatch);
  });

  it('rejects another DSSE payloadType', () => {
    expect(() => toInTotoStatement('text/plain', encode(statement))).toThrow(claimMismatch);
  });

  it.each([
    ['an array', [statement]],
    ['a number', 1],
    ['no subject', { ...statement, subject: [] }],
    ['no predicateType', { ...statement, predicateType: undefined }],
  ])('refuses to decode %s', (_name, value) => {
    expect(() => toInTotoStatement('application/vnd.in-toto+json', encode(value))).toThrow(claimMismatch);
  });
});

describe('isImageSignature', () => {
  const location = { repository: 'r', via: 'tag', manifestDigest: otherDigest, layerIndex: 0 } as const;
  const signer = { identity: 'i', extensions: {}, notBefore: '', notAfter: '' };
  const legacy = (format: 'legacy-sig' | 'legacy-att'): Evidence => ({
    format,
    location,
    mediaType: '',
    annotations: {},
    payload: new Uint8Array(),
    layerDigest: otherDigest,
  });
  const bundle: Evidence = { format: 'bundle', location, bundle: {}, annotations: {} };
  const inToto = (predicateType: string): VerifiedContent => ({
    type: 'in-toto',
    bytes: new Uint8Array(),
    statement: { _type: 't', subject: [], predicateType },
  });
  const simple: VerifiedContent = {
    type: 'simple-signing',
    bytes: new Uint8Array(),
    payload: { critical: { image: { 'docker-manifest-digest': '' }, type: '' } },
  };
  const verified = (evidence: Evidence, content: VerifiedContent): VerifiedEvidence => ({
    evidence,
    content,
    signer,
    tlogEntries: [],
    verifiedTimes: [],
  });

  it.each<[string, VerifiedEvidence, boolean]>([
    ['a legacy .sig layer', verified(legacy('legacy-sig'), simple), true],
    ['a cosign sign/v1 bundle', verified(bundle, inToto('https://sigstore.dev/cosign/sign/v1')), true],
    ['an SBOM bundle', verified(bundle, inToto('https://cyclonedx.org/bom')), false],
    [
      'SLSA provenance in a .att layer',
      verified(legacy('legacy-att'), inToto('https://slsa.dev/provenance/v0.2')),
      false,
    ],
  ])('%s → %s', (_name, value, expected) => {
    expect(isImageSignature(value)).toBe(expected);
  });
});
