import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../errors.js';

/** Names of the policies shipped in the package's `policies/` folder. */
export const BUNDLED_POLICIES = ['policy.cue', 'policy-sbom.cue'] as const;

/**
 * The package's bundled `policies/` directory. Resolved from this module's URL, so it works from `src/` (vitest)
 * and from `dist/src/` or `dist/` (the built CLI): the nearest ancestor folder holding `policies/policy.cue`.
 */
export function bundledPolicyDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(dir, 'policies');
    if (existsSync(join(candidate, 'policy.cue'))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new InternalError(`expected the bundled policies/ folder above ${fileURLToPath(import.meta.url)}, got none`);
}

/** The path of a bundled project profile, e.g. `natrontech-gcp-mysql-backup`. */
export function bundledProfilePath(name: string): string {
  return join(bundledPolicyDir(), 'profiles', `${name}.json`);
}
