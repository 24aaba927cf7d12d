import type { Digest } from '../../model/digest.js';
import { digestHex } from '../../model/digest.js';
import type { Provenance } from './decode/provenance.js';
import { provenanceError } from './errors.js';

/**
 * Checks that some provenance subject names the image digest (slsa-verifier `verifyDigest`); the algorithm name
 * follows from the hex length, and anything under 256 bits is refused.
 */
export function verifySubjectDigest(provenance: Provenance, digest: Digest): void {
  const hex = digestHex(digest);
  const bits = hex.length * 4;
  if (bits < 256) throw provenanceError('invalidHash', `expected minimum 256-bit, got ${bits}`);
  const algorithm = `sha${bits}`;
  if (provenance.subjects.length === 0) throw provenanceError('invalidDssePayload', 'no subjects');
  if (provenance.subjects.some((subject) => subject.digest[algorithm] === hex)) return;
  throw provenanceError('mismatchHash', `expected hash '${hex}' not found`);
}
