import { createHash } from 'node:crypto';
import { runInThisContext } from 'node:vm';
import { existsSync, promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The part of cue-wasm's API verify-release uses. */
export interface CueApi {
  /** Compiles CUE source and returns the evaluated value as JSON data; throws a plain string on error. */
  parse(source: string): unknown;
  toJSON(source: string): string;
  /** Compiles CUE source and returns its syntax tree (Go's cue/ast nodes as JSON, see policy/reach.ts). */
  toAST(source: string): unknown;
}

// cue-wasm 1.0.0 ships CUE as a gzipped, base64-encoded WebAssembly module inside a JavaScript file, and its init()
// inflates it with pako in JavaScript on the calling thread. This loader starts the same module the same way
// (wasm_exec.js's Go runtime, the CueWasmAPI global the Go side fills in) but inflates with Node's native zlib and
// refuses any module other than the pinned one: the files are those of the exact cue-wasm version in package.json.
const INLINE_MODULE = 'cue.wasm.full.inline-41c9b744.js';
const GO_RUNTIME = 'wasm_exec.full-4a915ab6.js';
const GO_RUNTIME_SHA256 = 'd9ee9b50df1f3c87dcc7229683da8571dea25d4236919f03c1711a8f7b3f4a5c';
const WASM_SHA256 = 'fdeac1956af1a228998949dd3359bab02c70cd26dff48246b311258d688d2722';
/** The inflated module's file name beside the bundled CUE worker. */
export const INFLATED_MODULE = 'cue.wasm';

// Node's WebAssembly global, which @types/node 20 does not declare: only what this loader calls.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }>;
};

interface GoRuntime {
  importObject: object;
  run(instance: object): Promise<void>;
}
interface CueGlobals {
  Go?: new () => GoRuntime;
  CueWasmAPI?: {
    _toJSONImpl?: (source: string) => { error: unknown; value: string };
    _toASTImpl?: (source: string) => { error: unknown; value: string };
  };
}

function verifyDigest(wasm: Uint8Array, from: string): Uint8Array {
  const digest = createHash('sha256').update(wasm).digest('hex');
  if (digest !== WASM_SHA256) {
    throw new Error(`expected cue-wasm's WebAssembly module (${from}) to have sha256 ${WASM_SHA256}, got ${digest}`);
  }
  return wasm;
}

/** cue-wasm's WebAssembly module, inflated from the package's inline module and checked against the pinned digest. */
export async function inflateModule(distDir: string = cueWasmDir()): Promise<Uint8Array> {
  const text = await fsp.readFile(join(distDir, INLINE_MODULE), 'latin1');
  const base64 = text.slice(text.indexOf('"') + 1, text.lastIndexOf('"'));
  // Only the build and source runs inflate: the CLI reads the inflated file, and does not load zlib at start.
  const { gunzip } = await import('node:zlib');
  return verifyDigest(await promisify(gunzip)(Buffer.from(base64, 'base64')), INLINE_MODULE);
}

/**
 * The WebAssembly module: the bundled CLI ships it inflated beside itself (`cue.wasm`, written by
 * scripts/build-cli.mjs), which spares every run reading, base64-decoding and inflating 6 MB; elsewhere it is
 * inflated from cue-wasm. Either way nothing runs before its sha256 is the pinned one.
 */
async function loadModule(distDir: string): Promise<Uint8Array> {
  const inflated = new URL(`./${INFLATED_MODULE}`, import.meta.url);
  if (!existsSync(inflated)) return inflateModule(distDir);
  return verifyDigest(await fsp.readFile(inflated), fileURLToPath(inflated));
}

function cueWasmDir(): string {
  return dirname(createRequire(import.meta.url).resolve('cue-wasm'));
}

/**
 * Runs cue-wasm's Go runtime (wasm_exec.js, a plain script that defines `globalThis.Go`) once its sha256 is the
 * pinned one. As a script, not with import(): the bundled CLI runs as a vm.Script with a code cache, where import()
 * has no loader.
 */
async function runGoRuntime(path: string): Promise<void> {
  const source = await fsp.readFile(path);
  const digest = createHash('sha256').update(source).digest('hex');
  if (digest !== GO_RUNTIME_SHA256) {
    throw new Error(`expected cue-wasm's Go runtime (${path}) to have sha256 ${GO_RUNTIME_SHA256}, got ${digest}`);
  }
  runInThisContext(source.toString('utf8'), { filename: path });
}

let loading: Promise<CueApi> | undefined;

/** Starts CUE once per thread; later calls share the same instance. */
export function loadCue(): Promise<CueApi> {
  loading ??= startCue();
  return loading;
}

async function startCue(): Promise<CueApi> {
  const distDir = cueWasmDir();
  const wasm = loadModule(distDir);
  const globals = globalThis as CueGlobals;
  await runGoRuntime(join(distDir, GO_RUNTIME));
  if (!globals.Go) throw new Error(`expected ${GO_RUNTIME} to define the Go runtime, got nothing`);
  const go = new globals.Go();
  const { instance } = await WebAssembly.instantiate(await wasm, go.importObject);
  globals.CueWasmAPI = {};
  void go.run(instance);
  const { _toJSONImpl: toJSONImpl, _toASTImpl: toASTImpl } = globals.CueWasmAPI;
  if (!toJSONImpl || !toASTImpl) throw new Error('expected the CUE module to register its API, got nothing');
  const call = (impl: typeof toJSONImpl, source: string): string => {
    const result = impl(source);
    // CUE's errors are plain strings, as cue-wasm throws them; policy/cue.ts reads them as such.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (result.error) throw result.error;
    return result.value;
  };
  const toJSON = (source: string): string => call(toJSONImpl, source);
  return {
    toJSON,
    parse: (source) => JSON.parse(toJSON(source)) as unknown,
    toAST: (source) => JSON.parse(call(toASTImpl, source)) as unknown,
  };
}
