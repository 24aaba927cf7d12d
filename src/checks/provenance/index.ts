import type { CheckResult } from '../../model/check-result.js';
import type { VerifiedEvidence } from '../../model/evidence.js';
import { describeError } from '../../errors.js';
import { verifyProvenanceCandidate, type AcceptedProvenance, type ProvenanceOptions } from './candidate.js';
import { SLSA_PROVENANCE_TYPES } from './decode/provenance.js';
import { PROVENANCE_SENTINELS } from './errors.js';
import { toGitUriAndRef } from './git-ref.js';
import { toGoSemver } from './versioned-tag.js';
import { CHECK_TITLES, checkResult, oncePerContext, type Check } from '../check.js';
import { describeNothingAccepted, selectAttestations } from '../select.js';
import { toSourceClaims } from '../../sigstore/signer-binding.js';

export type { ProvenanceOptions } from './candidate.js';
export { ProvenanceRuleError, PROVENANCE_SENTINELS, type ProvenanceSentinel } from './errors.js';
export { SLSA_PROVENANCE_TYPES, SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1 } from './decode/provenance.js';

function result(status: CheckResult['status'], reason: string, evidence: Record<string, unknown>): CheckResult {
  return checkResult('provenance', status, reason, evidence);
}

/** Candidates that are SLSA provenance statements (v0.2 or v1). */
export function isProvenanceCandidate(candidate: VerifiedEvidence): boolean {
  return (
    candidate.content.type === 'in-toto' && SLSA_PROVENANCE_TYPES.includes(candidate.content.statement.predicateType)
  );
}

// Option errors make the check unable to run (status `error`), the same for every candidate.
function optionsProblem(options: ProvenanceOptions): string | undefined {
  if (options.sourceTag !== undefined && options.sourceVersionedTag !== undefined) {
    return 'expected at most one of sourceTag and sourceVersionedTag, got both';
  }
  if (options.sourceVersionedTag !== undefined && !toGoSemver(options.sourceVersionedTag)) {
    return `${PROVENANCE_SENTINELS.invalidSemver}: expected a version like v1.2.3, got ${JSON.stringify(options.sourceVersionedTag)}`;
  }
  return undefined;
}

function passEvidence(candidate: VerifiedEvidence, accepted: AcceptedProvenance): Record<string, unknown> {
  const { provenance, identity } = accepted;
  return {
    builderId: accepted.builderId,
    sourceRepository: identity.sourceRepository,
    ref: toGitUriAndRef(provenance.triggerUri).ref,
    certificateRef: toSourceClaims(candidate.signer, true).ref,
    commit: provenance.commit ?? identity.sourceSha1,
    buildType: provenance.buildType,
    predicateType: provenance.predicateType,
    logIndex: candidate.tlogEntries[0]?.logIndex,
    location: candidate.evidence.location,
  };
}

/**
 * The `provenance` check: what `slsa-verifier verify-image --source-uri … [--source-tag | --source-versioned-tag]
 * [--source-branch] [--builder-id]` decides, over crypto-verified evidence. The first SLSA provenance candidate
 * that passes every rule wins; otherwise the reason is the first candidate's error.
 */
export function evaluateProvenance(candidates: VerifiedEvidence[], options: ProvenanceOptions): CheckResult {
  return acceptProvenance(candidates, options).result;
}

/** Like evaluateProvenance, with the candidate that passed (whose statement `provenance` prints). */
function acceptProvenance(
  candidates: VerifiedEvidence[],
  options: ProvenanceOptions,
): { result: CheckResult; accepted?: VerifiedEvidence } {
  const problem = optionsProblem(options);
  if (problem !== undefined) return { result: result('error', problem, {}) };
  const provenance = candidates.filter(isProvenanceCandidate);
  if (provenance.length === 0) {
    return {
      result: result('fail', `${PROVENANCE_SENTINELS.noMatchingAttestations}: expected SLSA provenance, got none`, {
        candidates: candidates.length,
      }),
    };
  }
  const errors: string[] = [];
  for (const candidate of provenance) {
    try {
      const accepted = verifyProvenanceCandidate(candidate, options);
      const evidence = passEvidence(candidate, accepted);
      return {
        result: result(
          'pass',
          `built by ${accepted.builderId} from ${accepted.identity.sourceRepository} at ${String(evidence.ref)}`,
          evidence,
        ),
        accepted: candidate,
      };
    } catch (error) {
      // Fail closed: any error, expected or not, rejects this candidate only.
      errors.push(describeError(error));
    }
  }
  const others = errors.length > 1 ? ` (and ${errors.length - 1} other attestation(s) failed)` : '';
  return { result: result('fail', `${errors[0]}${others}`, { attestations: provenance.length, errors }) };
}

/**
 * The provenance the `provenance` check accepts in this context, with its result (the same selection the check
 * makes); `accepted` only when it passed.
 */
export const selectProvenance = oncePerContext(
  ({ outcomes, expectations, target }): { result: CheckResult; accepted?: VerifiedEvidence } => {
    const candidates = outcomes.flatMap((o) => (o.verified && isProvenanceCandidate(o.verified) ? [o.verified] : []));
    if (candidates.length === 0) {
      const selection = selectAttestations(
        outcomes,
        SLSA_PROVENANCE_TYPES,
        expectations.provenanceSigner,
        target.digest,
      );
      return { result: checkResult('provenance', 'fail', describeNothingAccepted('SLSA provenance', selection)) };
    }
    return acceptProvenance(candidates, { ...expectations.provenance, digest: target.digest });
  },
);

/** slsa-verifier's rules over the verified provenance candidates; without any, why none was usable. */
export const provenanceCheck: Check = {
  id: 'provenance',
  title: CHECK_TITLES.provenance,
  run: (context) => Promise.resolve(selectProvenance(context).result),
};
