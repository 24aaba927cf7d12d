#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (esbuild): a few files instead of hundreds of modules, so a cold start spends
// its time verifying, not resolving imports. The library API keeps tsc's dist/ with its type declarations.
//   cli.cjs        the CLI, one CommonJS module written inside Node's wrapper, run by bin/load-bundle.js with
//                  cli.cjs.cache, V8's code cache for it
//   tuf.cjs        @sigstore/tuf with tuf-js and its HTTP stack, loaded only when TUF is used
//   noble.cjs      @noble/curves' NIST curves, loaded only to verify a signature over a bare digest
//   cue-worker.js  the CUE engine's thread (ESM: cue-wasm's Go runtime is loaded with import()); cue-wasm stays a
//                  package
//   cue.wasm       cue-wasm's WebAssembly, inflated once here from tsc's dist/ (npm run build runs tsc first); the
//                  worker checks its pinned sha256 on every load
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_PREFIX, BUNDLE_SUFFIX, cacheFile, cachePath, runBundle } from '../bin/load-bundle.js';
import { INFLATED_MODULE, inflateModule } from '../dist/policy/cue-runtime.js';
import { re2jsFoldOnDemand } from './re2js-fold-on-demand.mjs';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'dist/bundle');
const cli = join(outdir, 'cli.cjs');
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'linked',
  logLevel: 'warning',
  // Less text to read, hash and decode at every start; names stay (commander and zod read constructor names), and
  // ASCII output lets the loader decode it as Latin-1, a plain copy.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
};
// CommonJS output has no import.meta; the bundle's file URL stands in for it (modules resolve files beside it).
const importMetaUrl = {
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// `import('@sigstore/tuf')` becomes a require of tuf.cjs, made when the import runs, not when the CLI starts.
const lazyTuf = {
  name: 'lazy-tuf',
  setup(builder) {
    builder.onResolve({ filter: /^@sigstore\/tuf$/ }, () => ({ path: 'tuf', namespace: 'lazy-tuf' }));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-tuf' }, () => ({
      contents: "module.exports = require('./tuf.cjs');",
      loader: 'js',
    }));
  },
};

// @noble/curves builds its curves, and @noble/hashes reaches for WebCrypto, when they load (~2 ms of a cold start);
// only a signature over a bare digest needs them (src/sigstore/bundle/prehash.ts, which reads the curves when it
// verifies). They are bundled in noble.cjs and required on first use.
const lazyNoble = {
  name: 'lazy-noble',
  setup(builder) {
    builder.onResolve({ filter: /^@noble\/curves\/nist\.js$/ }, () => ({ path: 'nist', namespace: 'lazy-noble' }));
    builder.onLoad({ filter: /.*/, namespace: 'lazy-noble' }, () => ({
      contents: [
        'let curves;',
        "const load = () => (curves ??= require('./noble.cjs'));",
        'module.exports = { get p256() { return load().p256; }, get p384() { return load().p384; }, get p521() { return load().p521; } };',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

// commander loads node:child_process at its top level for executable subcommands, which this CLI has none of:
// it is required on the first spawn instead (a cold start loads it for nothing otherwise, ~1–2 ms).
const commanderLazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const eager = "const childProcess = require('node:child_process');";
      const source = readFileSync(path, 'utf8');
      if (!source.includes(eager)) throw new Error(`build-cli: ${path} no longer has: ${eager}`);
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    ...importMetaUrl,
    entryPoints: ['src/cli/main.ts'],
    outfile: cli,
    format: 'cjs',
    // bin/load-bundle.js compiles the file as it is: the module inside Node's CommonJS wrapper.
    banner: { js: `${BUNDLE_PREFIX}${importMetaUrl.banner.js}` },
    footer: { js: BUNDLE_SUFFIX },
    external: ['cue-wasm', './tuf.cjs', './noble.cjs'],
    plugins: [lazyTuf, lazyNoble, commanderLazyChildProcess, re2jsFoldOnDemand],
  }),
  build({
    ...common,
    stdin: { contents: "module.exports = require('@noble/curves/nist.js');", resolveDir: root, loader: 'js' },
    outfile: join(outdir, 'noble.cjs'),
    format: 'cjs',
  }),
  build({
    ...common,
    ...importMetaUrl,
    stdin: { contents: "module.exports = require('@sigstore/tuf');", resolveDir: root, loader: 'js' },
    outfile: join(outdir, 'tuf.cjs'),
    format: 'cjs',
  }),
  build({
    ...common,
    entryPoints: { 'cue-worker': 'src/policy/cue-worker.ts' },
    outdir,
    format: 'esm',
    // CommonJS dependencies call require() for Node's built-ins; give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    external: ['cue-wasm'],
  }),
]);

// The code cache holds what V8 compiled while the bundle's top level ran and while it verified one release offline
// (fixtures/training/, a layout written by `save`; npm run fixtures:training remakes it): a cold run then finds the
// verification code compiled too, not only every module's initialisation. Only this Node's V8 accepts the cache;
// elsewhere the CLI compiles the source as usual.
const { exports: cliExports, script } = runBundle(cli, { useCache: false });
await verifyTrainingRelease(cliExports.runCli);
writeFileSync(cachePath(cli), cacheFile(readFileSync(cli), script.createCachedData()));

/**
 * Runs the bundled CLI in-process on the training layout, text and JSON; it must verify (output discarded). Without
 * the layout (deleted to make it again with npm run fixtures:training, which builds first) the cache is made
 * without it.
 */
async function verifyTrainingRelease(runCli) {
  const layout = join(root, 'fixtures/training/gcp-mysql-backup');
  if (!existsSync(layout)) {
    console.warn(`build-cli: no ${layout}: the code cache holds the top level only`);
    return;
  }
  const { trustedRoot } = JSON.parse(readFileSync(join(layout, 'verify-release-layout.json'), 'utf8'));
  const discard = { write: () => true };
  const io = { stdout: discard, stderr: discard, env: { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent' } };
  for (const format of ['json', 'text']) {
    const args = ['--layout', layout, '--trusted-root-digest', trustedRoot, '--format', format];
    const code = await runCli([...args, '--checks', 'resolve,signature,provenance,sbom'], io);
    if (code !== 0) throw new Error(`expected the training release (${layout}) to verify, got exit code ${code}`);
  }
}

writeFileSync(join(outdir, INFLATED_MODULE), await inflateModule());
