import { RegistryError } from '../errors.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { MAX_MANIFEST_BYTES, readJson } from './limits.js';
import { parseNextLink } from './link.js';
import { toResponseError } from './response-error.js';

const MAX_PAGES = 1_000;

export interface PageRequest {
  repo: RepositoryRef;
  first: URL;
  headers?: Record<string, string>;
  what: string;
  /**
   * Looks at the first response before it is read: `page` reads it as usual (non-200 is an error), `stop` abandons
   * the listing (the referrers API is missing, so the caller falls back). Must consume the body when stopping.
   */
  onFirst?: (response: Response) => Promise<'page' | 'stop'>;
}

/**
 * Reads a paginated JSON list (tags, referrers): each page capped, `Link: <…>; rel="next"` followed on the same
 * host only (the Authorization header goes with it), loops and runaway pagination refused.
 *
 * @returns the JSON pages in order, or undefined when `onFirst` stopped.
 */
export async function fetchPages(context: RegistryContext, request: PageRequest): Promise<unknown[] | undefined> {
  const pages: unknown[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = request.first;
  while (url !== undefined) {
    if (seen.has(url.href) || seen.size >= MAX_PAGES) {
      throw new RegistryError(
        'MALFORMED_RESPONSE',
        `expected ${request.what} to end within ${MAX_PAGES} pages without loops, got more`,
      );
    }
    seen.add(url.href);
    const response = await context.fetch({
      url,
      ...(request.headers !== undefined && { headers: request.headers }),
      registry: request.repo.registry,
      repository: request.repo.repository,
      what: request.what,
    });
    if (pages.length === 0 && request.onFirst !== undefined && (await request.onFirst(response)) === 'stop')
      return undefined;
    if (response.status !== 200) throw await toResponseError(response, request.what);
    pages.push(await readJson(response, { maxBytes: MAX_MANIFEST_BYTES, what: request.what }));
    const next = parseNextLink(response.headers.get('link'), url);
    if (next !== undefined && next.origin !== request.first.origin) {
      throw new RegistryError(
        'MALFORMED_RESPONSE',
        `expected ${request.what} pages on ${request.first.host}, got a Link to ${next.host}`,
      );
    }
    url = next;
  }
  return pages;
}
