import { RegistryError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { readBody } from './limits.js';
import { toResponseError } from './response-error.js';
import { verifyContentDigest } from './verify-digest.js';

/**
 * GETs `/v2/<name>/blobs/<digest>` (following a CDN redirect without credentials), reads at most the cap and exactly
 * the descriptor's size when given, and checks the sha256 before returning the bytes.
 *
 * @throws RegistryError NOT_FOUND, TOO_LARGE, MALFORMED_RESPONSE (truncated), DIGEST_MISMATCH, …
 */
export async function fetchBlob(
  context: RegistryContext,
  repo: RepositoryRef,
  descriptor: { digest: Digest; size?: number },
): Promise<Uint8Array> {
  const what = `blob ${formatRepository(repo)}@${descriptor.digest}`;
  if (descriptor.size !== undefined && descriptor.size > context.maxBlobBytes) {
    throw new RegistryError(
      'TOO_LARGE',
      `expected ${what} of at most ${context.maxBlobBytes} bytes, got descriptor size ${descriptor.size}`,
    );
  }
  const response = await context.fetch({
    url: context.urlFor(repo, `blobs/${descriptor.digest}`),
    registry: repo.registry,
    repository: repo.repository,
    what,
  });
  if (response.status !== 200) throw await toResponseError(response, what);
  const bytes = await readBody(response, {
    maxBytes: context.maxBlobBytes,
    what,
    ...(descriptor.size !== undefined && { expectedSize: descriptor.size }),
  });
  verifyContentDigest(bytes, descriptor.digest);
  return bytes;
}
