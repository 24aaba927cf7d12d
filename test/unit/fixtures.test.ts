import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';

const REALWORLD = join(repoRoot, 'fixtures/realworld');

interface ManifestEntry {
  path: string;
  sha256: string;
  repo: string;
  commit: string;
  license: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('fixtures/realworld', () => {
  const manifest = JSON.parse(readFileSync(join(REALWORLD, 'MANIFEST.json'), 'utf8')) as { files: ManifestEntry[] };

  it('lists every vendored file, and only those, with its digest', () => {
    const onDisk = walk(REALWORLD)
      .map((file) => relative(REALWORLD, file))
      .filter((file) => file !== 'MANIFEST.json')
      .sort();
    expect(manifest.files.map((entry) => entry.path)).toEqual(onDisk);
    for (const entry of manifest.files) {
      const digest = createHash('sha256')
        .update(readFileSync(join(REALWORLD, entry.path)))
        .digest('hex');
      expect({ path: entry.path, sha256: digest }).toEqual({ path: entry.path, sha256: entry.sha256 });
    }
  });

  it('names a source repository, commit and license for every upstream file', () => {
    const upstream = manifest.files.filter((entry) => !['README.md', 'cases.json'].includes(entry.path));
    for (const entry of upstream) {
      expect(entry.repo, entry.path).not.toBe('');
      expect(entry.commit, entry.path).not.toBe('');
      expect(entry.license, entry.path).toMatch(/^Apache-2\.0/);
    }
  });
});
