import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script with no type declarations
import { summarize } from '../../scripts/test-summary.mjs';

interface Summary {
  passed: number;
  failed: number;
  line: string;
}
const summarizeReport = summarize as (report: unknown, checks?: Record<string, number>, vitestExit?: number) => Summary;

function report(files: { status: string; tests: string[] }[]) {
  const tests = files.flatMap((file) => file.tests);
  return {
    testResults: files.map((file) => ({
      status: file.status,
      assertionResults: file.tests.map((status) => ({ status })),
    })),
    numPassedTests: tests.filter((status) => status === 'passed').length,
    numFailedTests: tests.filter((status) => status === 'failed').length,
    numPendingTests: tests.filter((status) => status === 'skipped').length,
    numTodoTests: 0,
  };
}

describe('the CI summary line', () => {
  it('counts a test file that failed to load as a failure', () => {
    const summary = summarizeReport(
      report([
        { status: 'passed', tests: ['passed', 'passed'] },
        { status: 'failed', tests: [] },
      ]),
    );
    expect(summary.line).toBe('2 passed, 1 failed');
  });

  it('counts failed tests once, skipped tests and failed static checks as failures', () => {
    const summary = summarizeReport(report([{ status: 'failed', tests: ['passed', 'failed', 'skipped'] }]), {
      typecheck: 0,
      lint: 1,
    });
    expect(summary.line).toBe('2 passed, 3 failed');
  });

  it('counts a vitest run that failed with nothing failed in its report (no test files, a broken setup)', () => {
    expect(summarizeReport(report([]), { typecheck: 0, lint: 0 }, 1).line).toBe('2 passed, 1 failed');
    // A failure the report shows is not counted twice.
    expect(summarizeReport(report([{ status: 'failed', tests: ['failed'] }]), {}, 1).line).toBe('0 passed, 1 failed');
  });
});
