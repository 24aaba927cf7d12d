import type { Digest } from '../../model/digest.js';
import type { VerifiedEvidence } from '../../model/evidence.js';
import { builderIdText } from './builder-id.js';
import { verifyTrustedBuilder } from './builders/index.js';
import { toProvenance } from './decode/index.js';
import type { Provenance } from './decode/provenance.js';
import { provenanceError } from './errors.js';
import { verifyCertificateSource, verifyProvenanceSource } from './source.js';
import { verifySourceBranch, verifySourceTag, verifySourceVersionedTag } from './source-ref.js';
import { verifySubjectDigest } from './subject.js';
import { verifySourceRef } from '../../sigstore/signer-binding.js';
import { toWorkflowIdentity, type WorkflowIdentity } from './workflow-identity.js';

/** What `slsa-verifier verify-image` is asked to check (its flags). Undefined means "not requested". */
export interface ProvenanceOptions {
  /** The image (index) digest the provenance must name as a subject. */
  digest: Digest;
  /** `github.com/<owner>/<repo>` or `git+https://github.com/<owner>/<repo>`. */
  sourceUri: string;
  /** Exact tag name, e.g. `v1.1.2`. */
  sourceTag?: string;
  /** Go semver `v1`, `v1.1` or `v1.1.2`; see `verifyVersionedTag`. */
  sourceVersionedTag?: string;
  /** Branch name, e.g. `main`. */
  sourceBranch?: string;
  /** Trusted builder (`name[@version]`), replacing the container allow-list. */
  builderId?: string;
  /**
   * Version binding (not a slsa-verifier flag): the ref the signing certificate's Source Repository Ref and legacy
   * GitHub Workflow Ref must name (the caller's ref; the SAN names the builder's). `null` or absent: not bound.
   */
  certificateRef?: string | null;
}

/** A provenance attestation that passed every rule. */
export interface AcceptedProvenance {
  identity: WorkflowIdentity;
  builderId: string;
  provenance: Provenance;
}

/**
 * Runs the slsa-verifier `verify-image` rules on one crypto-verified attestation, in slsa-verifier's order:
 * certificate identity and source, trusted builder, strict decoding, builder ID, source, subject digest, branch,
 * tag, versioned tag. Throws {@link ProvenanceRuleError} at the first rule that fails.
 */
export function verifyProvenanceCandidate(candidate: VerifiedEvidence, options: ProvenanceOptions): AcceptedProvenance {
  if (candidate.content.type !== 'in-toto') {
    throw provenanceError('invalidDssePayload', `expected an in-toto statement, got ${candidate.content.type}`);
  }
  const identity = toWorkflowIdentity(candidate.signer);
  verifyCertificateSource(identity, options.sourceUri);
  if (options.certificateRef !== undefined && options.certificateRef !== null) {
    verifySourceRef(candidate.signer, options.certificateRef, true);
  }
  const builder = verifyTrustedBuilder(identity, options.builderId);
  const provenance = toProvenance(candidate.content.statement, builder.rules);
  const builderId = builderIdText(builder.id);
  if (provenance.builderId !== builderId) {
    throw provenanceError('mismatchBuilderId', `expected '${builderId}', got '${provenance.builderId}'`);
  }
  verifyProvenanceSource(provenance, options.sourceUri);
  verifySubjectDigest(provenance, options.digest);
  if (options.sourceBranch !== undefined) verifySourceBranch(provenance, options.sourceBranch);
  if (options.sourceTag !== undefined) verifySourceTag(provenance, options.sourceTag);
  if (options.sourceVersionedTag !== undefined) verifySourceVersionedTag(provenance, options.sourceVersionedTag);
  return { identity, builderId, provenance };
}
