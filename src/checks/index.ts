import type { CheckId, CheckResult } from '../model/check-result.js';
import type { Check, CheckContext } from './check.js';
import { resolveCheck } from './resolve.js';
import { signatureCheck } from './signature.js';
import { provenanceCheck } from './provenance/index.js';
import { provenancePolicyCheck, sbomPolicyCheck } from './policy.js';
import { sbomCheck } from './sbom.js';

export { CHECK_TITLES, checkResult, type Check, type CheckContext, type Expectations } from './check.js';
export { selectSbom } from './sbom.js';
export { selectProvenance } from './provenance/index.js';
export { resolvedResult } from './resolve.js';

/** Every check, in report order: a new check is one module and one entry here (and its id in CHECK_IDS). */
export const CHECKS: readonly Check[] = [
  resolveCheck,
  signatureCheck,
  provenanceCheck,
  provenancePolicyCheck,
  sbomCheck,
  sbomPolicyCheck,
];

/** Runs the selected checks, in report order, over one context. */
export async function runChecks(selected: readonly CheckId[], context: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    if (selected.includes(check.id)) results.push(await check.run(context));
  }
  return results;
}
