import { z } from 'zod';
import { RegistryError } from '../errors.js';
import { formatRepository } from '../model/reference.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { fetchPages } from './pages.js';

const PAGE_SIZE = 1_000;
const tagPageSchema = z.object({ tags: z.array(z.string()).nullish() });

/**
 * Lists a repository's tags (`/v2/<name>/tags/list?n=1000`), following Link pagination. Order is whatever the
 * registry returns (distribution 2.8 does not sort), duplicates across pages removed.
 *
 * @throws RegistryError NOT_FOUND for an unknown repository, MALFORMED_RESPONSE for a bad page.
 */
export async function fetchTags(context: RegistryContext, repo: RepositoryRef): Promise<string[]> {
  const what = `tag list of ${formatRepository(repo)}`;
  const first = context.urlFor(repo, 'tags/list');
  first.searchParams.set('n', String(PAGE_SIZE));
  const pages = (await fetchPages(context, { repo, first, what })) ?? [];
  const tags = new Set<string>();
  for (const page of pages) {
    const parsed = tagPageSchema.safeParse(page);
    if (!parsed.success)
      throw new RegistryError('MALFORMED_RESPONSE', `expected {"tags": [string]} in ${what}, got another shape`);
    for (const tag of parsed.data.tags ?? []) tags.add(tag);
  }
  return [...tags];
}
