import type { Digest } from '../model/digest.js';
import type { RepositoryRef } from './endpoint.js';
import type { FetchedManifest } from './manifest.js';
import type { ReferrersList } from './referrers.js';

/**
 * The read operations resolve, discover and hints use: a live registry (RegistryClient) or an OCI image layout on
 * disk (src/layout). Whatever the source, every manifest and blob it returns has had its sha256 checked against the
 * digest asked for, and JSON blobs have been scanned against the same nesting and size limits.
 */
export interface RegistrySource {
  /** A manifest or index by tag or digest; RegistryError NOT_FOUND when there is none. */
  getManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest>;
  /** Like getManifest, but a missing manifest is `undefined`. */
  findManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest | undefined>;
  /** A blob, checked against its digest (and size, when given). */
  getBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }): Promise<Uint8Array>;
  /** A blob holding one JSON document, digest-checked and scanned: parsed, or its scanned bytes. */
  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'parse'): Promise<unknown>;
  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'bytes'): Promise<Uint8Array>;
  /** Whether a manifest exists (nothing verified). */
  hasManifest(repo: RepositoryRef, reference: string): Promise<boolean>;
  /** Whether anything refers to `subject`. */
  hasReferrers(repo: RepositoryRef, subject: Digest, take?: () => boolean): Promise<boolean>;
  /** All tags of a repository; unsorted. */
  listTags(repo: RepositoryRef, options?: { maxPages?: number }): Promise<string[]>;
  /** Manifests referring to `subject`, and how they were listed. */
  listReferrers(repo: RepositoryRef, subject: Digest): Promise<ReferrersList>;
}
