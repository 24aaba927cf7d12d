import { boundLength } from '../model/bounded.js';
import { CHECK_IDS, type CheckResult } from '../model/check-result.js';
import type { Report, ReportTarget } from './schema.js';
import { REPORT_SCHEMA_VERSION } from './version.js';

// reportSchema is not re-exported here: the CLI never validates its own output, and importing the schema's module
// would build its zod schemas at every start. The library API exports it from ./schema.js.
export { REPORT_SCHEMA_VERSION } from './version.js';
export type { Report, ReportTarget } from './schema.js';

/** The notice of a run whose selection leaves the image signature out. */
export const SIGNATURE_OMITTED_NOTICE =
  'partial verification: the image signature was not checked (signature is not among the selected --checks)';

/**
 * Builds the report. `verified` is true only when at least one check ran and every check passed:
 * a skipped or errored check never counts as a pass. `checksOmitted` lists the checks that are not in the report
 * (a `--checks` selection); without `signature`, a notice says that the image signature was not checked.
 */
export function buildReport(target: ReportTarget, checks: CheckResult[], notices: string[] = []): Report {
  const verified = checks.length > 0 && checks.every((check) => check.status === 'pass');
  const checksOmitted = CHECK_IDS.filter((id) => !checks.some((check) => check.id === id));
  const allNotices = checksOmitted.includes('signature') ? [SIGNATURE_OMITTED_NOTICE, ...notices] : notices;
  // Built field by field, so that nothing beyond the schema reaches the JSON; the types keep it to the schema
  // (the tests parse every report they get with reportSchema), so no run pays for validating its own output.
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    target: {
      image: target.image,
      version: target.version,
      tag: target.tag,
      digest: target.digest,
      mediaType: target.mediaType,
      platforms: [...target.platforms],
    },
    checks: checks.map(({ id, title, status, reason, evidence }) => ({
      id,
      title,
      status,
      reason: boundLength(reason),
      evidence,
    })),
    checksOmitted,
    verified,
    notices: allNotices.map((notice) => boundLength(notice)),
  };
}

/**
 * The report of a run whose output (e.g. `--sbom-out`) could not be written: NOT VERIFIED, with the reason as a
 * notice, so that the verdict printed is the one the CLI exits with.
 */
export function withOutputFailure(report: Report, reason: string): Report {
  return { ...report, verified: false, notices: [...report.notices, boundLength(reason)] };
}

/**
 * Exit code for a report: 0 every selected check passed; 1 a check failed (or was skipped, which is not a pass);
 * 3 no check failed but at least one could not complete.
 */
export function reportExitCode(report: Report): 0 | 1 | 3 {
  if (report.verified) return 0;
  const statuses = new Set(report.checks.map((check) => check.status));
  if (!statuses.has('fail') && statuses.has('error')) return 3;
  return 1;
}
