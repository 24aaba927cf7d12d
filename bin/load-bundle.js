// Runs the bundled CLI (dist/bundle/cli.cjs, one CommonJS module written inside Node's wrapper) with V8's code cache
// for it, made at build time (scripts/build-cli.mjs): V8 then skips parsing and compiling most of 0.8 MB of JavaScript
// on every cold start. Node 20 has no module.enableCompileCache, hence vm.Script. The cache is used only for the exact
// bytes it was made from (its sha256 comes first in the cache file); V8 itself refuses it for another V8 version or
// other flags. A cache that is missing or refused only costs time: the source is compiled as usual. CommonJS, as all
// of bin/.
'use strict';
const { Buffer, isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { closeSync, fstatSync, openSync, readSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const DIGEST_BYTES = 32;
// The bundle's text is Node's CommonJS wrapper around the module (the build writes it so): V8 compiles the string as
// it was read, where adding the wrapper here would make V8 copy all 0.8 MB into one flat string first.
const BUNDLE_PREFIX = '(function (exports, require, module, __filename, __dirname) {';
const BUNDLE_SUFFIX = '\n})';

/** The cache file beside the bundle. */
function cachePath(bundlePath) {
  return `${bundlePath}.cache`;
}

/** The cache file's content: the sha256 of the bundle's bytes, then V8's data. */
function cacheFile(bundleBytes, v8Data) {
  return Buffer.concat([createHash('sha256').update(bundleBytes).digest(), v8Data]);
}

/** The size of the file at `path`, or 0 when it cannot be read. */
function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Reads the file at `path` into the start of a buffer from `allocate(size)`; returns the bytes read. */
function readInto(path, allocate) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = allocate(size);
    let length = 0;
    while (length < size) {
      const read = readSync(fd, buffer, length, size - length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bundle's source, and V8's data from the cache when that was made from these exact bytes. The cache is read
 * into the memory that held the bundle's bytes once they are decoded: a cold start pays for every page it touches
 * the first time (~15 µs a page on a small VM, ~3 ms for these 0.8 MB).
 */
function readBundle(bundlePath, useCache) {
  const cacheSize = useCache ? sizeOf(cachePath(bundlePath)) : 0;
  let memory;
  const bytes = readInto(bundlePath, (size) => (memory = Buffer.allocUnsafeSlow(Math.max(size, cacheSize))));
  const digest = createHash('sha256').update(bytes).digest();
  // The build writes ASCII, which decodes fastest as Latin-1 (the same text); anything else as UTF-8.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  if (cacheSize <= DIGEST_BYTES) return { source };
  let cache;
  try {
    cache = readInto(cachePath(bundlePath), (size) => (size <= memory.length ? memory : Buffer.allocUnsafeSlow(size)));
  } catch {
    return { source };
  }
  const valid = cache.length > DIGEST_BYTES && digest.equals(cache.subarray(0, DIGEST_BYTES));
  return valid ? { source, cachedData: cache.subarray(DIGEST_BYTES) } : { source };
}

/**
 * Compiles and runs the bundle at `bundlePath` as Node runs a CommonJS module, with its code cache when that is
 * valid; returns the bundle's exports and the compiled script (the build makes the cache from it).
 */
function runBundle(bundlePath, { useCache = true } = {}) {
  const { source, cachedData } = readBundle(bundlePath, useCache);
  const script = new Script(source, { filename: bundlePath, ...(cachedData && { cachedData }) });
  const moduleFunction = script.runInThisContext();
  if (typeof moduleFunction !== 'function')
    throw new Error(`${bundlePath}: expected ${BUNDLE_PREFIX}…${BUNDLE_SUFFIX}`);
  const module = { exports: {} };
  moduleFunction.call(
    module.exports,
    module.exports,
    createRequire(bundlePath),
    module,
    bundlePath,
    dirname(bundlePath),
  );
  return { exports: module.exports, script };
}

module.exports = { BUNDLE_PREFIX, BUNDLE_SUFFIX, cachePath, cacheFile, runBundle };
