import type { Report } from '../../src/report/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { runBin, type CliRun } from '../support/bundled-cli.js';

export type { CliRun } from '../support/bundled-cli.js';

/**
 * Runs what users run — `bin/verify-release.js`, the bundled CLI, in its own process — with an isolated environment
 * (no user docker config, no TUF, no colour unless `env` says otherwise).
 */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runBin(args, { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent', ...env });
}

/** Runs the CLI with --json and parses the report against the published schema. */
export async function cliJson(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun & { report: Report }> {
  const run = await cli([...args, '--json'], env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new Error(`expected a JSON report on stdout (exit ${run.code}), got: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return { ...run, report: reportSchema.parse(parsed) };
}

/** `{ signature: 'pass', … }` — the status of every check, for compact assertions. */
export function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
}

/** Every check of a full run passed. */
export const ALL_PASS = {
  resolve: 'pass',
  signature: 'pass',
  provenance: 'pass',
  'provenance-policy': 'pass',
  sbom: 'pass',
  'sbom-policy': 'pass',
};

export function reason(report: Report, id: string): string {
  return report.checks.find((check) => check.id === id)?.reason ?? `(no ${id} check)`;
}
