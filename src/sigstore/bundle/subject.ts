import { createHash } from 'node:crypto';
import { verificationError } from '../../errors.js';
import type { ArtifactInput } from './content.js';
import type { HashAlgorithm } from './prehash.js';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const ALGORITHMS: HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];

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
    throw verificationError('SIGNATURE_ERROR', 'expected an in-toto statement in the DSSE payload, got invalid JSON');
  }
  const subject = (statement as { subject?: unknown } | null)?.subject;
  if (!Array.isArray(subject))
    throw verificationError('SIGNATURE_ERROR', 'expected an in-toto statement with a subject list, got none');
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
      throw verificationError(
        'SIGNATURE_ERROR',
        `expected the ${payloadType} DSSE payload to be the artifact, got different bytes`,
      );
    return;
  }
  const found = statementSubjects(payload).some((subject) =>
    ALGORITHMS.some((alg) => digests[alg] !== undefined && subject[alg] === digests[alg]),
  );
  if (!found) {
    const shown = Object.entries(digests).map(([alg, hex]) => `${alg}:${hex}`)[0] ?? '(no digest)';
    throw verificationError('SIGNATURE_ERROR', `expected ${shown} to be a subject of the in-toto statement, it is not`);
  }
}
