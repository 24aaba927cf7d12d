import { isTransientNetworkError } from './errors.js';
import { discardBody, type RegistryFetch } from './transport.js';

/** Statuses worth another attempt: rate limiting and gateway trouble (not 500: a bug does not heal by waiting). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const BASE_DELAY_MS = 1_000;
/** No wait, whatever the server asks for, exceeds this. */
export const MAX_RETRY_DELAY_MS = 30_000;

export interface RetryOptions {
  /** Extra attempts after the first. */
  retries: number;
  sleep: (ms: number) => Promise<void>;
  /** Clock for `Retry-After` HTTP dates. */
  now?: () => number;
}

/**
 * Retries 429/502/503/504 responses and reset connections with exponential backoff (1 s, 2 s, 4 s…), honouring
 * `Retry-After` (seconds or HTTP date), every wait capped at 30 s. When attempts run out the last response is
 * returned (or the last error thrown) for the caller to report.
 */
export function withRetry(next: RegistryFetch, options: RetryOptions): RegistryFetch {
  const now = options.now ?? Date.now;
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= options.retries;
      let response: Response;
      try {
        response = await next(request);
      } catch (error) {
        if (last || !isTransientNetworkError(error)) throw error;
        await options.sleep(backoff(attempt));
        continue;
      }
      if (last || !RETRYABLE_STATUSES.has(response.status)) return response;
      const delay = retryAfter(response.headers.get('retry-after'), now()) ?? backoff(attempt);
      await discardBody(response);
      await options.sleep(delay);
    }
  };
}

function backoff(attempt: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 *
 * @returns milliseconds to wait, capped; undefined when absent or unparseable.
 */
export function retryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1_000;
  else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = date - nowMs;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_DELAY_MS);
}
