import { createHash } from 'node:crypto';

/**
 * Seeded, reproducible randomness for what the test Sigstore chooses (log indexes, tree sizes, sibling hashes, tree
 * ids, serial numbers): the same seed mints the same structure every run, so a failure is reproducible by its seed.
 * Keys and ECDSA signatures stay random (Node offers no seeded key generation); their bytes never change the
 * structure of what is minted.
 */
export interface SeededRandom {
  /** `n` bytes of the stream. */
  bytes(n: number): Buffer;
  /** A uniform integer in `[min, max)`; the range must be at most 2^48. */
  int(min: number, max: number): number;
}

/** The default seed: every instance that does not ask for another one mints the same structures. */
export const DEFAULT_SEED = 'verify-release test sigstore';

/** A SHA-256 counter-mode stream over `seed`. */
export function seededRandom(seed: string): SeededRandom {
  let counter = 0;
  let pool = Buffer.alloc(0);
  const bytes = (n: number): Buffer => {
    while (pool.length < n) {
      const block = createHash('sha256').update(seed).update('\0').update(String(counter++)).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = Buffer.from(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
  return {
    bytes,
    int(min, max) {
      const range = max - min;
      if (!Number.isSafeInteger(range) || range <= 0 || range > 2 ** 48) throw new Error(`bad range [${min}, ${max})`);
      // Rejection sampling over 48-bit values: no modulo bias.
      const limit = Math.floor(2 ** 48 / range) * range;
      for (;;) {
        const value = bytes(6).readUIntBE(0, 6);
        if (value < limit) return min + (value % range);
      }
    },
  };
}
