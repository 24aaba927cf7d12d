import type { Deadline } from './deadline.js';
import { isTransientNetworkError } from './errors.js';
import { discardBody, type RegistryFetch, type RegistryResponse } from './transport.js';

/** Statuses worth another attempt: rate limiting and gateway trouble (not 500: a bug does not heal by waiting). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const BASE_DELAY_MS = 1_000;
/** No single wait, whatever the server asks for, exceeds this. */
export const MAX_RETRY_DELAY_MS = 10_000;

export interface RetryOptions {
  /** Extra attempts after the first. */
  retries: number;
  /** Waits `ms`; stops early (rejecting) when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock for `Retry-After` HTTP dates and the deadline. */
  now?: () => number;
  /** The run's deadline: no wait goes past it; a wait that would ends the run now with its error. */
  deadline?: Deadline;
}

/**
 * Retries 429/502/503/504 responses and reset connections with exponential backoff (1 s, 2 s, 4 s…), honouring
 * `Retry-After` (seconds or HTTP date), every wait capped at 10 s and never past the run's deadline. When attempts
 * run out the last response is returned (or the last error thrown) for the caller to report.
 */
export function withRetry(next: RegistryFetch, options: RetryOptions): RegistryFetch {
  const now = options.now ?? Date.now;
  const { deadline } = options;
  const wait = async (ms: number): Promise<void> => {
    if (deadline === undefined) return options.sleep(ms);
    // Waiting past the deadline only postpones the same failure.
    if (now() + ms >= deadline.expiresAt) throw deadline.error;
    await options.sleep(ms, deadline.signal);
    if (deadline.signal.aborted) throw deadline.error;
  };
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= options.retries;
      let response: RegistryResponse;
      try {
        response = await next(request);
      } catch (error) {
        if (last || !isTransientNetworkError(error)) throw error;
        await wait(backoff(attempt));
        continue;
      }
      if (last || !RETRYABLE_STATUSES.has(response.status)) return response;
      const delay = retryAfter(response.headers.get('retry-after'), now()) ?? backoff(attempt);
      await discardBody(response);
      await wait(delay);
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
