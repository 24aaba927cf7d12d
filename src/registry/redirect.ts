import { RegistryError } from '../errors.js';
import { discardBody, type RegistryFetch } from './transport.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Follows redirects by hand (at most 5) so that credentials stay with the registry: ghcr.io and Docker Hub send blob
 * downloads to a CDN, and the registry's `Authorization` must never reach that other host (the auth layer below adds
 * it per hop, for the registry's host only). A redirect from HTTPS to plain HTTP is refused, and so is a 307/308 that
 * would carry a request body (a token request's refresh token) to another host.
 */
export function withRedirects(next: RegistryFetch): RegistryFetch {
  return async (request) => {
    let current = request;
    for (let hop = 0; ; hop++) {
      const response = await next(current);
      if (!REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.get('location');
      await discardBody(response);
      if (location === null) {
        throw new RegistryError(
          'MALFORMED_RESPONSE',
          `expected a Location header with HTTP ${response.status} for ${request.what}, got none`,
          {
            status: response.status,
          },
        );
      }
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(
          'REGISTRY',
          `expected at most ${MAX_REDIRECTS} redirects for ${request.what}, got more`,
          {
            status: response.status,
          },
        );
      }
      const target = toTarget(location, current.url, request.what);
      const headers = { ...current.headers };
      const crossHost = target.host !== current.url.host;
      if (crossHost) delete headers.authorization;
      // 303 (and 301/302 for POST, as browsers do) continue as GET without a body.
      const asGet =
        response.status === 303 || ((response.status === 301 || response.status === 302) && current.method === 'POST');
      // 307/308 would repeat the body, which for a token request holds a refresh token: never to another host.
      if (crossHost && !asGet && current.body !== undefined) {
        throw new RegistryError(
          'AUTH',
          `expected ${request.what} to be answered by ${current.url.host}, got HTTP ${response.status} to ${target.host}; a request body is never re-sent to another host`,
          { status: response.status },
        );
      }
      current = {
        ...current,
        url: target,
        headers,
        ...(asGet && { method: 'GET' as const, body: undefined }),
      };
    }
  };
}

function toTarget(location: string, base: URL, what: string): URL {
  let target: URL;
  try {
    target = new URL(location, base);
  } catch (error) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected a valid redirect URL for ${what}, got an unparseable Location`,
      { cause: error },
    );
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && base.protocol === 'http:')) {
    throw new RegistryError(
      'REGISTRY',
      `expected an https redirect for ${what}, got ${target.protocol.replace(':', '')} to ${target.host}`,
    );
  }
  return target;
}
