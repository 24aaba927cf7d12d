import type { CheckResult } from '../model/check-result.js';
import type { Digest } from '../model/digest.js';
import type { IdentityPolicy, VerifiedEvidence } from '../model/evidence.js';
import { SignerMismatchError, toSourceClaims, verifySigner, type SignerPolicy } from '../sigstore/signer-binding.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  isImageSignature,
  verifySimpleSigningClaim,
  verifyStatementSubject,
} from '../sigstore/claims.js';
import { describeError, VerificationError } from '../errors.js';
import { legacyTag } from '../discover/legacy-tags.js';
import { claimedPredicateType, describeLocation, verifiedPredicateType, type EvidenceOutcome } from './outcome.js';
import { CHECK_TITLES, checkResult, type Check } from './check.js';

export interface SignatureCheckInput {
  outcomes: readonly EvidenceOutcome[];
  /** Identity as given, plus the project and ref the certificate must be bound to. */
  policy: SignerPolicy;
  digest: Digest;
  /** Every place discovery looked (evidence of a "nothing found" result). */
  searched: string[];
  /** The repositories discovery searched, for the one-line reason. */
  repositories: string[];
}

/**
 * The `signature` check: passes when at least one image signature verifies with the required identity and issuer,
 * with a certificate issued to a build of the project at the bound ref, and claims the digest. Image signatures are
 * legacy `.sig` layers and bundles whose statement is a cosign sign/v1 statement — never another attestation
 * (cosign v3 lets an SBOM attestation satisfy `cosign verify`).
 */
export function evaluateSignature(input: SignatureCheckInput): CheckResult {
  const candidates = input.outcomes.filter(isSignatureCandidate);
  const passed: VerifiedEvidence[] = [];
  const identityMismatches: VerifiedEvidence[] = [];
  const bindingMismatches: { verified: VerifiedEvidence; reason: string }[] = [];
  const claimMismatches: string[] = [];
  const cryptoFailures: string[] = [];

  for (const outcome of candidates) {
    if (!outcome.verified) {
      cryptoFailures.push(`${describeLocation(outcome.evidence)}: ${describeError(outcome.error)}`);
      continue;
    }
    try {
      verifySigner(outcome.verified.signer, input.policy);
    } catch (error) {
      // Only a mismatch is a result; a bad policy (e.g. an invalid regexp) is the caller's error.
      if (!(error instanceof SignerMismatchError)) throw error;
      if (error.aspect === 'identity') identityMismatches.push(outcome.verified);
      else bindingMismatches.push({ verified: outcome.verified, reason: error.message });
      continue;
    }
    try {
      verifyDigestClaim(outcome.verified, input.digest);
      passed.push(outcome.verified);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      claimMismatches.push(describeError(error));
    }
  }

  if (passed.length > 0) {
    const first = passed[0]!;
    return result('pass', `verified ${count(passed.length, 'signature')} by ${first.signer.identity}`, {
      signatures: passed.map(describeSignature),
      binding: describeBinding(input.policy),
    });
  }
  if (candidates.length === 0) {
    const others = input.outcomes.map(
      (o) => verifiedPredicateType(o) ?? claimedPredicateType(o.evidence) ?? 'unknown type',
    );
    const reason =
      others.length > 0
        ? `no image signature found: ${count(others.length, 'attestation')} (${[...new Set(others)].join(', ')}) found, which do not count as image signatures`
        : `no signatures found: looked for ${legacyTag(input.digest, 'sig')}, .att and bundle referrers in ${input.repositories.join(', ')}`;
    return result('fail', reason, { searched: input.searched });
  }
  // A signer with the right identity but for another project or ref is the more telling reason.
  if (bindingMismatches.length > 0) {
    const reasons = [...new Set(bindingMismatches.map((m) => m.reason))];
    const reason = `${count(bindingMismatches.length, 'signature')} by the expected identity verified but not for this release: ${reasons.join('; ')}`;
    return result('fail', reason, {
      mismatchedSigners: bindingMismatches.map((m) => describeSignature(m.verified)),
      binding: describeBinding(input.policy),
    });
  }
  if (identityMismatches.length > 0) {
    const seen = [
      ...new Set(identityMismatches.map((v) => `${v.signer.identity} (issuer ${v.signer.issuer ?? 'none'})`)),
    ];
    const reason = `${count(identityMismatches.length, 'signature')} verified but none matched the expected identity ${describePolicy(input.policy.identity)}; the certificates say ${seen.join(', ')} (--certificate-identity or --certificate-identity-regexp sets the identity)`;
    return result('fail', reason, { mismatchedSigners: identityMismatches.map(describeSignature) });
  }
  if (claimMismatches.length > 0) {
    return result('fail', `signature is not for this digest: ${claimMismatches[0]}`, {
      claimMismatches,
    });
  }
  return result('fail', `signature did not verify: ${cryptoFailures[0]}`, {
    failures: cryptoFailures,
  });
}

function isSignatureCandidate(outcome: EvidenceOutcome): boolean {
  if (outcome.evidence.format === 'legacy-sig') return true;
  if (outcome.verified) return isImageSignature(outcome.verified);
  // Unverified bundles: classify by the (untrusted) annotation only to pick the most useful failure reason.
  const claimed = claimedPredicateType(outcome.evidence);
  return outcome.evidence.format === 'bundle' && (claimed === undefined || claimed === COSIGN_SIGN_PREDICATE_TYPE);
}

function verifyDigestClaim(verified: VerifiedEvidence, digest: Digest): void {
  if (verified.content.type === 'simple-signing') verifySimpleSigningClaim(verified.content.payload, digest);
  else verifyStatementSubject(verified.content.statement, digest);
}

/** The facts a user wants about a signature: who, which log entry, when, where it was found and in which format. */
function describeSignature(verified: VerifiedEvidence): Record<string, unknown> {
  const entry = verified.tlogEntries[0];
  const source = toSourceClaims(verified.signer);
  return {
    identity: verified.signer.identity,
    issuer: verified.signer.issuer ?? null,
    sourceRepository: source.repository,
    sourceRef: source.ref,
    logIndex: entry?.logIndex ?? null,
    integratedTime: entry?.integratedTime !== undefined ? new Date(entry.integratedTime * 1000).toISOString() : null,
    repository: verified.evidence.location.repository,
    format: verified.evidence.format,
    extensions: verified.signer.extensions,
  };
}

/** What every accepted certificate was bound to: the project, and the ref (`null`: not bound, and why). */
export function describeBinding(policy: SignerPolicy): Record<string, unknown> {
  return { repository: policy.repository, ref: policy.ref };
}

function describePolicy(policy: IdentityPolicy): string {
  const identity = policy.identity ?? `~${policy.identityRegexp ?? ''}`;
  const issuer = policy.issuer ?? `~${policy.issuerRegexp ?? ''}`;
  return `${identity} (issuer ${issuer})`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function result(status: 'pass' | 'fail', reason: string, evidence: Record<string, unknown>): CheckResult {
  return checkResult('signature', status, reason, evidence);
}

export const signatureCheck: Check = {
  id: 'signature',
  title: CHECK_TITLES.signature,
  run: ({ outcomes, expectations, target, discovery }) =>
    Promise.resolve(
      evaluateSignature({
        outcomes,
        policy: expectations.signature,
        digest: target.digest,
        searched: discovery.searched,
        repositories: discovery.repositories,
      }),
    ),
};
