import type { Evidence, VerifiedEvidence } from '../model/evidence.js';
import type { VerifyReleaseError } from '../errors.js';

/** The result of verifying one piece of evidence's Sigstore cryptography: verified, or the first reason it did not. */
export type EvidenceOutcome =
  | { evidence: Evidence; verified: VerifiedEvidence; error?: undefined }
  | { evidence: Evidence; verified?: undefined; error: VerifyReleaseError };

/** Short human name of where a piece of evidence was found, e.g. `ghcr.io/o/r:sha256-….sig layer 0`. */
export function describeLocation(evidence: Evidence): string {
  const { location } = evidence;
  if (location.via === 'tag') return `${location.repository}:${location.tag} layer ${location.layerIndex}`;
  return `${location.repository}@${location.manifestDigest} (referrer)`;
}

/** The predicate type a piece of evidence claims before verification (for reasons only, never for decisions). */
export function claimedPredicateType(evidence: Evidence): string | undefined {
  if (evidence.format === 'legacy-sig') return undefined;
  if (evidence.format === 'legacy-att') return evidence.annotations.predicateType;
  return evidence.annotations['dev.sigstore.bundle.predicateType'];
}

/** The verified predicate type of an outcome, if it verified and is an in-toto statement. */
export function verifiedPredicateType(outcome: EvidenceOutcome): string | undefined {
  return outcome.verified?.content.type === 'in-toto' ? outcome.verified.content.statement.predicateType : undefined;
}
