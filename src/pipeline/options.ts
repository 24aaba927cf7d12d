import type { CheckId } from '../model/check-result.js';
import type { ImageReference } from '../model/reference.js';
import type { Digest } from '../model/digest.js';
import type { RegistryClientOptions, RegistrySource, RepositoryRef } from '../registry/index.js';
import type { Expectations } from '../checks/check.js';
import type { PolicyEngine } from '../policy/cue.js';

export type { Expectations } from '../checks/check.js';

/** Everything `verifyRelease` needs; the CLI builds this from its flags (src/cli/options.ts). */
export interface VerifyReleaseOptions {
  image: ImageReference;
  /** `latest` (newest release) or a release tag; ignored when `tag` or a digest reference is given. */
  version?: string;
  /** A non-release tag such as the rolling `latest`. */
  tag?: string;
  includePrereleases?: boolean;
  /** The checks to run, in report order. */
  checks: readonly CheckId[];
  /** Extra repositories to search per evidence kind (cosign's COSIGN_REPOSITORY, slsa-verifier's --provenance-repository). */
  repositories: { signature: RepositoryRef[]; sbom: RepositoryRef[]; provenance: RepositoryRef[] };
  /** Builds the expectations once the release's version is known (version binding needs it). */
  expectations: (resolved: { version?: string; tag?: string }) => Expectations;
  trustedRootPath?: string;
  /**
   * The sha256 the trusted root must have. With `layout` and no `trustedRootPath`, it selects the layout's copy of
   * the root (the layout never vouches for itself: its copy is used only when its digest is given).
   */
  trustedRootDigest?: Digest;
  /**
   * Read the release from this OCI image layout (written by `save`) instead of a registry: no network at all, no
   * registry and no TUF (the trusted root is `trustedRootPath`, the layout's copy by `trustedRootDigest`, or the
   * embedded public-good root).
   */
  layout?: string;
  /** Wraps the source the run reads from: `save` records every manifest and list the verification read. */
  observeSource?: (source: RegistrySource) => RegistrySource;
  /** The CUE engine for the policy checks (the CLI starts it first thing); else one is started when needed. */
  policyEngine?: PolicyEngine;
  /**
   * The compilation of the selected policies, running beside the network work (the CLI's). The run waits for it
   * before any verdict, and its rejection (a broken policy: a usage error) wins over whatever the network did: the
   * run stops its registry requests and throws it.
   */
  policiesCompiled?: Promise<void>;
  /** Do not contact TUF; use --trusted-root or the embedded root. */
  offlineTrust?: boolean;
  /** The whole run's deadline in ms (cosign's `--timeout`; default 5 minutes); `registry.timeoutMs` is per request. */
  timeoutMs?: number;
  /** When the run's clock started (`Date.now()`), if before verifyRelease was called; `timeoutMs` counts from it. */
  startedAt?: number;
  registry: RegistryClientOptions;
  env?: NodeJS.ProcessEnv;
  /** Progress messages (the CLI prints them on a TTY stderr only). */
  onProgress?: (message: string) => void;
}
