#!/usr/bin/env node
// Writes fixtures/realworld/MANIFEST.json: every vendored corpus file with its sha256, upstream repository, commit,
// path and license. Sources come from cases.json (per case) and, for files no case names, from the folder's upstream.
// Run after changing fixtures/realworld: `node scripts/fixtures-manifest.mjs`. test/unit/fixtures.test.ts checks it.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../fixtures/realworld');
const { cases } = JSON.parse(readFileSync(join(root, 'cases.json'), 'utf8'));

/** Upstream of files that no case row names (trusted roots, extra layouts, docs). */
const FOLDER_SOURCES = [
  [
    'trusted-roots/public-good-2023-06',
    { repo: 'sigstore/sigstore-go', commit: '4594ab4c77', path: 'examples/trusted-root-public-good.json' },
  ],
  [
    'trusted-roots/staging',
    {
      repo: 'sigstore/sigstore-python',
      commit: '27db13db15',
      path: 'sigstore/_store/https%3A%2F%2Ftuf-repo-cdn.sigstage.dev/trusted_root.json',
    },
  ],
  [
    'trusted-roots/',
    { repo: 'npm:@sigstore/tuf@5.0.1', commit: 'seeds.json', path: 'seeds.json (base64 TUF targets)' },
  ],
  [
    'derived/',
    {
      repo: 'made for this project from slsa-framework/slsa-verifier',
      commit: 'aaf98fd77d',
      path: 'see DERIVATION.txt',
    },
  ],
];
const UPSTREAM = {
  'sigstore-conformance': 'sigstore/sigstore-conformance',
  'slsa-verifier': 'slsa-framework/slsa-verifier',
  cosign: 'sigstore/cosign',
  'sigstore-rs': 'sigstore/sigstore-rs',
  'sigstore-js': 'sigstore/sigstore-js',
  'sigstore-go': 'sigstore/sigstore-go',
  'sigstore-python': 'sigstore/sigstore-python',
  'sigstore-java': 'sigstore/sigstore-java',
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const commitOf = {};
for (const c of cases) {
  const top = c.files[0].split('/')[0];
  if (UPSTREAM[top] && c.source.repo === UPSTREAM[top]) commitOf[top] = c.source.commit;
}

function sourceOf(file) {
  const rows = cases.filter((c) => [...c.files, c.attManifest, c.layerBlob].includes(file));
  if (rows.length > 0) return { ...rows[0].source, license: rows[0].license, cases: rows.map((c) => c.id) };
  const folder = FOLDER_SOURCES.find(([prefix]) => file.startsWith(prefix));
  if (folder) return { ...folder[1], license: 'Apache-2.0', cases: [] };
  const top = file.split('/')[0];
  if (UPSTREAM[top]) {
    return {
      repo: UPSTREAM[top],
      commit: commitOf[top],
      path: file.slice(top.length + 1),
      license: 'Apache-2.0',
      cases: [],
    };
  }
  return { repo: 'this project', commit: '', path: file, license: 'Apache-2.0', cases: [] };
}

const files = walk(root)
  .map((file) => relative(root, file))
  .filter((file) => file !== 'MANIFEST.json')
  .sort()
  .map((file) => {
    const { path: upstreamPath, ...source } = sourceOf(file);
    return {
      path: file,
      sha256: createHash('sha256')
        .update(readFileSync(join(root, file)))
        .digest('hex'),
      kind: file.includes('/extracted/') ? 'extracted' : file.startsWith('derived/') ? 'derived' : 'copy',
      ...source,
      upstreamPath,
    };
  });
writeFileSync(
  join(root, 'MANIFEST.json'),
  JSON.stringify({ generatedBy: 'scripts/fixtures-manifest.mjs', files }, null, 1) + '\n',
);
console.log(`${files.length} files listed in fixtures/realworld/MANIFEST.json`);
