import { GITHUB_ACTIONS_ISSUER } from '../../../model/constants.js';
import { provenanceError } from '../errors.js';
import { toBuilderId, verifyBuilderIdMatchesLoose, type BuilderId } from '../builder-id.js';
import { verifyBuilderRef } from '../versioned-tag.js';
import type { WorkflowIdentity } from '../workflow-identity.js';
import type { BuilderRules } from './builder-rules.js';
import { containerGenerator } from './container-generator.js';

export type { BuilderRules } from './builder-rules.js';

/** Builders whose provenance can be read. */
export const KNOWN_BUILDERS: readonly BuilderRules[] = [containerGenerator];

/** Builders trusted for container images when no `--builder-id` is given (slsa-verifier's container allow-list). */
export const DEFAULT_CONTAINER_BUILDERS: readonly BuilderRules[] = [containerGenerator];

/** A builder that signed a provenance certificate and is trusted: its full ID and its rules. */
export interface TrustedBuilder {
  /** `<workflow>@<ref>` from the certificate, e.g. `…/generator_container_slsa3.yml@refs/tags/v2.1.0`. */
  id: BuilderId;
  rules: BuilderRules;
}

/**
 * Decides whether the workflow that signed a provenance certificate is a trusted builder (slsa-verifier
 * `VerifyBuilderIdentity`): the issuer must be GitHub Actions; without `expectedBuilderId` the workflow must be in
 * the container allow-list, with it the IDs must match loosely; the workflow ref must be `refs/tags/vX.Y.Z`.
 */
export function verifyTrustedBuilder(identity: WorkflowIdentity, expectedBuilderId?: string): TrustedBuilder {
  if (identity.issuer !== GITHUB_ACTIONS_ISSUER) {
    throw provenanceError('invalidOidcIssuer', `expected '${GITHUB_ACTIONS_ISSUER}', got '${identity.issuer}'`);
  }
  const id = toBuilderId(`${identity.workflowId}@${identity.workflowRef}`, true);
  if (expectedBuilderId === undefined || expectedBuilderId === '') {
    if (!DEFAULT_CONTAINER_BUILDERS.some((builder) => builder.workflowId === identity.workflowId)) {
      throw provenanceError('untrustedReusableWorkflow', `${identity.workflowId} with builderID provided: false`);
    }
  } else {
    try {
      verifyBuilderIdMatchesLoose(id, expectedBuilderId);
    } catch (cause) {
      throw provenanceError('untrustedReusableWorkflow', (cause as Error).message, cause);
    }
  }
  verifyBuilderRef(identity.workflowRef);
  const rules = KNOWN_BUILDERS.find((builder) => builder.workflowId === identity.workflowId);
  if (!rules) throw provenanceError('invalidBuilderId', `no provenance rules for builder '${identity.workflowId}'`);
  return { id, rules };
}
