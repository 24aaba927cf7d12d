import * as z from 'zod/mini';
import { provenanceError } from '../errors.js';
import { SLSA_PROVENANCE_V1, type Provenance } from './provenance.js';
import { describeZodIssue, subjectSchema } from './v0.2.js';

/** The GitHub Actions workflow build type (slsa-framework/github-actions-buildtypes `workflow/v1`). */
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1';

// Built on first use, like v0.2's: a run decodes one provenance version, and building a schema costs start-up time.
let schemas: ReturnType<typeof buildSchemas> | undefined;

function buildSchemas() {
  const resourceDescriptor = z.strictObject({
    uri: z.optional(z.string()),
    digest: z.optional(z.record(z.string(), z.string())),
    name: z.optional(z.string()),
    downloadLocation: z.optional(z.string()),
    mediaType: z.optional(z.string()),
    content: z.optional(z.string()),
    annotations: z.optional(z.record(z.string(), z.unknown())),
  });
  return {
    // Field set of in-toto-golang's SLSA v1 `ProvenancePredicate`, rejecting unknown fields (DisallowUnknownFields).
    // Go matches keys case-insensitively, so both spellings of invocationID are accepted.
    statement: z.strictObject({
      _type: z.string(),
      predicateType: z.literal(SLSA_PROVENANCE_V1),
      subject: z.array(subjectSchema()),
      predicate: z.strictObject({
        buildDefinition: z.strictObject({
          buildType: z.string(),
          externalParameters: z.unknown(),
          internalParameters: z.optional(z.unknown()),
          resolvedDependencies: z.optional(z.array(resourceDescriptor)),
        }),
        runDetails: z.strictObject({
          builder: z.strictObject({
            id: z.string(),
            version: z.optional(z.record(z.string(), z.string())),
            builderDependencies: z.optional(z.array(resourceDescriptor)),
          }),
          metadata: z.optional(
            z.strictObject({
              invocationID: z.optional(z.string()),
              invocationId: z.optional(z.string()),
              startedOn: z.optional(z.string()),
              finishedOn: z.optional(z.string()),
            }),
          ),
          byproducts: z.optional(z.array(resourceDescriptor)),
        }),
      }),
    }),
    workflowParameters: z.object({
      workflow: z.object({
        ref: z.string().check(z.minLength(1)),
        repository: z.string().check(z.minLength(1)),
        path: z.string().check(z.minLength(1)),
      }),
    }),
    workflowInternals: z.object({ github: z.object({ event_name: z.string() }) }),
  };
}

type StatementV1 = z.infer<ReturnType<typeof buildSchemas>['statement']>;

// The workflow build type records the triggering ref in externalParameters.workflow; map it onto the v0.2
// environment key names so the tag and branch rules are shared.
function toWorkflowProvenance(data: StatementV1): Provenance {
  const { workflowParameters, workflowInternals } = (schemas ??= buildSchemas());
  const external = workflowParameters.safeParse(data.predicate.buildDefinition.externalParameters);
  if (!external.success) {
    throw provenanceError('invalidDssePayload', `externalParameters.${describeZodIssue(external.error)}`);
  }
  const internal = workflowInternals.safeParse(data.predicate.buildDefinition.internalParameters);
  if (!internal.success) {
    throw provenanceError('invalidDssePayload', `internalParameters.${describeZodIssue(internal.error)}`);
  }
  const { ref, repository } = external.data.workflow;
  const refType = ref.startsWith('refs/tags/') ? 'tag' : ref.startsWith('refs/heads/') ? 'branch' : '';
  const source = data.predicate.buildDefinition.resolvedDependencies?.[0];
  return {
    predicateType: SLSA_PROVENANCE_V1,
    builderId: data.predicate.runDetails.builder.id,
    buildType: data.predicate.buildDefinition.buildType,
    triggerUri: `git+${repository}@${ref}`,
    sourceUri: source === undefined ? undefined : (source.uri ?? ''),
    subjects: data.subject,
    commit: source?.digest?.['gitCommit'],
    environment: {
      github_ref_type: refType,
      github_ref: ref,
      github_base_ref: '',
      github_event_name: internal.data.github.event_name,
    },
  };
}

/**
 * Decodes an SLSA v1 provenance statement strictly. Only build types whose layout is known are read (today the
 * GitHub Actions workflow build type); any other build type is rejected with `buildType is invalid`.
 */
export function toProvenanceV1(statement: unknown): Provenance {
  const parsed = (schemas ??= buildSchemas()).statement.safeParse(statement);
  if (!parsed.success) throw provenanceError('invalidDssePayload', describeZodIssue(parsed.error), parsed.error);
  const buildType = parsed.data.predicate.buildDefinition.buildType;
  if (buildType !== GITHUB_WORKFLOW_BUILD_TYPE) {
    throw provenanceError('invalidBuildType', `expected ${GITHUB_WORKFLOW_BUILD_TYPE}, got '${buildType}'`);
  }
  return toWorkflowProvenance(parsed.data);
}
