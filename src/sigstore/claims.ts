import * as z from 'zod/mini';
import { verificationError } from '../errors.js';
import { digestHex, type Digest } from '../model/digest.js';
import { COSIGN_SIGN_PREDICATE_TYPE } from '../model/constants.js';
import type { InTotoStatement, SimpleSigningPayload, VerifiedEvidence } from '../model/evidence.js';

/** The only DSSE payload type an attestation may carry (cosign rejects others). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** `critical.type` of a cosign simple-signing payload. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
export { COSIGN_SIGN_PREDICATE_TYPE } from '../model/constants.js';

const simpleSigningSchema = z.looseObject({
  critical: z.looseObject({
    identity: z.optional(z.looseObject({ 'docker-reference': z.optional(z.string()) })),
    image: z.looseObject({ 'docker-manifest-digest': z.string() }),
    type: z.string(),
  }),
  optional: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

const statementSchema = z.looseObject({
  _type: z.string().check(z.minLength(1)),
  subject: z
    .array(
      z.looseObject({
        name: z.optional(z.string()),
        digest: z.record(z.string(), z.string()),
        annotations: z.optional(z.record(z.string(), z.unknown())),
      }),
    )
    .check(z.minLength(1)),
  predicateType: z.string().check(z.minLength(1)),
  predicate: z.optional(z.unknown()),
});

/**
 * Decodes a cosign simple-signing payload (the signed bytes of a `.sig` layer).
 *
 * @throws VerificationError CLAIM_MISMATCH when the bytes are not a simple-signing JSON object.
 */
export function toSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  return decode(simpleSigningSchema, bytes, 'a simple-signing payload', (json) => {
    const critical = member(json, 'critical');
    return {
      '(root)': json,
      critical,
      'critical.identity': member(critical, 'identity'),
      'critical.image': member(critical, 'image'),
    };
  });
}

/**
 * Decodes the in-toto statement of a DSSE envelope; the payload type must be in-toto's.
 *
 * @throws VerificationError CLAIM_MISMATCH for another payload type or a payload that is not a statement object.
 */
export function toInTotoStatement(payloadType: string, bytes: Uint8Array): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw verificationError('CLAIM_MISMATCH', `expected DSSE payloadType ${IN_TOTO_PAYLOAD_TYPE}, got ${payloadType}`);
  }
  return decode(statementSchema, bytes, 'an in-toto statement', (json) => {
    const subjects = member(json, 'subject');
    const objects: Record<string, unknown> = { '(root)': json };
    // A subject's digest is a Go map, whose keys are exact: only the struct levels fold.
    (Array.isArray(subjects) ? subjects : []).forEach((subject: unknown, i) => (objects[`subject.${i}`] = subject));
    return objects;
  });
}

/**
 * Checks a simple-signing payload signs this image (cosign `SimpleClaimVerifier`): `docker-manifest-digest` equals
 * the digest and `critical.type` is cosign's. `docker-reference` is ignored, as the spec says.
 *
 * @throws VerificationError CLAIM_MISMATCH.
 */
export function verifySimpleSigningClaim(payload: SimpleSigningPayload, digest: Digest): void {
  if (payload.critical.type !== SIMPLE_SIGNING_TYPE) {
    throw verificationError(
      'CLAIM_MISMATCH',
      `expected critical.type "${SIMPLE_SIGNING_TYPE}", got "${payload.critical.type}"`,
    );
  }
  const signed = payload.critical.image['docker-manifest-digest'];
  if (signed !== digest) {
    throw verificationError('CLAIM_MISMATCH', `expected docker-manifest-digest ${digest}, got ${signed}`);
  }
}

/**
 * Checks an in-toto statement is about this image (cosign `IntotoSubjectClaimVerifier`): some subject's
 * `digest.sha256` equals the digest's hex.
 *
 * @throws VerificationError CLAIM_MISMATCH.
 */
export function verifyStatementSubject(statement: InTotoStatement, digest: Digest): void {
  const hex = digestHex(digest);
  if (statement.subject.some((subject) => subject.digest.sha256 === hex)) return;
  const got = statement.subject.map((subject) => subject.digest.sha256 ?? '(no sha256)').join(', ');
  throw verificationError('CLAIM_MISMATCH', `expected a subject with sha256 ${hex}, got ${got}`);
}

/**
 * Whether verified evidence is an image signature: a legacy `.sig` layer, or an in-toto statement of cosign's
 * sign predicate type. Any other attestation (SBOM, provenance…) is never a signature, even though cosign v3's
 * `verify` accepts it as one.
 */
export function isImageSignature(verified: VerifiedEvidence): boolean {
  if (verified.content.type === 'simple-signing') return verified.evidence.format === 'legacy-sig';
  return verified.content.statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE;
}

function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Go's encoding/json (cosign, sigstore-go) matches keys case-insensitively, with Unicode simple folding (`ſ` is `s`,
 * `K` is `k`), and keeps the last match; JSON.parse keeps exact keys. An object the claims are read from may not hold
 * two keys Go folds together, or cosign and verify-release would read different claims from the same signed bytes.
 */
function verifyUnambiguousKeys(value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const seen = new Map<string, string>();
  for (const key of Object.keys(value)) {
    const folded = key.toUpperCase().toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) {
      throw verificationError('CLAIM_MISMATCH', `expected unambiguous keys in ${where}, got ${other} and ${key}`);
    }
    seen.set(folded, key);
  }
}

function decode<T extends z.ZodMiniType>(
  schema: T,
  bytes: Uint8Array,
  what: string,
  claimObjects: (json: unknown) => Record<string, unknown>,
): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (cause) {
    throw verificationError('CLAIM_MISMATCH', `expected ${what} in JSON, got unparsable bytes`, cause);
  }
  for (const [where, value] of Object.entries(claimObjects(json))) verifyUnambiguousKeys(value, where);
  const result = schema.safeParse(json);
  if (!result.success) {
    const got =
      json === null
        ? 'null'
        : Array.isArray(json)
          ? 'an array'
          : typeof json === 'object'
            ? 'an object with bad fields'
            : typeof json;
    const fields = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw verificationError('CLAIM_MISMATCH', `expected ${what}, got ${got} (${fields})`);
  }
  return result.data;
}
