import { RegistryError } from '../errors.js';
import type { Deadline } from './deadline.js';
import { toTransportError } from './errors.js';
import type { HttpExchange, RegistryFetch, RegistryRequest } from './transport.js';

/** One finished HTTP exchange, for `--verbose`: no headers, no query string (redirect URLs may carry signatures). */
export interface RequestEvent {
  method: string;
  /** `host[:port]/path`, without the query string. */
  url: string;
  /** The HTTP status, or the error's one-line reason when there was no response. */
  outcome: number | string;
  durationMs: number;
}

export interface BaseFetchOptions {
  /** Carries one exchange: http.ts's, or an injected one (globalThis.fetch fits). */
  exchange: HttpExchange;
  /** Per request (`--request-timeout`), including reading the body. */
  timeoutMs: number;
  /** The whole run's deadline (`--timeout`), if any. */
  deadline?: Deadline;
  /** Told about every exchange once its status (or failure) is known. */
  onRequest?: (event: RequestEvent) => void;
}

/**
 * The innermost layer: one HTTP exchange with a per-request timeout and the run's deadline, both also covering
 * reading the body, redirects left to the redirect layer, and thrown errors mapped to RegistryError TIMEOUT/NETWORK
 * naming the host (or the DeadlineError itself when the run's deadline passed).
 */
export function createBaseFetch(options: BaseFetchOptions): RegistryFetch {
  const { deadline, onRequest } = options;
  return async (request) => {
    if (deadline?.signal.aborted) throw deadline.error;
    const started = Date.now();
    const method = request.method ?? 'GET';
    const report = (outcome: number | string): void =>
      onRequest?.({
        method,
        url: `${request.url.host}${request.url.pathname}`,
        outcome,
        durationMs: Date.now() - started,
      });
    const timeout = requestTimeout(options.timeoutMs, request);
    try {
      const response = await options.exchange(request.url, {
        method,
        headers: request.headers ?? {},
        ...(request.body !== undefined && { body: request.body }),
        redirect: 'manual',
        signal: deadline ? AbortSignal.any([timeout.signal, deadline.signal]) : timeout.signal,
      });
      timeout.answered = true;
      report(response.status);
      return response;
    } catch (error) {
      const reason = deadline?.signal.aborted
        ? deadline.error
        : toTransportError(error, request.what, request.url.host);
      report(reason.message);
      throw reason;
    }
  };
}

/**
 * A per-request timeout whose abort reason says what timed out, after how long and which flag sets the limit; the
 * exchange and the body stream reject with that reason, so a body that stops arriving is reported the same way.
 */
function requestTimeout(ms: number, request: RegistryRequest): { signal: AbortSignal; answered: boolean } {
  const controller = new AbortController();
  const state = { signal: controller.signal, answered: false };
  const limit = `within ${Number((ms / 1000).toFixed(3))} s (--request-timeout)`;
  const host = request.url.host;
  // unref: a request that finished long ago must not keep the process alive until its timer would have fired.
  setTimeout(() => {
    const message = state.answered
      ? `${request.what} from ${host} did not finish arriving ${limit}`
      : `no answer from ${host} ${limit} for ${request.what}`;
    controller.abort(new RegistryError('TIMEOUT', message));
  }, ms).unref();
  return state;
}
