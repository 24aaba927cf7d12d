import { verificationError, VerificationError } from '../errors.js';
import type { Evidence, VerifiedContent, VerifiedEvidence } from '../model/evidence.js';
import { verifySigstoreBundle, type BundleVerification } from './bundle/index.js';
import { toInTotoStatement, toSimpleSigningPayload } from './claims.js';
import { verifyLegacyLayer } from './legacy/verify-layer.js';
import type { TrustRoot } from './trust.js';

/**
 * Verifies the Sigstore cryptography of one piece of evidence, whatever its format: a legacy `.sig` layer, a legacy
 * `.att` layer or a bundle referrer. Certificate chain and SCT at the verified time, transparency log (SET or
 * inclusion proof), timestamps and signature are checked; the signed content is decoded.
 *
 * Identity and digest are NOT checked here: callers combine `verifyIdentity(result.signer, policy)` with
 * `verifySimpleSigningClaim` / `verifyStatementSubject`, so one verification can be reported against several policies.
 *
 * @throws VerificationError with the code of the first step that failed (never returns an unverified result).
 */
export function verifyEvidence(evidence: Evidence, trust: TrustRoot): VerifiedEvidence {
  let verification: BundleVerification;
  try {
    verification =
      evidence.format === 'bundle'
        ? verifySigstoreBundle(evidence.bundle, trust, {})
        : verifyLegacyLayer(evidence, trust);
  } catch (error) {
    throw withTrustedRootHint(error, trust);
  }
  if (!verification.signer) {
    // Keyless only: a managed-key bundle has no identity to check against a policy.
    throw verificationError('CERTIFICATE_ERROR', 'expected a Fulcio certificate, got a public key');
  }
  if (verification.verifiedTimes.length === 0) {
    throw verificationError('TIMESTAMP_ERROR', 'expected at least one verified time, got none');
  }
  return {
    evidence,
    signer: verification.signer,
    content: toContent(evidence, verification),
    tlogEntries: verification.tlogEntries,
    verifiedTimes: verification.verifiedTimes,
  };
}

/**
 * A certificate that does not chain to the public-good root was most likely issued by another Sigstore instance
 * (a private Fulcio, or a test one): its trusted root is what `--trusted-root` takes.
 */
function withTrustedRootHint(error: unknown, trust: TrustRoot): unknown {
  if (trust.source === 'file' || !(error instanceof VerificationError) || error.code !== 'CERTIFICATE_ERROR') {
    return error;
  }
  if (!/certificate chain/i.test(error.message)) return error;
  return new VerificationError(
    error.code,
    `${error.message}; the trusted root was Sigstore's public-good one: for another Sigstore instance, pass its root with --trusted-root`,
    { cause: error },
  );
}

/** Decodes what was signed: the `.sig` layer bytes themselves, or the payload of the verified DSSE envelope. */
function toContent(evidence: Evidence, verification: BundleVerification): VerifiedContent {
  if (evidence.format === 'legacy-sig') {
    return { type: 'simple-signing', payload: toSimpleSigningPayload(evidence.payload), bytes: evidence.payload };
  }
  if (!verification.dsse) {
    throw verificationError(
      'BUNDLE_INVALID',
      `expected a DSSE envelope in ${evidence.format} evidence, got a message signature`,
    );
  }
  const { payloadType, payload } = verification.dsse;
  return { type: 'in-toto', statement: toInTotoStatement(payloadType, payload), bytes: payload };
}
