import { policyCommand, type PolicyCommandReport, type StatementForm } from '../commands/policy.js';
import type { PolicyMode } from '../policy/cue.js';
import { printable, printableJson } from '../model/printable.js';
import { EXIT } from './exit-codes.js';

/** Raw options of `verify-release policy`, as commander parses them. */
export interface RawPolicyOptions {
  policy?: string[];
  policyMode: PolicyMode;
  json?: boolean;
}

const FORMS: Record<StatementForm, string> = {
  statement: 'in-toto statement',
  dsse: 'DSSE envelope',
  bundle: 'Sigstore bundle',
};

/** Said in both outputs: this command judges content only. */
export const NO_SIGNATURE_NOTICE =
  'no signature was checked: the statements were evaluated as given (verify a release to check who signed them)';

/** The text output of `verify-release policy`; every string from a file passes printable(). */
export function renderPolicyText(report: PolicyCommandReport): string {
  const lines: string[] = [];
  for (const result of report.results) {
    const status = result.status === 'pass' ? 'PASS' : 'FAIL';
    lines.push(`${status}  ${printable(result.policy)}  ${printable(result.statement)} (${FORMS[result.form]})`);
    for (const violation of result.violations) {
      lines.push(`      ${printable(violation.message)}`);
      const detail = [
        violation.value !== undefined ? `value ${violation.value}` : undefined,
        violation.constraint !== undefined ? `constraint ${violation.constraint}` : undefined,
      ].filter((part) => part !== undefined);
      if (detail.length > 0) lines.push(`        ${printable(detail.join(', '))}`);
    }
    if (result.moreViolations) lines.push('      … further violations not listed');
    for (const note of result.notes) lines.push(`      note: ${printable(note)}`);
  }
  const passed = report.results.filter((result) => result.status === 'pass').length;
  const failed = report.results.length - passed;
  lines.push(
    '',
    `${report.passed ? 'PASSED' : 'FAILED'}: ${passed} passed, ${failed} failed (${report.mode} mode, CUE ${report.cueVersion})`,
    `Note: ${NO_SIGNATURE_NOTICE}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The `--json` output: one document, the report plus the notice. */
export function renderPolicyJson(report: PolicyCommandReport): string {
  return `${printableJson(JSON.stringify({ schemaVersion: 1, ...report, notice: NO_SIGNATURE_NOTICE }, null, 2))}\n`;
}

/** Runs `verify-release policy` and writes its output; returns 0 when every result passed, 1 otherwise. */
export async function runPolicy(
  statements: string[],
  raw: RawPolicyOptions,
  stdout: { write(text: string): unknown },
): Promise<number> {
  const report = await policyCommand({ policies: raw.policy ?? [], statements, mode: raw.policyMode });
  stdout.write(raw.json ? renderPolicyJson(report) : renderPolicyText(report));
  return report.passed ? EXIT.verified : EXIT.failed;
}
