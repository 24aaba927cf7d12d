export { SLSA_PROVENANCE_TYPES, SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1 } from '../../../model/constants.js';

/** An in-toto subject as the provenance lists it. */
export interface ProvenanceSubject {
  name?: string;
  digest: Record<string, string>;
}

/**
 * The fields of a strictly decoded provenance statement that the SLSA rules read, independent of the SLSA version
 * (slsa-verifier's `iface.Provenance`).
 */
export interface Provenance {
  predicateType: string;
  builderId: string;
  buildType: string;
  /** The source that triggered the build, `git+https://github.com/o/r@<ref>` (v0.2: `invocation.configSource.uri`). */
  triggerUri: string;
  /** The first material (v0.2) or resolved dependency (v1) URI; undefined when there is none. */
  sourceUri: string | undefined;
  subjects: ProvenanceSubject[];
  /** The source commit (v0.2: `configSource.digest.sha1`), when recorded. */
  commit: string | undefined;
  /** The GitHub context with v0.2 `invocation.environment` key names (`github_ref_type`, `github_ref`, …). */
  environment: unknown;
}
