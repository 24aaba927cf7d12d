import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_PREFIX, BUNDLE_SUFFIX, cacheFile, cachePath, runBundle } from '../../../bin/load-bundle.js';

/** A module's source as the build writes it: inside Node's CommonJS wrapper. */
function wrapped(source: string): string {
  return `${BUNDLE_PREFIX}${source}${BUNDLE_SUFFIX}`;
}

/** A bundle of the module `source` and the code cache the build would write for it. */
async function builtBundle(source: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'verify-release-bundle-')), 'cli.cjs');
  await writeFile(path, wrapped(source));
  const { script } = runBundle(path, { useCache: false });
  await writeFile(cachePath(path), cacheFile(await readFile(path), script.createCachedData()));
  return path;
}

describe('#runBundle', () => {
  it('runs the bundle as a CommonJS module, with the code cache made for it', async () => {
    const path = await builtBundle("exports.answer = () => 'one'; exports.file = __filename;");
    const { exports, script } = runBundle(path);
    expect(script.cachedDataRejected).toBe(false);
    expect((exports.answer as () => string)()).toBe('one');
    expect(exports.file).toBe(path);
  });

  it('never uses a cache made for other bytes, even of the same length (V8 checks only the length)', async () => {
    const path = await builtBundle("exports.answer = () => 'one';");
    await writeFile(path, wrapped("exports.answer = () => 'two';"));
    const { exports, script } = runBundle(path);
    expect(script.cachedDataRejected).toBeUndefined();
    expect((exports.answer as () => string)()).toBe('two');
  });

  it('reads a bundle that is not ASCII as UTF-8 (the build writes ASCII, read as Latin-1)', async () => {
    const path = await builtBundle("exports.answer = () => 'zwölf ✓';");
    const { exports, script } = runBundle(path);
    expect(script.cachedDataRejected).toBe(false);
    expect((exports.answer as () => string)()).toBe('zwölf ✓');
  });

  it('refuses a file that is not a module in the wrapper', async () => {
    const path = await builtBundle("exports.answer = () => 'one';");
    await writeFile(path, "exports.answer = () => 'one';");
    expect(() => runBundle(path)).toThrow(/exports is not defined/);
    await writeFile(path, '1 + 1');
    expect(() => runBundle(path)).toThrow(`${path}: expected ${BUNDLE_PREFIX}`);
  });

  it('compiles the source as usual without a cache, or with a cache that is not one', async () => {
    const path = await builtBundle("exports.answer = () => 'one';");
    await writeFile(cachePath(path), 'not a cache');
    expect((runBundle(path).exports.answer as () => string)()).toBe('one');
  });
});
