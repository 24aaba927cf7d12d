import type { CheckResult } from '../model/check-result.js';
import type { InTotoStatement } from '../model/evidence.js';
import { describeError, InternalError } from '../errors.js';
import { CHECK_TITLES, checkResult, type Check } from './check.js';
import { describeNothingAccepted, selectAttestations } from './select.js';
import { CUE_VERSION, MAX_VIOLATIONS, type PolicyEngine, type PolicyMode, type PolicySource } from '../policy/cue.js';
import type { PolicyViolation } from '../policy/errors.js';
import { policyDigest } from '../policy/source.js';
import { CYCLONEDX_PREDICATE_TYPE, SLSA_PROVENANCE_TYPES } from '../model/constants.js';

type PolicyCheckId = 'provenance-policy' | 'sbom-policy';

const KINDS: Record<PolicyCheckId, { kind: string; predicateTypes: readonly string[] }> = {
  'provenance-policy': { kind: 'provenance', predicateTypes: SLSA_PROVENANCE_TYPES },
  'sbom-policy': { kind: 'SBOM', predicateTypes: [CYCLONEDX_PREDICATE_TYPE] },
};

/** One policy that one statement did not satisfy. */
export interface PolicyFailure extends PolicyViolation {
  policy: string;
  /** Index of the statement among the matching ones. */
  statement: number;
}

// Keeps the violation fields only (drops `pass`), so the report's evidence stays flat.
function toViolation(outcome: PolicyViolation): PolicyViolation {
  const { path, value, constraint, message } = outcome;
  return {
    message,
    ...(path !== undefined && { path }),
    ...(value !== undefined && { value }),
    ...(constraint !== undefined && { constraint }),
  };
}

/**
 * A policy check (`provenance-policy`, `sbom-policy`): every policy file must pass for every verified statement
 * of the matching predicate type, as `cosign verify-attestation --policy` requires. No matching statement is a
 * failure; a policy that does not compile, or an engine that did not start, makes the check an error.
 */
export async function evaluatePolicies(
  id: PolicyCheckId,
  statements: InTotoStatement[],
  policies: PolicySource[],
  mode: PolicyMode,
  engine: PolicyEngine,
): Promise<CheckResult> {
  const { kind, predicateTypes } = KINDS[id];
  // Which policy ran, exactly: its path (or `bundled:<file>`) and the sha256 of its text.
  const ran = policies.map((policy) => ({ path: policy.name, sha256: policyDigest(policy.source) }));
  const base = { policies: ran, mode, cueVersion: CUE_VERSION };
  const result = (status: CheckResult['status'], reason: string, evidence: Record<string, unknown>): CheckResult =>
    checkResult(id, status, reason, { ...base, ...evidence });
  if (policies.length === 0) return result('skip', `no ${kind} policies configured`, {});
  const matching = statements.filter((statement) => predicateTypes.includes(statement.predicateType));
  if (matching.length === 0) return result('fail', `no verified ${kind} attestation to evaluate`, { statements: 0 });

  const failures: PolicyFailure[] = [];
  const notes: string[] = [];
  try {
    for (const policy of policies) {
      for (const [index, statement] of matching.entries()) {
        const outcome = await engine.evaluate(policy, statement, mode);
        if (outcome.pass) notes.push(...outcome.notes.map((note) => `${policy.name}: ${note}`));
        else {
          for (const violation of outcome.violations) {
            failures.push({ policy: policy.name, statement: index, ...toViolation(violation) });
          }
          if (outcome.more) notes.push(`${policy.name}: more violations than the ${MAX_VIOLATIONS} listed`);
        }
      }
    }
  } catch (error) {
    return result('error', describeError(error), { statements: matching.length });
  }
  const evidence = { statements: matching.length, failures, notes };
  const [first] = failures;
  if (first) {
    const others = failures.length > 1 ? ` (and ${failures.length - 1} other violation(s))` : '';
    const hint = await laxModeHint(first, policies, matching, mode, engine);
    return result('fail', `${first.policy}: ${first.message}${others}${hint}`, evidence);
  }
  const count = `${policies.length} ${policies.length === 1 ? 'policy' : 'policies'}`;
  return result('pass', `${count} passed for ${matching.length} ${kind} attestation(s) (${mode} mode)`, evidence);
}

/**
 * Strict mode refuses what `cosign verify-attestation` accepts (a constrained field absent from the statement): when
 * the first failure is only that, say which flag gives cosign's behaviour. Evaluated, not guessed from the message.
 */
async function laxModeHint(
  failure: PolicyFailure,
  policies: PolicySource[],
  statements: InTotoStatement[],
  mode: PolicyMode,
  engine: PolicyEngine,
): Promise<string> {
  const policy = policies.find((candidate) => candidate.name === failure.policy);
  const statement = statements[failure.statement];
  if (mode !== 'strict' || policy === undefined || statement === undefined) return '';
  try {
    const lax = await engine.evaluate(policy, statement, 'cosign');
    return lax.pass ? ' (strict mode; it passes with --policy-mode cosign, as cosign verify-attestation)' : '';
  } catch {
    // Only a hint: the failure stands as it is.
    return '';
  }
}

/**
 * A policy check over the attestations it selects itself: the statements of its predicate types, signed by the
 * expected signer and bound to the digest.
 */
function policyCheck(id: PolicyCheckId): Check {
  return {
    id,
    title: CHECK_TITLES[id],
    async run({ outcomes, expectations, target, policyEngine }) {
      const provenance = id === 'provenance-policy';
      const signer = provenance ? expectations.provenanceSigner : expectations.sbom;
      const selection = selectAttestations(outcomes, KINDS[id].predicateTypes, signer, target.digest);
      if (selection.accepted.length === 0) {
        return checkResult(
          id,
          'fail',
          describeNothingAccepted(provenance ? 'SLSA provenance' : 'CycloneDX SBOM', selection),
        );
      }
      if (!policyEngine) throw new InternalError(`expected the policy engine to be started for ${id}`);
      const statements = selection.accepted.flatMap((v) => (v.content.type === 'in-toto' ? [v.content.statement] : []));
      const policies = provenance ? expectations.policies.provenance : expectations.policies.sbom;
      return evaluatePolicies(id, statements, policies, expectations.policyMode, policyEngine);
    },
  };
}

export const provenancePolicyCheck = policyCheck('provenance-policy');
export const sbomPolicyCheck = policyCheck('sbom-policy');
