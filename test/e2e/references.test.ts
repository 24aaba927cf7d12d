import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintGcpMysqlBackupHistory, type MintedRelease } from '../support/releases.js';
import { ALL_PASS, cli, cliJson, statuses } from './helpers.js';

let reg: TestRegistry;
let sigstore: TestSigstore;
let history: Record<'v0.7.0' | 'v0.8.0' | 'v1.1.2' | 'latest', MintedRelease>;
let image: string;
let trust: string[];

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  const work = await mkdtemp(join(tmpdir(), 'verify-release-references-'));
  trust = ['--trusted-root', await sigstore.writeTrustedRoot(work)];
  history = await mintGcpMysqlBackupHistory(reg, sigstore);
  image = `${reg.host}/natrontech/gcp-mysql-backup`;
});

afterAll(async () => {
  await reg?.stop();
});

/** A usage error: exit 2, one line on stderr, nothing on stdout. */
function expectUsageError(run: { code: number; stdout: string; stderr: string }, message: string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^verify-release: [^\n]*\n$/);
  expect(run.stderr).toContain(message);
}

describe('references as users type them', () => {
  it('verifies <registry>/<repo>:v1.1.2, as one JSON document (the project is the image owner/name)', async () => {
    const { code, report, stderr } = await cliJson([`${image}:v1.1.2`, ...trust]);
    expect(stderr).toBe('');
    expect(report.target).toMatchObject({ image, version: 'v1.1.2', digest: history['v1.1.2'].digest });
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
  });

  it('takes an image without a tag as its latest release', async () => {
    const { code, report } = await cliJson([image, ...trust]);
    expect(report.target.version).toBe('v1.1.2');
    expect(code).toBe(0);
  });

  it('verifies <registry>/<repo>@sha256:… directly', async () => {
    const { code, report } = await cliJson([`${image}@${history['v0.8.0'].digest}`, ...trust, '--no-version-binding']);
    expect(report.target.digest).toBe(history['v0.8.0'].digest);
    expect(code).toBe(0);
  });

  it('takes a bare version as a release of --image', async () => {
    const { code, report } = await cliJson(['v0.8.0', '--image', image, ...trust]);
    expect(report.target.version).toBe('v0.8.0');
    expect(code).toBe(0);
  });

  it('refuses an image reference together with --image', async () => {
    expectUsageError(
      await cli([`${image}:v1.1.2`, '--image', image, ...trust]),
      `expected the image once, as a reference or as --image, got "${image}:v1.1.2" and --image "${image}"`,
    );
  });

  it.each([
    ['verfy', 'did you mean "verify"?'],
    ['verison', 'did you mean "version"?'],
    ['sbmo', 'did you mean "sbom"?'],
    ['lates', 'did you mean "latest"?'],
  ])('refuses the mistyped %s with a did-you-mean (exit 2)', async (word, suggestion) => {
    const run = await cli([word, '--image', image, ...trust]);
    expectUsageError(run, `got "${word}": ${suggestion}`);
    expect(run.stderr).toContain('expected a command, an image reference');
  });

  it('refuses a word that is neither, without a suggestion', async () => {
    const run = await cli(['frobnicate', ...trust]);
    expectUsageError(run, 'or a version (latest, v1.2.3), got "frobnicate"');
    expect(run.stderr).not.toContain('did you mean');
  });

  it.each([
    ['--image', ['--image', 'ghcr.io/NatronTech/App']],
    ['a reference', ['ghcr.io/NatronTech/App:v1.1.2']],
    ['a Docker Hub reference', ['UPPER/Case']],
  ])('refuses an upper-case repository name in %s instead of lower-casing it', async (_name, args) => {
    expectUsageError(await cli([...args, ...trust]), 'expected a lowercase repository name');
  });

  it('reads oci-layout://<dir> as --layout <dir>: a missing directory is named, exit 2', async () => {
    expectUsageError(
      await cli(['oci-layout:///nonexistent/layout', ...trust]),
      '--layout /nonexistent/layout: expected a directory, got nothing',
    );
  });

  it('refuses two layouts, as references or beside --layout', async () => {
    expectUsageError(await cli(['oci-layout://a', 'oci-layout://b', ...trust]), 'expected one OCI image layout');
    expectUsageError(await cli(['oci-layout://a', '--layout', 'b', ...trust]), 'expected one OCI image layout');
  });

  it.each([
    ['--image', ['--image', 'a/b', '--image', 'c/d'], 'expected --image once, got it twice ("a/b" and "c/d")'],
    ['--version', ['--version', 'v1.1.2', '--version', 'v1.1.2'], 'expected --version once'],
    ['--timeout', ['--timeout', '5', '--timeout', '10'], 'expected --timeout once'],
    ['--trusted-root', ['--trusted-root', 'a.json', '--trusted-root', 'b.json'], 'expected --trusted-root once'],
  ])('refuses a repeated single-valued %s', async (_flag, args, message) => {
    expectUsageError(await cli(args), message);
  });

  // sbom, provenance and save declare their options when they run (src/cli/program.ts): the refusal comes with them.
  it.each(['sbom', 'provenance', 'save'])('refuses a repeated single-valued flag of `%s`', async (command) => {
    const args = [command, '--image', 'a/b', '--image', 'c/d', '--output', 'x'];
    expectUsageError(await cli(args), 'expected --image once, got it twice ("a/b" and "c/d")');
  });

  it('still takes repeatable flags several times', async () => {
    const { code, report } = await cliJson([
      `${image}:v1.1.2`,
      ...trust,
      '--signature-repository',
      `${reg.host}/natrontech/signatures`,
      '--signature-repository',
      `${reg.host}/natrontech/other`,
      '--checks',
      'resolve,signature',
    ]);
    expect(statuses(report)).toEqual({ resolve: 'pass', signature: 'pass' });
    expect(code).toBe(0);
  });
});

describe('--json usage errors for the new forms', () => {
  it.each([
    ['a mistyped subcommand', ['verfy']],
    ['an upper-case reference', ['ghcr.io/NatronTech/App']],
    ['a repeated flag', ['--image', 'a/b', '--image', 'c/d']],
    ['an oci-layout reference', ['oci-layout://dir']],
    ['a bad --shard', ['--shard', '3/2']],
    ['--releases beside a version', ['v1.1.2', '--releases', '>=1.0.0']],
  ])('prints one parseable document for %s, exit 2', async (_name, args) => {
    const run = await cli([...args, '--json']);
    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout) as { verified: unknown; error: { code: unknown; message: unknown } };
    expect(document).toEqual({ verified: false, error: { code: 'USAGE', message: expect.any(String) } });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('verify-release version', () => {
  it('answers a bare --version (a release pin) with where the tool version is', async () => {
    const run = await cli(['--version']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("verify-release's own version is `verify-release version` or -V");
  });

  it('prints the versions of verify-release, CUE, the Sigstore libraries and Node.js', async () => {
    const run = await cli(['version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verify-release \d+\.\d+\.\d+\n/);
    expect(run.stdout).toContain('CUE v0.4.3');
    expect(run.stdout).toMatch(/@sigstore\/verify \d+\.\d+\.\d+/);
    expect(run.stdout).toContain(`Node.js ${process.version}`);
  });

  it('prints them as JSON', async () => {
    const run = await cli(['version', '--json']);
    expect(run.code).toBe(0);
    const found = JSON.parse(run.stdout) as { verifyRelease: string; cue: string; sigstore: object; node: string };
    expect(found).toMatchObject({ cue: 'v0.4.3', node: process.version });
    expect(Object.keys(found.sigstore)).toContain('@sigstore/verify');
  });

  it('keeps -V as the bare version', async () => {
    const run = await cli(['-V']);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) as unknown });
  });
});
