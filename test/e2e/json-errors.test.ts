import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

// Pipelines read stdout: with --json, a run that stops before its report must still say `verified: false` there.
describe('--json when the run stops before a report', () => {
  it.each([
    { name: 'an invalid --checks', args: ['--checks', 'nope', '--json'], code: 'USAGE' },
    { name: 'a version that is not a release', args: ['--version', 'v1.1', '--json'], code: 'USAGE' },
    { name: 'an unknown option', args: ['--jsn', '--json'], code: 'USAGE' },
  ])('prints one JSON document for $name, exit 2', async ({ args, code }) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout) as { verified: unknown; error: { code: unknown; message: unknown } };
    expect(document.verified).toBe(false);
    expect(document.error.code).toBe(code);
    expect(typeof document.error.message).toBe('string');
    expect(run.stderr).toMatch(/^verify-release: /);
  });

  it('keeps stdout empty for sbom, whose stdout is the SBOM alone', async () => {
    const run = await cli(['sbom', '--checks', 'nope', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});
