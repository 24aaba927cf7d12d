import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { describeError, VerificationError } from '../errors.js';
import { sha256Digest, type Digest } from '../model/digest.js';
import { readRegularFile } from '../model/local-file.js';
import { libraryParse } from './library-fast-paths.js';

/** A validated Sigstore trusted root and where it came from. */
export interface TrustRoot {
  /** The validated `trusted_root.json` object. */
  json: unknown;
  source: 'tuf' | 'embedded' | 'file';
  /** Set when the root is a fallback the user should know about. */
  notice?: string;
}

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d+)?\+json(;version=0\.\d+)?$/;
const ROOT_LISTS = ['tlogs', 'certificateAuthorities', 'ctlogs', 'timestampAuthorities'] as const;

function rootError(message: string, cause?: unknown): VerificationError {
  return new VerificationError('TRUST_ROOT_ERROR', `trusted root: ${message}`, { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A log key whose `validFor` is present but has no `start` makes the root malformed (sigstore-go rejects it;
 * sigstore-js silently treats it as "since the beginning of time"). An absent `validFor` means "always".
 */
function checkLogKeys(root: Record<string, unknown>, list: 'tlogs' | 'ctlogs'): void {
  for (const [index, log] of ((root[list] as unknown[] | undefined) ?? []).entries()) {
    if (!isRecord(log) || !isRecord(log.publicKey) || typeof log.publicKey.rawBytes !== 'string') {
      throw rootError(`expected ${list}[${index}].publicKey.rawBytes, got none`);
    }
    if (!isRecord(log.logId) || typeof log.logId.keyId !== 'string') {
      throw rootError(`expected ${list}[${index}].logId.keyId, got none`);
    }
    const validFor = log.publicKey.validFor;
    if (validFor !== undefined && (!isRecord(validFor) || typeof validFor.start !== 'string')) {
      throw rootError(`expected ${list}[${index}].publicKey.validFor.start, got none`);
    }
  }
}

/** Exact JSON text of a value with sorted object keys: equal entries compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The CA a `certificateAuthorities` entry describes: its subject and the start of its validity window. */
function caIdentity(ca: unknown): string {
  if (!isRecord(ca)) return canonical(ca);
  const start = isRecord(ca.validFor) ? ca.validFor.start : undefined;
  return canonical({ subject: ca.subject ?? null, start: start ?? null });
}

function describeCa(ca: unknown): string {
  const subject = isRecord(ca) && isRecord(ca.subject) ? ca.subject : {};
  const parts = [subject.organization, subject.commonName].filter((part) => typeof part === 'string');
  return parts.length > 0 ? parts.join('/') : '(no subject)';
}

/**
 * Duplicate entries must agree: a transparency or CT log ID (or a CA or TSA subject with the same validity start) that
 * appears twice with different keys would let the order of the entries decide which key is trusted (sigstore-js
 * takes the first, sigstore-go the last). Identical duplicates (the same root on two JSON Lines) are dropped.
 */
function dedupe(root: Record<string, unknown>): Record<string, unknown> {
  const lists: [
    list: (typeof ROOT_LISTS)[number],
    key: (entry: unknown) => string,
    what: (entry: unknown, key: string) => string,
  ][] = [
    ['tlogs', (log) => logId(log), (_log, id) => `transparency log ID ${id}`],
    ['ctlogs', (log) => logId(log), (_log, id) => `CT log ID ${id}`],
    ['certificateAuthorities', caIdentity, (ca) => `certificate authority ${describeCa(ca)}`],
    ['timestampAuthorities', caIdentity, (tsa) => `timestamp authority ${describeCa(tsa)}`],
  ];
  const result = { ...root };
  for (const [list, keyOf, describe] of lists) {
    const entries = root[list];
    if (!Array.isArray(entries)) continue;
    const seen = new Map<string, string>();
    const kept: unknown[] = [];
    for (const entry of entries as unknown[]) {
      const key = keyOf(entry);
      const text = canonical(entry);
      const previous = seen.get(key);
      if (previous === undefined) {
        seen.set(key, text);
        kept.push(entry);
      } else if (previous !== text) {
        throw rootError(`expected one key per ${describe(entry, key)}, got conflicting entries in ${list}`);
      }
    }
    result[list] = kept;
  }
  return result;
}

function logId(log: unknown): string {
  return isRecord(log) && isRecord(log.logId) && typeof log.logId.keyId === 'string' ? log.logId.keyId : '';
}

function count(root: Record<string, unknown>, list: (typeof ROOT_LISTS)[number]): number {
  const entries = root[list];
  return Array.isArray(entries) ? entries.length : 0;
}

/**
 * Validates a parsed `trusted_root.json`; throws VerificationError TRUST_ROOT_ERROR if it is malformed: wrong
 * mediaType, conflicting duplicate log IDs or CAs, a log key without `validFor.start`, unparseable keys, or a root
 * with neither a certificate authority nor a transparency log (nothing could ever verify against it).
 */
export function trustRootFromJson(json: unknown, source: TrustRoot['source']): TrustRoot {
  if (!isRecord(json)) throw rootError(`expected a JSON object, got ${json === null ? 'null' : typeof json}`);
  checkMediaType(json.mediaType);
  for (const list of ROOT_LISTS) {
    if (json[list] !== undefined && !Array.isArray(json[list])) throw rootError(`expected ${list} to be an array`);
  }
  checkLogKeys(json, 'tlogs');
  checkLogKeys(json, 'ctlogs');
  const root = dedupe(json);
  if (count(root, 'certificateAuthorities') === 0 && count(root, 'tlogs') === 0) {
    throw rootError(
      'expected at least one certificate authority or transparency log, got neither (certificateAuthorities and tlogs are empty)',
    );
  }
  let libraryForm: LibraryForm;
  try {
    // Building the trust material parses every key and certificate, so a bad one fails here, not mid-verification.
    const parsed = TrustedRoot.fromJSON(root);
    libraryForm = { root: parsed, trustMaterial: libraryParse(() => toTrustMaterial(parsed)) };
  } catch (error) {
    throw rootError(`expected parseable keys and certificates, got ${describeError(error)}`, error);
  }
  const trust: TrustRoot = { json: root, source };
  libraryForms.set(trust, libraryForm);
  return trust;
}

/** `@sigstore/verify`'s form of a root: its parsed root and its keyless trust material. */
export interface LibraryForm {
  root: TrustedRoot;
  trustMaterial: TrustMaterial;
}

// What validating a root built, kept for verifying with it: building it again would parse every key and certificate
// a second time.
const libraryForms = new WeakMap<TrustRoot, LibraryForm>();

/** The library's form built when `trust` was validated in this process (undefined for a root made otherwise). */
export function validatedLibraryForm(trust: TrustRoot): LibraryForm | undefined {
  return libraryForms.get(trust);
}

/**
 * What keyless verification (every signature and attestation of a release) needs from a root: a certificate
 * authority for the signing certificates, and a transparency log or timestamp authority for the signing time.
 * Throws TRUST_ROOT_ERROR naming what is missing.
 */
export function requireKeyless(trust: TrustRoot, where = ''): TrustRoot {
  const root = trust.json as Record<string, unknown>;
  const missing: string[] = [];
  if (count(root, 'certificateAuthorities') === 0) missing.push('a certificate authority (certificateAuthorities)');
  if (count(root, 'tlogs') === 0 && count(root, 'timestampAuthorities') === 0) {
    missing.push('a transparency log or timestamp authority (tlogs, timestampAuthorities)');
  }
  if (missing.length > 0) {
    throw rootError(`expected ${missing.join(' and ')} for keyless signatures${where}, got none`);
  }
  return trust;
}

function checkMediaType(mediaType: unknown, where = ''): void {
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPE.test(mediaType)) {
    throw rootError(`expected a trustedroot mediaType${where}, got ${String(mediaType)}`);
  }
}

/** Largest trusted root file read (16 MiB); the public-good root is about 10 KB. */
const MAX_ROOT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Parses a trusted root file: one JSON object, or JSON Lines (`gh attestation trusted-root`) merged into one.
 * Every line must itself be a trusted root with the known mediaType.
 */
function parseRootFile(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not a single JSON document: try JSON Lines below.
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  let merged: Record<string, unknown> | undefined;
  for (const [index, line] of lines.entries()) {
    let root: unknown;
    try {
      root = JSON.parse(line);
    } catch (error) {
      throw rootError(`expected JSON or JSON Lines in ${path}, got invalid JSON on line ${index + 1}`, error);
    }
    if (!isRecord(root)) throw rootError(`expected a JSON object on line ${index + 1} of ${path}`);
    checkMediaType(root.mediaType, ` on line ${index + 1} of ${path}`);
    merged ??= { mediaType: root.mediaType };
    for (const list of ROOT_LISTS) {
      const items = root[list];
      if (items === undefined) continue;
      if (!Array.isArray(items)) throw rootError(`expected ${list} to be an array on line ${index + 1} of ${path}`);
      merged[list] = [...((merged[list] as unknown[] | undefined) ?? []), ...(items as unknown[])];
    }
  }
  if (!merged) throw rootError(`expected a trusted root in ${path}, got an empty file`);
  return merged;
}

/**
 * @sigstore/tuf's DEFAULT_MIRROR_URL (test/unit/sigstore/trust.test.ts checks they agree): the library itself, with
 * tuf-js and its HTTP stack, is imported only when TUF is used, so a run with --trusted-root never loads it.
 */
const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** The public-good trusted root embedded in @sigstore/tuf (its `seeds.json`); may be stale after key rotation. */
export function embeddedTrustRoot(notice?: string): TrustRoot {
  const seeds = createRequire(import.meta.url)('@sigstore/tuf/seeds.json') as Record<
    string,
    { targets?: Record<string, string> } | undefined
  >;
  const encoded = seeds[PUBLIC_GOOD_MIRROR]?.targets?.['trusted_root.json'];
  if (!encoded) throw rootError('expected a trusted_root.json in @sigstore/tuf/seeds.json, got none');
  const root = trustRootFromJson(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')), 'embedded');
  return notice === undefined ? root : { ...root, notice };
}

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.TUF_ROOT) return env.TUF_ROOT;
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'verify-release', 'tuf');
}

/**
 * Loads the trusted root: from `path` (JSON or JSON Lines), else from the Sigstore TUF repository (`TUF_MIRROR`
 * overrides the mirror), falling back to the root embedded in @sigstore/tuf with a `notice`. `offline` skips TUF.
 * `keyless` also requires what keyless verification needs ({@link requireKeyless}).
 */
export async function loadTrustRoot(
  options: {
    path?: string;
    cacheDir?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    offline?: boolean;
    keyless?: boolean;
    /** The sha256 the file at `path` must have (`--trusted-root-digest`); checked on the bytes that are parsed. */
    digest?: Digest;
  } = {},
): Promise<TrustRoot> {
  const root = await loadAnyTrustRoot(options);
  return options.keyless ? requireKeyless(root, options.path !== undefined ? ` in ${options.path}` : '') : root;
}

async function loadAnyTrustRoot(options: Parameters<typeof loadTrustRoot>[0] & object): Promise<TrustRoot> {
  const { path } = options;
  if (path !== undefined) {
    let bytes: Buffer;
    try {
      // Synchronously: a small local file, and an asynchronous read would start the thread pool, which nothing else
      // in a registry verification needs.
      bytes = readRegularFile(path, MAX_ROOT_FILE_BYTES);
    } catch (error) {
      throw rootError(`expected a readable file at ${path}, got ${describeError(error)}`, error);
    }
    if (options.digest !== undefined && sha256Digest(bytes) !== options.digest) {
      throw rootError(`expected ${path} to have digest ${options.digest}, got ${sha256Digest(bytes)}`);
    }
    const text = bytes.toString('utf8');
    return trustRootFromJson(parseRootFile(text, path), 'file');
  }
  if (options.offline) return embeddedTrustRoot();
  const env = options.env ?? process.env;
  try {
    const { initTUF } = await import('@sigstore/tuf');
    const tuf = await initTUF({
      cachePath: options.cacheDir ?? defaultCacheDir(env),
      mirrorURL: env.TUF_MIRROR || PUBLIC_GOOD_MIRROR,
      timeout: options.timeoutMs ?? 5000,
      retry: false,
    });
    return trustRootFromJson(JSON.parse(await tuf.getTarget('trusted_root.json')), 'tuf');
  } catch (error) {
    return embeddedTrustRoot(
      `TUF unreachable (${describeError(error)}): using the trusted root embedded in @sigstore/tuf (may be stale)`,
    );
  }
}
