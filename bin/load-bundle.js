// Runs the bundled CLI (dist/bundle/cli.cjs, one CommonJS file) with V8's code cache for it, made at build time
// (scripts/build-cli.mjs): V8 then skips parsing and compiling most of 0.8 MB of JavaScript on every cold start.
// Node 20 has no module.enableCompileCache, hence vm.Script. The cache is used only for the exact bytes it was made
// from (its sha256 comes first in the cache file); V8 itself refuses it for another V8 version or other flags. A
// cache that is missing or refused only costs time: the source is compiled as usual. CommonJS, as all of bin/.
'use strict';
const { Buffer, isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const DIGEST_BYTES = 32;

/** The cache file beside the bundle. */
function cachePath(bundlePath) {
  return `${bundlePath}.cache`;
}

/** The cache file's content: the sha256 of the bundle's bytes, then V8's data. */
function cacheFile(bundleBytes, v8Data) {
  return Buffer.concat([createHash('sha256').update(bundleBytes).digest(), v8Data]);
}

function v8DataFor(bundleBytes, cache) {
  if (cache === undefined || cache.length <= DIGEST_BYTES) return undefined;
  const digest = createHash('sha256').update(bundleBytes).digest();
  return digest.equals(cache.subarray(0, DIGEST_BYTES)) ? cache.subarray(DIGEST_BYTES) : undefined;
}

function readCache(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Compiles and runs the bundle at `bundlePath` as Node runs a CommonJS module, with its code cache when that is
 * valid; returns the bundle's exports and the compiled script (the build makes the cache from it).
 */
function runBundle(bundlePath, { useCache = true } = {}) {
  const bytes = readFileSync(bundlePath);
  const cachedData = useCache ? v8DataFor(bytes, readCache(cachePath(bundlePath))) : undefined;
  // The build writes ASCII, which decodes fastest as Latin-1 (the same text); anything else as UTF-8.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  // Node's own CommonJS wrapper; the same text at build and at run time, as the cache requires.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: bundlePath, ...(cachedData && { cachedData }) });
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath));
  return { exports: module.exports, script };
}

module.exports = { cachePath, cacheFile, runBundle };
