import { describe, expect, it } from 'vitest';
import type { LegacyLayerEvidence } from '../../../../src/model/evidence.js';
import { ANNOTATION } from '../../../../src/sigstore/legacy/annotations.js';
import { toRekorBundle, type RekorBundle } from '../../../../src/sigstore/legacy/rekor-bundle.js';
import { verifyLegacySET } from '../../../../src/sigstore/legacy/set.js';
import { toLegacyTrustMaterial } from '../../../../src/sigstore/legacy/trust-material.js';
import { trustRootFromJson } from '../../../../src/sigstore/trust.js';
import { loadCases, readCaseLayers, readCorpusJson } from '../../../support/oci-layout.js';

const cases = loadCases();
const publicGood = toLegacyTrustMaterial(
  trustRootFromJson(readCorpusJson('trusted-roots/public-good.trusted_root.json'), 'file'),
);
const staging = toLegacyTrustMaterial(
  trustRootFromJson(readCorpusJson('trusted-roots/staging.trusted_root.json'), 'file'),
);

function rekorOf(id: string): RekorBundle {
  const testCase = cases.find((c) => c.id === id);
  if (!testCase) throw new Error(`missing case ${id}`);
  const [layer] = readCaseLayers(testCase) as [LegacyLayerEvidence];
  return toRekorBundle(layer.annotations[ANNOTATION.bundle] ?? '');
}

function flipBit(base64: string, byte: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('verifyLegacySET', () => {
  const v140 = rekorOf('slsa-verifier/generator_container_slsa3/v1.4.0');
  const v210 = rekorOf('slsa-verifier/generator_container_slsa3/v2.1.0');

  it.each([
    ['intoto 0.0.1', v140],
    ['dsse 0.0.1', v210],
  ])('verifies the real %s SET under the public-good root', (_kind, rekor) => {
    expect(() => verifyLegacySET(rekor, publicGood.tlogs)).not.toThrow();
  });

  it.each<[string, (r: RekorBundle) => RekorBundle]>([
    ['a flipped SET bit', (r) => ({ ...r, SignedEntryTimestamp: flipBit(r.SignedEntryTimestamp, 20) })],
    ['integratedTime + 1', (r) => ({ ...r, Payload: { ...r.Payload, integratedTime: r.Payload.integratedTime + 1 } })],
    ['logIndex - 1', (r) => ({ ...r, Payload: { ...r.Payload, logIndex: r.Payload.logIndex - 1 } })],
    ['a flipped body bit', (r) => ({ ...r, Payload: { ...r.Payload, body: flipBit(r.Payload.body, 40) } })],
    ['an unknown logID', (r) => ({ ...r, Payload: { ...r.Payload, logID: '00'.repeat(32) } })],
  ])('rejects %s with TLOG_ERROR', (_name, mutate) => {
    expect(() => verifyLegacySET(mutate(v140), publicGood.tlogs)).toThrow(
      expect.objectContaining({ code: 'TLOG_ERROR' }),
    );
  });

  it('rejects under another instance (staging) root', () => {
    expect(() => verifyLegacySET(v210, staging.tlogs)).toThrow(expect.objectContaining({ code: 'TLOG_ERROR' }));
  });

  it('rejects when the log key is not valid at integratedTime', () => {
    const late = publicGood.tlogs.map((tlog) => ({
      ...tlog,
      validFor: { start: new Date('2030-01-01'), end: tlog.validFor.end },
    }));
    expect(() => verifyLegacySET(v140, late)).toThrow(expect.objectContaining({ code: 'TLOG_ERROR' }));
  });

  it('accepts a key whose validFor ends exactly at integratedTime (closed interval)', () => {
    const end = new Date(v140.Payload.integratedTime * 1000);
    const exact = publicGood.tlogs.map((tlog) => ({ ...tlog, validFor: { start: tlog.validFor.start, end } }));
    expect(() => verifyLegacySET(v140, exact)).not.toThrow();
  });
});
