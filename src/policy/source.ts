import { createHash } from 'node:crypto';
import { describeError, UsageError } from '../errors.js';
import { LocalFileRefused, readRegularFile } from '../model/local-file.js';
import type { PolicySource } from './cue.js';

/**
 * Largest policy file read (1 MiB). CUE v0.4.3's evaluation time grows faster than linearly with the input (a
 * 24 MB policy runs for many minutes); real policies are a few hundred bytes.
 */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** The sha256 (hex) of a policy's text as UTF-8: the file's bytes, since policies are read as strict UTF-8. */
export function policyDigest(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

function configError(message: string, cause?: unknown): UsageError {
  return new UsageError(message, { code: 'CONFIG', ...(cause !== undefined && { cause }) });
}

/**
 * Reads a CUE policy file: at most {@link MAX_POLICY_BYTES}, strict UTF-8 (so the text hashes to the file's bytes).
 * `name` is how reports and errors call it (its path, or `bundled:<file>`). Throws UsageError (CONFIG), never
 * echoing the file's content.
 */
export function readPolicyFile(path: string, name: string = path): PolicySource {
  // Synchronous: a policy is a small local file read before any network work, when a run has nothing to do
  // meanwhile; each asynchronous step would wait for a thread-pool round trip on the way to the first request.
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, MAX_POLICY_BYTES);
  } catch (error) {
    if (error instanceof LocalFileRefused && error.kind === 'not-regular') {
      throw configError(`policy ${name}: expected a regular file`);
    }
    if (error instanceof LocalFileRefused && error.kind === 'too-large') throw tooLarge(name, error.size);
    throw configError(`cannot read policy ${name}: ${describeError(error)}`, error);
  }
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw configError(`policy ${name}: expected a UTF-8 text file, got invalid UTF-8`, error);
  }
  return { name, source };
}

function tooLarge(name: string, size: number): UsageError {
  return configError(`policy ${name}: expected at most ${MAX_POLICY_BYTES} bytes (1 MiB), got ${size}`);
}
