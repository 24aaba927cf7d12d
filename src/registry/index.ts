/**
 * The OCI registry client: read-only, digest-checked, with auth (anonymous and credentialed Basic/Bearer),
 * retry, redirects and size caps. Other stages import from here only.
 */
export { RegistryClient, type RegistryClientOptions } from './client.js';
export type { RepositoryRef } from './endpoint.js';
export type { RegistrySource } from './source.js';
export { parseManifest, type FetchedManifest } from './manifest.js';
export type { RequestEvent } from './fetch.js';
export { MAX_REFERRERS, toDescriptor, type ReferrersList } from './referrers.js';
export { parseJson, scanJson } from './json.js';
export { MAX_MANIFEST_BYTES, DEFAULT_MAX_BLOB_BYTES } from './limits.js';
export { BlobReads } from './blob-reads.js';
export type { Credentials } from './credentials.js';
export * from './media-types.js';
export { DEFAULT_RUN_TIMEOUT_MS, DeadlineError, isDeadlineError, startDeadline, type Deadline } from './deadline.js';
