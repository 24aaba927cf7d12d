import { RegistryError } from '../errors.js';
import { sha256Digest, type Digest } from '../model/digest.js';

/**
 * Checks content against the digest it was requested by (or announced with), before anything parses it.
 *
 * @returns the content's sha256 digest (the expected one, or the computed one when nothing was expected).
 * @throws RegistryError DIGEST_MISMATCH when they differ.
 */
export function verifyContentDigest(bytes: Uint8Array, expected: Digest | undefined): Digest {
  const actual = sha256Digest(bytes);
  if (expected !== undefined && actual !== expected) {
    throw new RegistryError('DIGEST_MISMATCH', `registry returned content for ${expected} whose digest is ${actual}`);
  }
  return actual;
}
