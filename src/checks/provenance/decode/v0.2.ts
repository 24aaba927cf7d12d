import { z } from 'zod';
import { provenanceError } from '../errors.js';
import { SLSA_PROVENANCE_V02, type Provenance } from './provenance.js';

const digestSet = z.record(z.string(), z.string());

/** in-toto Statement v0.1 subject (in-toto-golang `Subject`). */
export const subjectSchema = z.object({ name: z.string().optional(), digest: digestSet }).strict();

// Field set of in-toto-golang's `ProvenanceStatement` for SLSA v0.2; `.strict()` everywhere rejects unknown
// fields like slsa-verifier's DisallowUnknownFields. Free-form fields (parameters, environment, buildConfig) stay open.
const statementSchema = z
  .object({
    _type: z.string(),
    predicateType: z.literal(SLSA_PROVENANCE_V02),
    subject: z.array(subjectSchema),
    predicate: z
      .object({
        builder: z.object({ id: z.string() }).strict(),
        buildType: z.string(),
        invocation: z
          .object({
            configSource: z
              .object({ uri: z.string().optional(), digest: digestSet.optional(), entryPoint: z.string().optional() })
              .strict()
              .optional(),
            parameters: z.unknown().optional(),
            environment: z.unknown().optional(),
          })
          .strict()
          .optional(),
        buildConfig: z.unknown().optional(),
        metadata: z
          .object({
            buildInvocationID: z.string().optional(),
            buildStartedOn: z.string().optional(),
            buildFinishedOn: z.string().optional(),
            completeness: z
              .object({
                parameters: z.boolean().optional(),
                environment: z.boolean().optional(),
                materials: z.boolean().optional(),
              })
              .strict()
              .optional(),
            reproducible: z.boolean().optional(),
          })
          .strict()
          .optional(),
        materials: z.array(z.object({ uri: z.string().optional(), digest: digestSet.optional() }).strict()).optional(),
      })
      .strict(),
  })
  .strict();

/** Renders the first zod issue as `path: message`, e.g. `predicate.foo: Unrecognized key: "foo"`. */
export function describeZodIssue(error: z.ZodError): string {
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
  const parsed = statementSchema.safeParse(statement);
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
