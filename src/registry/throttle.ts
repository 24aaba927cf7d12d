import { RegistryError } from '../errors.js';

/** Requests in flight at once per client: enough to overlap round trips, few enough not to flood a registry. */
export const MAX_CONCURRENT_REQUESTS = 8;
/** All blobs one run may read together: far above any real release's evidence, far below what exhausts memory. */
export const DEFAULT_MAX_TOTAL_BLOB_BYTES = 512 * 1024 * 1024;

/**
 * Runs at most `concurrency` tasks at once, the rest in call order. A hostile `.sig` manifest can list 1000 layers;
 * without a bound each would open its own connection at the same moment.
 */
export function createLimiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` never drops below what is really in flight.
      const next = waiting.shift();
      if (next !== undefined) next();
      else running--;
    }
  };
}

/**
 * Bytes a run may still read as blobs. Sizes are reserved before the download starts, so a manifest whose layers
 * add up past the budget fails before most of them are fetched.
 */
export class ByteBudget {
  #remaining: number;

  constructor(readonly total: number) {
    this.#remaining = total;
  }

  /** @throws RegistryError TOO_LARGE when `bytes` no longer fit. */
  reserve(bytes: number, what: string): void {
    if (bytes > this.#remaining) {
      throw new RegistryError(
        'TOO_LARGE',
        `expected evidence blobs of at most ${this.total} bytes in total, got more with ${what} (${bytes} bytes)`,
      );
    }
    this.#remaining -= bytes;
  }

  /** Returns bytes reserved but not kept (a failed download, or fewer bytes than reserved). */
  release(bytes: number): void {
    this.#remaining = Math.min(this.total, this.#remaining + bytes);
  }
}
