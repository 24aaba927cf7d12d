import { describe, expect, it } from 'vitest';
import type { LegacyLayerEvidence } from '../../../../src/model/evidence.js';
import { ANNOTATION } from '../../../../src/sigstore/legacy/annotations.js';
import { verifyWithOwnTlogCheck } from '../../../../src/sigstore/legacy/own-tlog.js';
import { toLegacyBundle } from '../../../../src/sigstore/legacy/to-bundle.js';
import { toLegacyTrustMaterial } from '../../../../src/sigstore/legacy/trust-material.js';
import { trustRootFromJson } from '../../../../src/sigstore/trust.js';
import { loadCases, readCaseLayers, readCorpusJson } from '../../../support/oci-layout.js';

const cases = loadCases();
const material = toLegacyTrustMaterial(
  trustRootFromJson(readCorpusJson('trusted-roots/public-good.trusted_root.json'), 'file'),
);

function layerOf(id: string): LegacyLayerEvidence {
  const testCase = cases.find((c) => c.id === id);
  if (!testCase) throw new Error(`missing case ${id}`);
  return readCaseLayers(testCase)[0] as LegacyLayerEvidence;
}

// These call the intoto 0.0.1 path directly, without the body binding that runs before it in verifyLegacyLayer,
// to show that the library steps (chain, SCT, DSSE signature) really run with the tlog step disabled.
describe('verifyWithOwnTlogCheck (intoto 0.0.1)', () => {
  const layer = layerOf('slsa-verifier/generator_container_slsa3/v1.6.0');

  it('verifies a real layer whose 10-minute certificate expired years ago: time is the SET integratedTime', () => {
    const result = verifyWithOwnTlogCheck(layer, toLegacyBundle(layer), material);
    expect(result.verifiedTimes).toHaveLength(1);
    expect(Date.parse(result.signer?.notAfter ?? '')).toBeLessThan(Date.now());
    expect(result.dsse?.payloadType).toBe('application/vnd.in-toto+json');
  });

  it('rejects a DSSE signature that does not verify (SIGNATURE_ERROR)', () => {
    const legacy = toLegacyBundle(layer);
    const envelope = legacy.bundle.dsseEnvelope as { signatures: { sig: string }[] };
    const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
    sig[sig.length - 5] = (sig[sig.length - 5] ?? 0) ^ 1;
    envelope.signatures[0] = { sig: sig.toString('base64') };
    expect(() => verifyWithOwnTlogCheck(layer, legacy, material)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_ERROR' }),
    );
  });

  it('rejects another real certificate (not valid at integratedTime, wrong key)', () => {
    const other = layerOf('slsa-verifier/generator_container_slsa3/v1.7.0');
    const swapped = {
      ...layer,
      annotations: { ...layer.annotations, [ANNOTATION.certificate]: other.annotations[ANNOTATION.certificate] ?? '' },
    };
    expect(() => verifyWithOwnTlogCheck(swapped, toLegacyBundle(swapped), material)).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_ERROR' }),
    );
  });

  it('rejects when no CA of the root is valid at integratedTime (chain checked at that time, not now)', () => {
    const late = {
      ...material,
      certificateAuthorities: material.certificateAuthorities.map((ca) => ({
        ...ca,
        validFor: { start: new Date('2024-01-01'), end: ca.validFor.end },
      })),
    };
    expect(() => verifyWithOwnTlogCheck(layer, toLegacyBundle(layer), late)).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_ERROR' }),
    );
  });

  it('rejects a root without CT logs (SCT_ERROR)', () => {
    const noCt = { ...material, ctlogs: [] };
    expect(() => verifyWithOwnTlogCheck(layer, toLegacyBundle(layer), noCt)).toThrow(
      expect.objectContaining({ code: 'SCT_ERROR' }),
    );
  });

  it('rejects a root without the Rekor key (TLOG_ERROR)', () => {
    expect(() => verifyWithOwnTlogCheck(layer, toLegacyBundle(layer), { ...material, tlogs: [] })).toThrow(
      expect.objectContaining({ code: 'TLOG_ERROR' }),
    );
  });

  it('refuses a kind sigstore-js handles itself', () => {
    const dsse = layerOf('slsa-verifier/generator_container_slsa3/v2.1.0');
    expect(() => verifyWithOwnTlogCheck(dsse, toLegacyBundle(dsse), material)).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});
