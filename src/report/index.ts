import type { CheckResult } from '../model/check-result.js';
import { REPORT_SCHEMA_VERSION, reportSchema, type Report, type ReportTarget } from './schema.js';

export { reportSchema, REPORT_SCHEMA_VERSION, type Report, type ReportTarget } from './schema.js';

/**
 * Builds the report. `verified` is true only when at least one check ran and every check passed:
 * a skipped or errored check never counts as a pass.
 */
export function buildReport(target: ReportTarget, checks: CheckResult[], notices: string[] = []): Report {
  const verified = checks.length > 0 && checks.every((check) => check.status === 'pass');
  return reportSchema.parse({ schemaVersion: REPORT_SCHEMA_VERSION, target, checks, verified, notices });
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
