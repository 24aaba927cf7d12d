import { describe, expect, it } from 'vitest';
import type { LegacyLayerEvidence } from '../../../../src/model/evidence.js';
import { ANNOTATION } from '../../../../src/sigstore/legacy/annotations.js';
import { verifyBodyBinding } from '../../../../src/sigstore/legacy/body-binding.js';
import { toLegacyBundle, type LegacyBundle } from '../../../../src/sigstore/legacy/to-bundle.js';
import { loadCases, readCaseLayers } from '../../../support/oci-layout.js';

const cases = loadCases();

function layerOf(id: string): LegacyLayerEvidence {
  const testCase = cases.find((c) => c.id === id);
  if (!testCase) throw new Error(`missing case ${id}`);
  return readCaseLayers(testCase)[0] as LegacyLayerEvidence;
}

function withBody(legacy: LegacyBundle, edit: (spec: Record<string, any>) => void): LegacyBundle {
  const body = structuredClone<LegacyBundle['body']>(legacy.body);
  edit(body.spec as Record<string, any>);
  return { ...legacy, body };
}

describe('verifyBodyBinding', () => {
  const intoto = layerOf('slsa-verifier/generator_container_slsa3/v1.9.0');
  const dsse = layerOf('slsa-verifier/generator_container_slsa3/v2.0.0');
  const otherCert = layerOf('slsa-verifier/generator_container_slsa3/v2.1.0').annotations[ANNOTATION.certificate] ?? '';

  it.each([
    ['intoto 0.0.1', intoto],
    ['dsse 0.0.1', dsse],
  ])('accepts the real %s layer', (_kind, layer) => {
    expect(() => verifyBodyBinding(layer, toLegacyBundle(layer))).not.toThrow();
  });

  it.each<[string, LegacyLayerEvidence, (spec: Record<string, any>) => void]>([
    ['intoto content.hash', intoto, (s) => (s.content.hash.value = '0'.repeat(64))],
    ['intoto payloadHash', intoto, (s) => (s.content.payloadHash.value = '0'.repeat(64))],
    ['intoto hash algorithm', intoto, (s) => (s.content.hash.algorithm = 'sha512')],
    ['intoto publicKey', intoto, (s) => (s.publicKey = Buffer.from(otherCert).toString('base64'))],
    ['intoto missing publicKey', intoto, (s) => delete s.publicKey],
    ['dsse envelopeHash', dsse, (s) => (s.envelopeHash.value = '0'.repeat(64))],
    ['dsse payloadHash', dsse, (s) => (s.payloadHash.value = '0'.repeat(64))],
    ['dsse verifier', dsse, (s) => (s.signatures[0].verifier = Buffer.from(otherCert).toString('base64'))],
    ['dsse signature', dsse, (s) => (s.signatures[0].signature = Buffer.from('not the signature').toString('base64'))],
    ['dsse two signatures', dsse, (s) => s.signatures.push(s.signatures[0])],
  ])('rejects a changed %s with TLOG_ERROR', (_name, layer, edit) => {
    expect(() => verifyBodyBinding(layer, withBody(toLegacyBundle(layer), edit))).toThrow(
      expect.objectContaining({ code: 'TLOG_ERROR' }),
    );
  });

  it('rejects a Rekor kind that does not fit the layer format', () => {
    const legacy = toLegacyBundle(dsse);
    const asSig: LegacyLayerEvidence = { ...dsse, format: 'legacy-sig' };
    expect(() => verifyBodyBinding(asSig, legacy)).toThrow(expect.objectContaining({ code: 'TLOG_ERROR' }));
    const intoto002 = { ...legacy, body: { ...legacy.body, kind: 'intoto', apiVersion: '0.0.2' } };
    expect(() => verifyBodyBinding(dsse, intoto002)).toThrow(expect.objectContaining({ code: 'TLOG_ERROR' }));
  });
});
