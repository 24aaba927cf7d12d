import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is `test/support/corpus.ts`). */
export const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * The real-world corpus vendored in `fixtures/realworld/` (see fixtures/README.md). `VERIFY_RELEASE_REALWORLD` may
 * point at a newer copy with the same layout.
 *
 * @throws when the folder is missing, naming the path and the override, so corpus tests fail and never skip.
 */
export function corpusDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.VERIFY_RELEASE_REALWORLD || join(repoRoot, 'fixtures/realworld');
  if (!existsSync(join(dir, 'cases.json'))) {
    throw new Error(
      `real-world corpus not found: expected ${join(dir, 'cases.json')} (fixtures/realworld is part of the repository; VERIFY_RELEASE_REALWORLD overrides it)`,
    );
  }
  return dir;
}
