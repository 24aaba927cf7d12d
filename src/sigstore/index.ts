/**
 * The public Sigstore API of verify-release: trusted roots, bundle and legacy-layer verification, the one-stop
 * `verifyEvidence`, and the identity and claim checks callers combine with it.
 */
export { embeddedTrustRoot, loadTrustRoot, trustRootFromJson, type TrustRoot } from './trust.js';
export { verifySigstoreBundle, type ArtifactInput, type BundleVerification } from './bundle/index.js';
export { toSignerInfo } from './certificate.js';
export { verifyIdentity } from './identity.js';
export {
  SignerMismatchError,
  toSourceClaims,
  verifySigner,
  verifySourceRef,
  verifySourceRepository,
  type SignerPolicy,
  type SourceClaims,
} from './signer-binding.js';
export { verifyEvidence } from './verify-evidence.js';
export { verifyLegacyLayer, LEGACY_MEDIA_TYPES } from './legacy/verify-layer.js';
export { toLegacyBundle, LEGACY_BUNDLE_MEDIA_TYPE, type LegacyBundle } from './legacy/to-bundle.js';
export {
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  SIMPLE_SIGNING_TYPE,
  isImageSignature,
  toInTotoStatement,
  toSimpleSigningPayload,
  verifySimpleSigningClaim,
  verifyStatementSubject,
} from './claims.js';
