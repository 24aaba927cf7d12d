/**
 * verify-release as a library: the same pipeline the CLI runs, and its stages for callers that need only part
 * of it. Everything here is typed; errors carry a stable `code` (src/errors.ts).
 */
// Messages in English, as the CLI prints them (zod/mini sets no locale by itself).
import './model/zod-locale.js';
export { verifyRelease, type VerifyReleaseResult } from './pipeline/verify-release.js';
export type { Expectations, VerifyReleaseOptions } from './pipeline/options.js';
export { verifyBundleCommand, type VerifyBundleOptions } from './commands/verify-bundle.js';
export { resolveRelease, type ResolveOptions, type ResolvedTarget } from './release/index.js';
export { discoverEvidence, type DiscoveryRepositories, type DiscoveryResult } from './discover/index.js';
export {
  RegistryClient,
  type RegistryClientOptions,
  type RegistrySource,
  type RepositoryRef,
} from './registry/index.js';
export { LayoutSource, type LayoutSourceOptions } from './layout/reader.js';
export { saveRelease, type SaveOptions, type SaveResult } from './commands/save.js';
export { parseImageReference, formatRepository, type ImageReference } from './model/reference.js';
export * from './sigstore/index.js';
export { buildReport, reportExitCode, REPORT_SCHEMA_VERSION, type Report } from './report/index.js';
export { reportSchema } from './report/schema.js';
export { renderJson } from './report/render/json.js';
export { renderText } from './report/render/text.js';
export { renderMarkdown } from './report/render/markdown.js';
export { CHECK_IDS, type CheckId, type CheckResult, type CheckStatus } from './model/check-result.js';
export type * from './model/evidence.js';
export type { Digest } from './model/digest.js';
export * from './errors.js';
