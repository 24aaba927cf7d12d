import { createHash } from 'node:crypto';
import { VerificationError } from '../../errors.js';
import type { ArtifactInput } from './content.js';
import type { HashAlgorithm } from './prehash.js';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const ALGORITHMS: HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];

function subjectError(message: string): VerificationError {
  return new VerificationError('SIGNATURE_ERROR', `artifact: ${message}`);
}

/** The artifact's digests, by algorithm: all three from bytes, or the one given. */
function artifactDigests(artifact: ArtifactInput): Partial<Record<HashAlgorithm, string>> {
  if (artifact.bytes) {
    const bytes = artifact.bytes;
    return Object.fromEntries(ALGORITHMS.map((alg) => [alg, createHash(alg).update(bytes).digest('hex')]));
  }
  if (artifact.digest) return { [artifact.digest.algorithm]: artifact.digest.hex.toLowerCase() };
  return {};
}

function statementSubjects(payload: Buffer): Record<string, unknown>[] {
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    throw subjectError('expected an in-toto statement in the DSSE payload, got invalid JSON');
  }
  const subject = (statement as { subject?: unknown } | null)?.subject;
  if (!Array.isArray(subject)) throw subjectError('expected an in-toto statement with a subject list, got none');
  return subject.map((s) => ((s as { digest?: unknown } | null)?.digest ?? {}) as Record<string, unknown>);
}

/**
 * Binds the artifact to a DSSE payload: for in-toto, one subject must carry the artifact's sha256, sha384 or
 * sha512; for any other payload type the payload itself is the signed artifact, so its bytes must be equal.
 */
export function verifyDsseSubject(payloadType: string, payload: Buffer, artifact: ArtifactInput): void {
  const digests = artifactDigests(artifact);
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    const matches = ALGORITHMS.some((alg) => digests[alg] === createHash(alg).update(payload).digest('hex'));
    if (!matches)
      throw subjectError(`expected the ${payloadType} DSSE payload to be the artifact, got different bytes`);
    return;
  }
  const found = statementSubjects(payload).some((subject) =>
    ALGORITHMS.some((alg) => digests[alg] !== undefined && subject[alg] === digests[alg]),
  );
  if (!found) {
    const shown = Object.entries(digests).map(([alg, hex]) => `${alg}:${hex}`)[0] ?? '(no digest)';
    throw subjectError(`expected ${shown} to be a subject of the in-toto statement, it is not`);
  }
}
