import { PolicyError } from '../../errors.js';

/**
 * slsa-verifier's sentinel errors (errors/errors.go), by name. The wording is kept verbatim so that a reason
 * reported by verify-release reads the same as slsa-verifier's `FAILED: SLSA verification failed: …` line.
 */
export const PROVENANCE_SENTINELS = {
  invalidDssePayload: 'invalid DSSE envelope payload',
  mismatchBranch: 'branch used to generate the binary does not match provenance',
  mismatchBuilderId: 'builderID does not match provenance',
  invalidBuilderId: 'builderID is invalid',
  invalidBuildType: 'buildType is invalid',
  mismatchSource: 'source used to generate the binary does not match provenance',
  malformedUri: 'URI is malformed',
  invalidCertificate: 'invalid certificate',
  mismatchTag: 'tag used to generate the binary does not match provenance',
  invalidSemver: 'invalid semantic version',
  mismatchHash: 'artifact hash does not match provenance subject',
  invalidHash: 'invalid hash',
  invalidRef: 'invalid ref',
  untrustedReusableWorkflow: 'untrusted reusable workflow',
  invalidOidcIssuer: 'invalid OIDC issuer',
  invalidFormat: 'invalid format',
  noMatchingAttestations: 'no matching attestations',
} as const;

export type ProvenanceSentinel = keyof typeof PROVENANCE_SENTINELS;

/** One SLSA rule rejected one provenance attestation. `sentinel` names the rule, like slsa-verifier's `errors.Is`. */
export class ProvenanceRuleError extends PolicyError {
  readonly sentinel: ProvenanceSentinel;

  constructor(sentinel: ProvenanceSentinel, detail: string, options?: { cause?: unknown }) {
    super(`${PROVENANCE_SENTINELS[sentinel]}: ${detail}`, { code: 'PROVENANCE_ERROR', cause: options?.cause });
    this.sentinel = sentinel;
  }
}

/** Shorthand for `new ProvenanceRuleError(…)`, so rule code reads `throw provenanceError('mismatchTag', …)`. */
export function provenanceError(sentinel: ProvenanceSentinel, detail: string, cause?: unknown): ProvenanceRuleError {
  return new ProvenanceRuleError(sentinel, detail, { cause });
}
