import { RegistryError } from '../errors.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { parseJson } from './json.js';
import { MAX_MANIFEST_BYTES, readBody } from './limits.js';
import { parseNextLink } from './link.js';
import { toResponseError } from './response-error.js';
import type { RegistryResponse } from './transport.js';

const MAX_PAGES = 1_000;
/** All pages of one listing together: far above a 100,000-tag repository, far below what exhausts memory. */
export const MAX_LISTING_BYTES = 64 * 1024 * 1024;

export interface PageRequest {
  repo: RepositoryRef;
  first: URL;
  headers?: Record<string, string>;
  what: string;
  /** Most JSON values one page may hold (see scanJson). */
  maxValues: number;
  /**
   * Looks at the first response before it is read: `page` reads it as usual (non-200 is an error), `stop` abandons
   * the listing (the referrers API is missing, so the caller falls back). Must consume the body when stopping.
   */
  onFirst?: (response: RegistryResponse) => Promise<'page' | 'stop'>;
  /** Stop quietly after this many pages (a best-effort look, such as a hint); default: read to the end. */
  maxPages?: number;
  /** Validates one parsed page as it arrives and keeps what the result needs; the page itself is not retained. */
  onPage: (page: unknown) => void;
}

/**
 * Reads a paginated JSON list (tags, referrers) one page at a time: each page capped (4 MiB, `maxValues`), all pages
 * together capped (MAX_LISTING_BYTES), `Link: <…>; rel="next"` followed on the same host only, loops and runaway
 * pagination refused.
 *
 * @returns false when `onFirst` stopped, true when the listing was read to its end.
 * @throws RegistryError TOO_LARGE past a cap, MALFORMED_RESPONSE for loops, bad JSON or a Link to another host.
 */
export async function fetchPages(context: RegistryContext, request: PageRequest): Promise<boolean> {
  const seen = new Set<string>();
  let total = 0;
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
    if (seen.size === 1 && request.onFirst !== undefined && (await request.onFirst(response)) === 'stop') return false;
    if (response.status !== 200) throw await toResponseError(response, request.what);
    const bytes = await readBody(response, {
      maxBytes: Math.min(MAX_MANIFEST_BYTES, MAX_LISTING_BYTES - total),
      what: request.what,
    }).catch((error: unknown) => {
      if (error instanceof RegistryError && error.code === 'TOO_LARGE' && total > 0) {
        throw new RegistryError(
          'TOO_LARGE',
          `${request.what} is too large: expected at most ${MAX_LISTING_BYTES} bytes in all pages, got more`,
        );
      }
      throw error;
    });
    total += bytes.byteLength;
    request.onPage(parseJson(bytes, request.what, request.maxValues));
    const next = parseNextLink(response.headers.get('link'), url);
    if (next !== undefined && next.origin !== request.first.origin) {
      throw new RegistryError(
        'MALFORMED_RESPONSE',
        `expected ${request.what} pages on ${request.first.host}, got a Link to ${next.host}`,
      );
    }
    url = request.maxPages !== undefined && seen.size >= request.maxPages ? undefined : next;
  }
  return true;
}
