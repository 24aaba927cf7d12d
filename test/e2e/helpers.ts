import { runCli } from '../../src/cli/main.js';
import type { Report } from '../../src/report/index.js';
import { reportSchema } from '../../src/report/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in-process with an isolated environment (no user docker config, no TUF, no colour). */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent', ...env },
  });
  return { code, stdout, stderr };
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
