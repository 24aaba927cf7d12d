import type { CheckId, CheckResult, CheckStatus } from '../model/check-result.js';
import type { SignerPolicy } from '../sigstore/signer-binding.js';
import type { ResolvedTarget } from '../release/index.js';
import type { DiscoveryResult } from '../discover/index.js';
import type { PolicyEngine, PolicyMode, PolicySource } from '../policy/cue.js';
import type { ProvenanceOptions } from './provenance/index.js';
import type { EvidenceOutcome } from './outcome.js';

/**
 * What the release must satisfy, after the profile, the command line and version binding have been combined
 * (src/pipeline/expectations.ts). Every field is decided; nothing here is optional by accident.
 */
export interface Expectations {
  /** Who must have signed the image (cosign verify's identity flags), for which project and ref. */
  signature: SignerPolicy;
  /** Who must have signed the SBOM attestation, for which project and ref. */
  sbom: SignerPolicy;
  /** Who must have signed provenance statements that the provenance policy evaluates. */
  provenanceSigner: SignerPolicy;
  /** slsa-verifier's options, without the digest (that comes from resolution), with the certificate ref decided. */
  provenance: Omit<ProvenanceOptions, 'digest' | 'certificateRef'> & { certificateRef: string | null };
  policies: { provenance: PolicySource[]; sbom: PolicySource[] };
  policyMode: PolicyMode;
  /** What the report must say about the binding (e.g. that it is off). */
  notices: string[];
}

/** Everything a check may look at: the resolved release, what discovery found and how each piece verified. */
export interface CheckContext {
  target: ResolvedTarget;
  discovery: DiscoveryResult;
  /** Every piece of discovered evidence with its Sigstore verification outcome; each check selects its own. */
  outcomes: readonly EvidenceOutcome[];
  expectations: Expectations;
  /** The CUE engine, started by the pipeline only when a policy check is selected. */
  policyEngine?: PolicyEngine;
}

/**
 * `select` made once per context: a check and the run's report (which hands the accepted SBOM or statement to
 * `sbom`, `provenance` and `--*-out`) select the same evidence in the same context, and a selection can be costly
 * (the SBOM's byte-exact slice of a document of several MB is decoded, parsed and compared).
 */
export function oncePerContext<T>(select: (context: CheckContext) => T): (context: CheckContext) => T {
  const selected = new WeakMap<CheckContext, T>();
  return (context) => {
    if (!selected.has(context)) selected.set(context, select(context));
    return selected.get(context) as T;
  };
}

/** One line of the verdict. Checks do no I/O: everything they need is in the context. */
export interface Check {
  readonly id: CheckId;
  readonly title: string;
  run(context: CheckContext): Promise<CheckResult>;
}

/** The title of every check, in one place. */
export const CHECK_TITLES: Record<CheckId, string> = {
  resolve: 'Release resolved',
  signature: 'Image signature',
  provenance: 'SLSA provenance',
  'provenance-policy': 'Provenance policy',
  sbom: 'SBOM attestation',
  'sbom-policy': 'SBOM policy',
};

/** Builds a check result; the title always comes from {@link CHECK_TITLES}. */
export function checkResult(
  id: CheckId,
  status: CheckStatus,
  reason: string,
  evidence: Record<string, unknown> = {},
): CheckResult {
  return { id, title: CHECK_TITLES[id], status, reason, evidence };
}
