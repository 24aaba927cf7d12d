/**
 * The OCI registry client: read-only, digest-checked, with auth (anonymous and credentialed Basic/Bearer),
 * retry, redirects and size caps. Other stages import from here only.
 */
export { RegistryClient, type RegistryClientOptions } from './client.js';
export type { RepositoryRef } from './endpoint.js';
export type { FetchedManifest } from './manifest.js';
export type { RequestEvent } from './fetch.js';
export type { ReferrersList } from './referrers.js';
export type { Credentials } from './credentials.js';
export * from './media-types.js';
export { DEFAULT_RUN_TIMEOUT_MS, DeadlineError, isDeadlineError, startDeadline, type Deadline } from './deadline.js';
