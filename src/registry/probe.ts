import { digestHex, type Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { MAX_MANIFEST_BYTES, readJson } from './limits.js';
import { MANIFEST_ACCEPT, OCI_INDEX } from './media-types.js';
import { toResponseError } from './response-error.js';
import { discardBody } from './transport.js';

/**
 * Whether a manifest exists, by one HEAD request: nothing is downloaded and nothing is verified.
 *
 * @throws RegistryError for anything but 200 or 404.
 */
export async function probeManifest(
  context: RegistryContext,
  repo: RepositoryRef,
  reference: string,
): Promise<boolean> {
  const separator = reference.startsWith('sha256:') ? '@' : ':';
  const what = `manifest ${formatRepository(repo)}${separator}${reference}`;
  const response = await context.fetch({
    url: context.urlFor(repo, `manifests/${reference}`),
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT },
    registry: repo.registry,
    repository: repo.repository,
    what,
  });
  await discardBody(response);
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw await toResponseError(response, what);
}

/**
 * Whether anything refers to `subject`, with at most two requests: the referrers API's first page (an index of at
 * most 4 MiB, no manifest or layer behind it is read), else a HEAD of the fallback tag `sha256-<hex>`.
 *
 * @param take asked before each request; when it says no, the probe stops and answers false.
 */
export async function probeReferrers(
  context: RegistryContext,
  repo: RepositoryRef,
  subject: Digest,
  take: () => boolean,
): Promise<boolean> {
  if (!take()) return false;
  const what = `referrers of ${formatRepository(repo)}@${subject}`;
  const response = await context.fetch({
    url: context.urlFor(repo, `referrers/${subject}`),
    headers: { accept: OCI_INDEX },
    registry: repo.registry,
    repository: repo.repository,
    what,
  });
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  if (response.status === 200 && type === OCI_INDEX) {
    const page = (await readJson(response, { maxBytes: MAX_MANIFEST_BYTES, what })) as { manifests?: unknown } | null;
    return Array.isArray(page?.manifests) && page.manifests.length > 0;
  }
  await discardBody(response);
  if (!take()) return false;
  return probeManifest(context, repo, `sha256-${digestHex(subject)}`);
}
