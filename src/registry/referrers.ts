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

/** More referrers than this for one digest is not something a release pipeline produces. */
export const MAX_REFERRERS = 500;
// An index page is a few fields per entry; this many values hold far more entries than MAX_REFERRERS.
const MAX_REFERRER_PAGE_VALUES = 100_000;

// go-containerregistry referrers.go: these statuses mean "no referrers API here", anything else is an answer.
const NO_API_STATUSES = new Set([400, 404, 406]);

/**
 * Lists the manifests that refer to `subject` (OCI distribution spec 1.1 "Listing Referrers"): the referrers API when
 * it answers 200 with an OCI index, otherwise the fallback tag `sha256-<hex>` read as an index; a missing fallback tag
 * is an empty list. Entries are not filtered by artifactType: fallback indexes often carry the wrong one
 * (sigstore/cosign#4641), so callers inspect each manifest themselves.
 *
 * Pages are validated as they arrive and only each entry's descriptor fields are kept.
 *
 * @throws RegistryError AUTH, MALFORMED_RESPONSE, TOO_LARGE past MAX_REFERRERS entries, … — never NOT_FOUND.
 */
export async function fetchReferrers(
  context: RegistryContext,
  repo: RepositoryRef,
  subject: Digest,
): Promise<ReferrersList> {
  const what = `referrers of ${formatRepository(repo)}@${subject}`;
  const manifests: Descriptor[] = [];
  const keep = (listed: Descriptor[]): void => {
    for (const descriptor of listed) {
      if (manifests.length >= MAX_REFERRERS) {
        throw new RegistryError(
          'TOO_LARGE',
          `${what} is too large: expected at most ${MAX_REFERRERS} manifests, got more`,
        );
      }
      manifests.push(toDescriptor(descriptor));
    }
  };
  // The fallback tag is read beside the API, not after its answer: on registries without the API (GHCR,
  // distribution 2.x) the referrers then cost one round trip less; with the API it is one small request unused.
  const fallbackTag = `sha256-${digestHex(subject)}`;
  const fallbackRead = fetchManifest(context, repo, fallbackTag);
  // Its failure matters only when the API is missing (awaited below); until then it must not go unhandled.
  fallbackRead.catch(() => undefined);
  const read = await fetchPages(context, {
    repo,
    first: context.urlFor(repo, `referrers/${subject}`),
    headers: { accept: OCI_INDEX },
    what,
    maxValues: MAX_REFERRER_PAGE_VALUES,
    onFirst: async (response) => {
      const type = response.headers.get('content-type')?.split(';')[0]?.trim();
      const isApi = response.status === 200 && type === OCI_INDEX;
      if (isApi || !(NO_API_STATUSES.has(response.status) || response.status === 200)) return 'page';
      await discardBody(response);
      return 'stop';
    },
    onPage: (page) => {
      const parsed = indexSchema.safeParse(page);
      if (!parsed.success)
        throw new RegistryError('MALFORMED_RESPONSE', `expected an OCI index in ${what}, got another shape`);
      keep(parsed.data.manifests);
    },
  });
  if (read) return { via: 'referrers-api', manifests };

  const fallback = await fallbackRead;
  if (fallback === undefined) return { via: 'referrers-tag', manifests: [] };
  if (!isOciIndex(fallback.json)) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected an index at ${formatRepository(repo)}:${fallbackTag}, got ${fallback.mediaType}`,
    );
  }
  keep(fallback.json.manifests);
  return { via: 'referrers-tag', manifests };
}

// Only what discovery reads is kept: a hostile entry's other fields (up to a page's 4 MiB) are dropped at once.
export function toDescriptor(descriptor: Descriptor): Descriptor {
  return {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(descriptor.artifactType !== undefined && { artifactType: descriptor.artifactType }),
    ...(descriptor.annotations !== undefined && { annotations: descriptor.annotations }),
  };
}
