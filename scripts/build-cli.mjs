#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (esbuild): a handful of files instead of hundreds of modules, so a cold start
// spends its time verifying, not resolving imports. The CUE worker is its own entry point; the library API keeps
// tsc's dist/ with its type declarations. cue-wasm stays a package: its WebAssembly is read from node_modules.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'dist/bundle');
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts', 'cue-worker': 'src/policy/cue-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (@sigstore/*) call require() for Node's built-ins; give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  external: ['cue-wasm'],
  legalComments: 'linked',
  logLevel: 'warning',
});
