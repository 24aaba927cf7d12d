#!/usr/bin/env node
// Prints the CI's last line, "N passed, N failed", from vitest's JSON report and the exit codes of the static checks.
// A test file that fails to load (or whose hooks fail) counts as one failure even though it ran no test, and a skipped
// or todo test counts as failed: neither proves anything.
// A vitest run that exits non-zero with no failure in its report (a global setup that threw, no test files found)
// counts as one failure too.
// Usage: node scripts/test-summary.mjs <vitest-json> [vitest=exitCode] [check=exitCode ...]
//        (exit status 1 when anything failed)
import { readFileSync } from 'node:fs';

export function summarize(report, checks = {}, vitestExit = 0) {
  const failedFiles = report.testResults.filter(
    (file) => file.status !== 'passed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  const skipped = report.numPendingTests + report.numTodoTests;
  const staticPassed = Object.values(checks).filter((code) => code === 0).length;
  const staticFailed = Object.values(checks).length - staticPassed;
  const passed = report.numPassedTests + staticPassed;
  const testsFailed = report.numFailedTests + failedFiles + skipped;
  const failed = Math.max(testsFailed, vitestExit === 0 ? 0 : 1) + staticFailed;
  return { passed, failed, line: `${passed} passed, ${failed} failed` };
}

if (process.argv[1] === import.meta.filename) {
  const [file, ...checkArgs] = process.argv.slice(2);
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // vitest did not write a report at all (it crashed before running): one failure, nothing passed.
    report = {
      testResults: [{ status: 'failed', assertionResults: [] }],
      numPassedTests: 0,
      numFailedTests: 0,
      numPendingTests: 0,
      numTodoTests: 0,
    };
  }
  const { vitest: vitestExit = 0, ...checks } = Object.fromEntries(
    checkArgs.map((arg) => arg.split('=')).map(([name, code]) => [name, Number(code)]),
  );
  for (const [name, code] of Object.entries(checks)) if (code !== 0) console.log(`${name} failed (exit ${code})`);
  if (vitestExit !== 0) console.log(`vitest exited with ${vitestExit}`);
  const { failed, line } = summarize(report, checks, vitestExit);
  console.log(line);
  process.exit(failed > 0 ? 1 : 0);
}
