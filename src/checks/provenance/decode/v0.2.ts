import * as z from 'zod/mini';
import { provenanceError } from '../errors.js';
import { SLSA_PROVENANCE_V02, type Provenance } from './provenance.js';

// Built on first use: a run decodes one provenance version, and building a schema costs start-up time.
let shared: ReturnType<typeof buildShared> | undefined;
let statementSchema: ReturnType<typeof buildStatement> | undefined;

function buildShared() {
  const digestSet = z.record(z.string(), z.string());
  return { digestSet, subject: z.strictObject({ name: z.optional(z.string()), digest: digestSet }) };
}

/** in-toto Statement v0.1 subject (in-toto-golang `Subject`), shared by both provenance versions. */
export function subjectSchema(): ReturnType<typeof buildShared>['subject'] {
  return (shared ??= buildShared()).subject;
}

// Field set of in-toto-golang's `ProvenanceStatement` for SLSA v0.2; strict objects everywhere reject unknown
// fields like slsa-verifier's DisallowUnknownFields. Free-form fields (parameters, environment, buildConfig) stay open.
function buildStatement() {
  const { digestSet, subject } = (shared ??= buildShared());
  return z.strictObject({
    _type: z.string(),
    predicateType: z.literal(SLSA_PROVENANCE_V02),
    subject: z.array(subject),
    predicate: z.strictObject({
      builder: z.strictObject({ id: z.string() }),
      buildType: z.string(),
      invocation: z.optional(
        z.strictObject({
          configSource: z.optional(
            z.strictObject({
              uri: z.optional(z.string()),
              digest: z.optional(digestSet),
              entryPoint: z.optional(z.string()),
            }),
          ),
          parameters: z.optional(z.unknown()),
          environment: z.optional(z.unknown()),
        }),
      ),
      buildConfig: z.optional(z.unknown()),
      metadata: z.optional(
        z.strictObject({
          buildInvocationID: z.optional(z.string()),
          buildStartedOn: z.optional(z.string()),
          buildFinishedOn: z.optional(z.string()),
          completeness: z.optional(
            z.strictObject({
              parameters: z.optional(z.boolean()),
              environment: z.optional(z.boolean()),
              materials: z.optional(z.boolean()),
            }),
          ),
          reproducible: z.optional(z.boolean()),
        }),
      ),
      materials: z.optional(z.array(z.strictObject({ uri: z.optional(z.string()), digest: z.optional(digestSet) }))),
    }),
  });
}

/** Renders the first zod issue as `path: message`, e.g. `predicate.foo: Unrecognized key: "foo"`. */
export function describeZodIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid statement';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/**
 * Decodes an SLSA v0.2 provenance statement strictly: unknown fields anywhere outside the free-form maps are
 * rejected. Throws `invalid DSSE envelope payload`.
 */
export function toProvenanceV02(statement: unknown): Provenance {
  const parsed = (statementSchema ??= buildStatement()).safeParse(statement);
  if (!parsed.success) throw provenanceError('invalidDssePayload', describeZodIssue(parsed.error), parsed.error);
  const { predicate, subject } = parsed.data;
  return {
    predicateType: SLSA_PROVENANCE_V02,
    builderId: predicate.builder.id,
    buildType: predicate.buildType,
    triggerUri: predicate.invocation?.configSource?.uri ?? '',
    sourceUri: predicate.materials?.[0] === undefined ? undefined : (predicate.materials[0].uri ?? ''),
    subjects: subject,
    commit: predicate.invocation?.configSource?.digest?.['sha1'],
    environment: predicate.invocation?.environment,
  };
}
