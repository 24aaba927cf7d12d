import type { Deadline } from './deadline.js';
import { toTransportError } from './errors.js';
import type { RegistryFetch } from './transport.js';

export interface BaseFetchOptions {
  fetch: typeof fetch;
  /** Per request (`--request-timeout`), including reading the body. */
  timeoutMs: number;
  /** The whole run's deadline (`--timeout`), if any. */
  deadline?: Deadline;
}

/**
 * The innermost layer: one HTTP exchange with a per-request timeout and the run's deadline, both also covering
 * reading the body, redirects left to the redirect layer, and thrown errors mapped to RegistryError TIMEOUT/NETWORK
 * naming the host (or the DeadlineError itself when the run's deadline passed).
 */
export function createBaseFetch(options: BaseFetchOptions): RegistryFetch {
  const { deadline } = options;
  return async (request) => {
    if (deadline?.signal.aborted) throw deadline.error;
    const perRequest = AbortSignal.timeout(options.timeoutMs);
    try {
      return await options.fetch(request.url, {
        method: request.method ?? 'GET',
        headers: request.headers ?? {},
        ...(request.body !== undefined && { body: request.body }),
        redirect: 'manual',
        signal: deadline ? AbortSignal.any([perRequest, deadline.signal]) : perRequest,
      });
    } catch (error) {
      if (deadline?.signal.aborted) throw deadline.error;
      throw toTransportError(error, request.what, request.url.host);
    }
  };
}
