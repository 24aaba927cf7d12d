import { toTransportError } from './errors.js';
import type { RegistryFetch } from './transport.js';

export interface BaseFetchOptions {
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * The innermost layer: one HTTP exchange with a per-request timeout that also covers reading the body, redirects
 * left to the redirect layer, and thrown errors mapped to RegistryError TIMEOUT/NETWORK naming the host.
 */
export function createBaseFetch(options: BaseFetchOptions): RegistryFetch {
  return async (request) => {
    try {
      return await options.fetch(request.url, {
        method: request.method ?? 'GET',
        headers: request.headers ?? {},
        ...(request.body !== undefined && { body: request.body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw toTransportError(error, request.what, request.url.host);
    }
  };
}
