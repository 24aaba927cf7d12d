/** The checks a report can contain, in report order. */
export const CHECK_IDS = ['resolve', 'signature', 'provenance', 'provenance-policy', 'sbom', 'sbom-policy'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'error';

/** One line of the verdict. `fail`: the check ran and the release did not meet it; `error`: it could not run. */
export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** One line: why it passed or failed. */
  reason: string;
  /** Facts behind the result (identities, log indexes, digests…). */
  evidence: Record<string, unknown>;
}
