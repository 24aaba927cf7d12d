import { RegistryError } from '../errors.js';
import { formatRepository } from '../model/reference.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { fetchPages } from './pages.js';

const PAGE_SIZE = 1_000;
/** Tags one listing may hold: far above real repositories (with cosign's `.sig`/`.att` tags), bounded in memory. */
export const MAX_TAGS = 100_000;
/** The distribution spec's tag grammar; anything else cannot be resolved, so it is not kept. */
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Lists a repository's tags (`/v2/<name>/tags/list?n=1000`), following Link pagination. Each page is validated as
 * it arrives and only its tags that match the tag grammar are kept; the pages are not. Order is whatever the
 * registry returns (distribution 2.8 does not sort), duplicates across pages removed.
 *
 * @throws RegistryError NOT_FOUND for an unknown repository, MALFORMED_RESPONSE for a bad page, TOO_LARGE past
 *   MAX_TAGS tags or the listing caps (pages.ts).
 */
export async function fetchTags(
  context: RegistryContext,
  repo: RepositoryRef,
  options: { maxPages?: number } = {},
): Promise<string[]> {
  const what = `tag list of ${formatRepository(repo)}`;
  const first = context.urlFor(repo, 'tags/list');
  first.searchParams.set('n', String(PAGE_SIZE));
  const tags = new Set<string>();
  await fetchPages(context, {
    repo,
    first,
    what,
    ...(options.maxPages !== undefined && { maxPages: options.maxPages }),
    // A page is a few fields and its tags: more values than the tags a listing may hold is too large already.
    maxValues: MAX_TAGS + 16,
    onPage: (page) => {
      if (typeof page !== 'object' || page === null || Array.isArray(page)) throw malformed(what);
      const listed = (page as { tags?: unknown }).tags;
      if (listed === undefined || listed === null) return;
      if (!Array.isArray(listed)) throw malformed(what);
      for (const tag of listed) {
        if (typeof tag !== 'string') throw malformed(what);
        if (!TAG.test(tag)) continue;
        tags.add(tag);
        if (tags.size > MAX_TAGS) {
          throw new RegistryError('TOO_LARGE', `${what} is too large: expected at most ${MAX_TAGS} tags, got more`);
        }
      }
    },
  });
  return [...tags];
}

function malformed(what: string): RegistryError {
  return new RegistryError('MALFORMED_RESPONSE', `expected {"tags": [string]} in ${what}, got another shape`);
}
