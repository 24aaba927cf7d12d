import { RegistryError } from '../errors.js';
import { digestHex, type Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { fetchManifest, indexSchema } from './manifest.js';
import { isOciIndex, OCI_INDEX, type Descriptor } from './media-types.js';
import { fetchPages } from './pages.js';
import { discardBody } from './transport.js';

/** Where a referrers list came from: the OCI 1.1 API, or the tag-schema fallback index `sha256-<hex>`. */
export interface ReferrersList {
  via: 'referrers-api' | 'referrers-tag';
  manifests: Descriptor[];
}

// go-containerregistry referrers.go: these statuses mean "no referrers API here", anything else is an answer.
const NO_API_STATUSES = new Set([400, 404, 406]);

/**
 * Lists the manifests that refer to `subject` (OCI distribution spec 1.1 "Listing Referrers"): the referrers API when
 * it answers 200 with an OCI index, otherwise the fallback tag `sha256-<hex>` read as an index; a missing fallback tag
 * is an empty list. Entries are not filtered by artifactType: fallback indexes often carry the wrong one
 * (sigstore/cosign#4641), so callers inspect each manifest themselves.
 *
 * @throws RegistryError AUTH, MALFORMED_RESPONSE, … — never NOT_FOUND.
 */
export async function fetchReferrers(
  context: RegistryContext,
  repo: RepositoryRef,
  subject: Digest,
): Promise<ReferrersList> {
  const what = `referrers of ${formatRepository(repo)}@${subject}`;
  const pages = await fetchPages(context, {
    repo,
    first: context.urlFor(repo, `referrers/${subject}`),
    headers: { accept: OCI_INDEX },
    what,
    onFirst: async (response) => {
      const type = response.headers.get('content-type')?.split(';')[0]?.trim();
      const isApi = response.status === 200 && type === OCI_INDEX;
      if (isApi || !(NO_API_STATUSES.has(response.status) || response.status === 200)) return 'page';
      await discardBody(response);
      return 'stop';
    },
  });
  if (pages !== undefined) {
    const manifests = pages.flatMap((page) => {
      const parsed = indexSchema.safeParse(page);
      if (!parsed.success)
        throw new RegistryError('MALFORMED_RESPONSE', `expected an OCI index in ${what}, got another shape`);
      return parsed.data.manifests;
    });
    return { via: 'referrers-api', manifests };
  }

  const fallbackTag = `sha256-${digestHex(subject)}`;
  const fallback = await fetchManifest(context, repo, fallbackTag);
  if (fallback === undefined) return { via: 'referrers-tag', manifests: [] };
  if (!isOciIndex(fallback.json)) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected an index at ${formatRepository(repo)}:${fallbackTag}, got ${fallback.mediaType}`,
    );
  }
  return { via: 'referrers-tag', manifests: fallback.json.manifests };
}
