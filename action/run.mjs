#!/usr/bin/env node
// Runs verify-release for the composite action (action.yml): builds the command line from the inputs (passed as
// environment variables, never spliced into a shell script), writes the JSON report, the Markdown job summary and the
// step outputs, and exits non-zero unless the release verified.
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeMarkdown, renderMarkdown } from '../dist/report/render/markdown.js';
import { reportSchema } from '../dist/report/schema.js';
import { summarize } from './summary.mjs';

const root = join(import.meta.dirname, '..');
const env = process.env;

/** Repeatable inputs (policy, sbom-policy) take one path per line. */
function lines(value) {
  return (value ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

// An input is a value, never an option: a version such as "--no-version-binding" would weaken the verdict.
for (const [input, value] of [
  ['version', env.VR_VERSION],
  ['image', env.VR_IMAGE],
  ['repo', env.VR_REPO],
]) {
  if (value?.startsWith('-')) {
    process.stderr.write(`verify-release action: expected the ${input} input to be a value, got an option: ${value}\n`);
    process.exit(2);
  }
}

const args = [join(root, 'bin/verify-release.js')];
if (env.VR_VERSION) args.push(env.VR_VERSION);
if (env.VR_IMAGE) args.push('--image', env.VR_IMAGE);
if (env.VR_REPO) args.push('--repo', env.VR_REPO);
for (const policy of lines(env.VR_POLICY)) args.push('--policy', policy);
for (const policy of lines(env.VR_SBOM_POLICY)) args.push('--sbom-policy', policy);
if (env.VR_TRUSTED_ROOT) args.push('--trusted-root', env.VR_TRUSTED_ROOT);
if (env.VR_CHECKS) args.push('--checks', env.VR_CHECKS);
args.push('--json');

const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let stdout = '';
child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
const code = await new Promise((resolve) => child.on('close', (exit) => resolve(exit ?? 3)));

const reportPath = join(env.RUNNER_TEMP || root, 'verify-release-report.json');
writeFileSync(reportPath, stdout);
const { markdown, verified, digest } = summarize(stdout, { renderMarkdown, escapeMarkdown, reportSchema });
if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
if (env.GITHUB_OUTPUT) {
  appendFileSync(env.GITHUB_OUTPUT, `verified=${verified}\ndigest=${digest}\nreport=${reportPath}\n`);
}
process.stdout.write(markdown);
process.exit(verified ? 0 : code === 0 ? 1 : code);
