import type { Digest } from '../model/digest.js';
import type { VerifiedEvidence } from '../model/evidence.js';
import { verifySigner, type SignerPolicy } from '../sigstore/signer-binding.js';
import { verifyStatementSubject } from '../sigstore/claims.js';
import { describeError, VerificationError } from '../errors.js';
import { claimedPredicateType, describeLocation, verifiedPredicateType, type EvidenceOutcome } from './outcome.js';

export interface Selection {
  /** Verified statements of the wanted types, signed by the wanted identity, about the digest. */
  accepted: VerifiedEvidence[];
  /** Why each other candidate of the wanted types was not accepted. */
  rejected: string[];
}

/**
 * Picks the attestations a check may use, as cosign verify-attestation does: Sigstore crypto verified, identity
 * matched and bound to the project and ref, a subject bound to the digest, then filtered by predicate type.
 */
export function selectAttestations(
  outcomes: readonly EvidenceOutcome[],
  predicateTypes: readonly string[],
  signer: SignerPolicy,
  digest: Digest,
): Selection {
  const accepted: VerifiedEvidence[] = [];
  const rejected: string[] = [];
  for (const outcome of outcomes) {
    const type =
      verifiedPredicateType(outcome) ?? (outcome.verified ? undefined : claimedPredicateType(outcome.evidence));
    if (type === undefined || !predicateTypes.includes(type)) continue;
    const where = describeLocation(outcome.evidence);
    if (!outcome.verified) {
      rejected.push(`${where}: ${describeError(outcome.error)}`);
      continue;
    }
    try {
      verifySigner(outcome.verified.signer, signer);
      if (outcome.verified.content.type === 'in-toto')
        verifyStatementSubject(outcome.verified.content.statement, digest);
      accepted.push(outcome.verified);
    } catch (error) {
      // Only a mismatch is a result; a bad policy (e.g. an invalid regexp) is the caller's error.
      if (!(error instanceof VerificationError)) throw error;
      rejected.push(
        `${where}: ${describeError(error)}${error.code === 'IDENTITY_MISMATCH' ? identityFlag(signer) : ''}`,
      );
    }
  }
  return { accepted, rejected };
}

/** The flag that sets the identity a signer must have: provenance is signed by its builder. */
function identityFlag(signer: SignerPolicy): string {
  return signer.builder
    ? ' (--builder-id sets the trusted builder)'
    : ' (--certificate-identity or --certificate-identity-regexp sets the identity)';
}

/** A one-line reason for "nothing usable": what was rejected and why, or that nothing was found. */
export function describeNothingAccepted(kind: string, selection: Selection): string {
  if (selection.rejected.length === 0) return `no ${kind} attestation found`;
  const more = selection.rejected.length > 1 ? ` (and ${selection.rejected.length - 1} more)` : '';
  return `no usable ${kind} attestation: ${selection.rejected[0]}${more}`;
}
