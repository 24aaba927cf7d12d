import { RegistryError } from '../errors.js';

/** cosign's `--timeout` default: the whole run, retries and waits included. */
export const DEFAULT_RUN_TIMEOUT_MS = 5 * 60_000;

/** The run's deadline passed; every registry request and wait still pending fails with this error. */
export class DeadlineError extends RegistryError {
  constructor(readonly timeoutMs: number) {
    super(
      'TIMEOUT',
      `expected the run to finish within ${formatSeconds(timeoutMs)} (--timeout), got past that deadline`,
    );
  }
}

/**
 * One deadline for a whole run (cosign's `--timeout`). `signal` aborts with a DeadlineError when it passes; the
 * registry client attaches it to every request, every body read and every retry wait.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** When it passes, in `Date.now()` milliseconds. */
  readonly expiresAt: number;
  readonly timeoutMs: number;
  /** The error every pending operation fails with once the deadline passed. */
  readonly error: DeadlineError;
  /** Rejects with `error` when the deadline passes before `promise` settles (for work that takes no signal). */
  race<T>(promise: Promise<T>): Promise<T>;
  /** Stops the timer (the run is over). */
  stop(): void;
}

/**
 * @param startedAt when the run's clock started (the CLI: before it compiled policies), so the deadline counts the
 *   work done before the first request too; default now.
 */
export function startDeadline(timeoutMs: number, now: () => number = Date.now, startedAt: number = now()): Deadline {
  const error = new DeadlineError(timeoutMs);
  const controller = new AbortController();
  const expiresAt = startedAt + timeoutMs;
  // Node's timers hold at most 2^31-1 ms; the CLI caps --timeout at a day, well below that.
  const timer = setTimeout(() => controller.abort(error), Math.min(Math.max(expiresAt - now(), 0), 2 ** 31 - 1));
  timer.unref();
  const { signal } = controller;
  return {
    signal,
    expiresAt,
    timeoutMs,
    error,
    race: <T>(promise: Promise<T>): Promise<T> => {
      if (signal.aborted) return Promise.reject(error);
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => reject(error);
        signal.addEventListener('abort', onAbort, { once: true });
        promise.then(
          (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (reason: unknown) => {
            signal.removeEventListener('abort', onAbort);
            // Passed on as it is: the caller's own error, whatever its type.
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
            reject(reason);
          },
        );
      });
    },
    stop: () => clearTimeout(timer),
  };
}

/** Whether `error` is the run's deadline passing (directly, or as the cause of a wrapping error). */
export function isDeadlineError(error: unknown): error is DeadlineError {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof DeadlineError) return true;
    current = current.cause;
  }
  return false;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
