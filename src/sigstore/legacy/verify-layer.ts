import { verificationError } from '../../errors.js';
import { sha256Digest } from '../../model/digest.js';
import type { LegacyLayerEvidence } from '../../model/evidence.js';
import { verifySigstoreBundle, type BundleVerification } from '../bundle/index.js';
import type { TrustRoot } from '../trust.js';
import { kindVersionOf, verifyBodyBinding } from './body-binding.js';
import { OWN_TLOG_KINDS, verifyWithOwnTlogCheck } from './own-tlog.js';
import { toLegacyBundle } from './to-bundle.js';
import { toLegacyTrustMaterial } from './trust-material.js';

/** Layer media types cosign writes (`pkg/types/media.go`). */
export const LEGACY_MEDIA_TYPES: Record<LegacyLayerEvidence['format'], string> = {
  'legacy-sig': 'application/vnd.dev.cosign.simplesigning.v1+json',
  'legacy-att': 'application/vnd.dsse.envelope.v1+json',
};

/**
 * Verifies the Sigstore cryptography of one cosign legacy `.sig`/`.att` layer: converts it to a v0.1 bundle,
 * checks the Rekor body against the layer as cosign's `VerifyBundle` does, then verifies the bundle (chain and SCT
 * at integratedTime, SET, RFC3161 timestamps, signature). Identity and digest claims are the caller's job.
 *
 * @throws VerificationError with the code of the first failed step.
 */
export function verifyLegacyLayer(layer: LegacyLayerEvidence, trust: TrustRoot): BundleVerification {
  const expectedMediaType = LEGACY_MEDIA_TYPES[layer.format];
  if (layer.mediaType !== expectedMediaType) {
    throw verificationError('BUNDLE_INVALID', `expected layer media type ${expectedMediaType}, got ${layer.mediaType}`);
  }
  // The layer bytes are what everything below is bound to, so their digest is checked again here.
  const actual = sha256Digest(layer.payload);
  if (actual !== layer.layerDigest) {
    throw verificationError('DIGEST_MISMATCH', `expected layer digest ${layer.layerDigest}, got ${actual}`);
  }
  const legacy = toLegacyBundle(layer);
  verifyBodyBinding(layer, legacy);
  if (OWN_TLOG_KINDS.includes(kindVersionOf(legacy.body))) {
    return verifyWithOwnTlogCheck(layer, legacy, toLegacyTrustMaterial(trust));
  }
  const artifact = layer.format === 'legacy-sig' ? { artifact: { bytes: layer.payload } } : {};
  return verifySigstoreBundle(legacy.bundle, trust, artifact);
}
