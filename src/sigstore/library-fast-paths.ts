import { useDirectByteReads } from './byte-reads.js';
import { useFastDerEncoding } from './der-encoding.js';
import { useRememberedOids } from './remembered-oids.js';
import { withoutStackTraces } from './without-stack-traces.js';

/**
 * Installs verify-release's replacements for three of `@sigstore/core`'s ASN.1 methods, which a cold run spends much
 * of its verification in: DER encoding, OID decoding and single-byte reads. Each gives the library's answers (their
 * tests compare them with the library's own methods). Idempotent.
 */
export function useLibraryFastPaths(): void {
  useFastDerEncoding();
  useRememberedOids();
  useDirectByteReads();
}

/** Runs one of the library's parses (certificates, keys, RFC 3161 timestamps) with the fast paths and no stack traces. */
export function libraryParse<T>(parse: () => T): T {
  useLibraryFastPaths();
  return withoutStackTraces(parse);
}
