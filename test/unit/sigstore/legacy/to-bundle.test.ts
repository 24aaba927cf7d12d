import { bundleFromJSON } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { ANNOTATION } from '../../../../src/sigstore/legacy/annotations.js';
import { LEGACY_BUNDLE_MEDIA_TYPE, toLegacyBundle } from '../../../../src/sigstore/legacy/to-bundle.js';
import type { LegacyLayerEvidence } from '../../../../src/model/evidence.js';
import { loadCases, readCaseLayers } from '../../../support/oci-layout.js';

const cases = loadCases();

function layerOf(id: string): LegacyLayerEvidence {
  const testCase = cases.find((c) => c.id === id);
  if (!testCase) throw new Error(`missing case ${id}`);
  const [layer] = readCaseLayers(testCase);
  if (!layer) throw new Error(`no layer in ${id}`);
  return layer;
}

function withAnnotations(layer: LegacyLayerEvidence, change: Record<string, string | undefined>): LegacyLayerEvidence {
  const annotations = { ...layer.annotations };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
  }
  return { ...layer, annotations };
}

describe('toLegacyBundle', () => {
  const dsseLayer = layerOf('slsa-verifier/generator_container_slsa3/v2.1.0');
  const intotoLayer = layerOf('slsa-verifier/generator_container_slsa3/v1.4.0');

  it('converts a .att layer into a v0.1 DSSE bundle that @sigstore/bundle accepts', () => {
    const { bundle, body } = toLegacyBundle(dsseLayer);
    expect(bundle.mediaType).toBe(LEGACY_BUNDLE_MEDIA_TYPE);
    expect(body.kind).toBe('dsse');
    const parsed = bundleFromJSON(bundle);
    expect(parsed.content.$case).toBe('dsseEnvelope');
    const [entry] = parsed.verificationMaterial.tlogEntries;
    // logId is the hex logID of the annotation, re-encoded as bytes.
    expect(entry?.logId.keyId.toString('hex')).toBe('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d');
    expect(entry?.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(entry?.inclusionPromise).toBeDefined();
    expect(entry?.inclusionProof).toBeUndefined();
  });

  it('reads kindVersion from the decoded body (intoto 0.0.1)', () => {
    const { body, envelope } = toLegacyBundle(intotoLayer);
    expect(`${body.kind}/${body.apiVersion}`).toBe('intoto/0.0.1');
    expect(envelope?.payloadType).toBe('application/vnd.in-toto+json');
  });

  it('keeps only the leaf certificate: the chain annotation is ignored', () => {
    const { bundle } = toLegacyBundle(withAnnotations(dsseLayer, { [ANNOTATION.chain]: 'garbage' }));
    const parsed = bundleFromJSON(bundle);
    const content = parsed.verificationMaterial.content;
    expect(content.$case === 'x509CertificateChain' && content.x509CertificateChain.certificates.length).toBe(1);
  });

  it('converts a .sig layer into a message signature over sha256 of the layer bytes', () => {
    const sig: LegacyLayerEvidence = {
      ...dsseLayer,
      format: 'legacy-sig',
      annotations: { ...dsseLayer.annotations, [ANNOTATION.signature]: 'AAAA' },
    };
    const parsed = bundleFromJSON(toLegacyBundle(sig).bundle);
    expect(parsed.content.$case).toBe('messageSignature');
  });

  it.each([
    ['missing certificate', { [ANNOTATION.certificate]: undefined }],
    [
      'two certificates',
      {
        [ANNOTATION.certificate]: `${dsseLayer.annotations[ANNOTATION.certificate]}\n${dsseLayer.annotations[ANNOTATION.certificate]}`,
      },
    ],
    ['missing Rekor bundle', { [ANNOTATION.bundle]: undefined }],
    ['Rekor bundle not JSON', { [ANNOTATION.bundle]: '{' }],
    [
      'Rekor bundle without SET',
      {
        [ANNOTATION.bundle]: JSON.stringify({
          Payload: JSON.parse(dsseLayer.annotations[ANNOTATION.bundle] ?? '{}').Payload,
        }),
      },
    ],
    [
      'logID not hex',
      { [ANNOTATION.bundle]: dsseLayer.annotations[ANNOTATION.bundle]?.replace('"logID":"c0', '"logID":"zz') },
    ],
    ['missing signature annotation', { [ANNOTATION.signature]: undefined }],
    ['non-empty signature on .att', { [ANNOTATION.signature]: 'AAAA' }],
    ['malformed rfc3161 annotation', { [ANNOTATION.rfc3161]: '{"x":1}' }],
  ])('rejects %s with BUNDLE_INVALID', (_name, change) => {
    expect(() => toLegacyBundle(withAnnotations(dsseLayer, change))).toThrow(
      expect.objectContaining({ code: 'BUNDLE_INVALID' }),
    );
  });

  it('rejects a .att layer that is not a DSSE envelope', () => {
    const layer = { ...dsseLayer, payload: new TextEncoder().encode('[1,2]') };
    expect(() => toLegacyBundle(layer)).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
  });
});
