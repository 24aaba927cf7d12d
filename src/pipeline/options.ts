import type { CheckId } from '../model/check-result.js';
import type { ImageReference } from '../model/reference.js';
import type { RegistryClientOptions, RepositoryRef } from '../registry/index.js';
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
  registry: RegistryClientOptions;
  env?: NodeJS.ProcessEnv;
  /** Progress messages (the CLI prints them on a TTY stderr only). */
  onProgress?: (message: string) => void;
}
