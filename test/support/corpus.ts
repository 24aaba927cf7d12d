import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is `test/support/corpus.ts`). */
export const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * The shared real-world corpus, `<repoRoot>/../shared/realworld`: CI copies `shared/` beside the clone, as it sits
 * beside /work/main here. `VERIFY_RELEASE_REALWORLD` overrides it.
 *
 * @throws when the folder is missing, naming the path and the override, so corpus tests fail and never skip.
 */
export function corpusDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.VERIFY_RELEASE_REALWORLD || join(repoRoot, '../shared/realworld');
  if (!existsSync(join(dir, 'cases.json'))) {
    throw new Error(
      `real-world corpus not found: expected ${join(dir, 'cases.json')} (copy shared/ beside the clone or set VERIFY_RELEASE_REALWORLD)`,
    );
  }
  return dir;
}
