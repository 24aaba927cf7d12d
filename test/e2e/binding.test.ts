/**
 * Version and repository binding (issue 7, items 1–3 and 11) against the real registry and the test Sigstore: a
 * certificate must be issued to a build of the project (Source Repository URI, or the legacy GitHub Workflow
 * Repository) at the verified version's ref (Source Repository Ref, legacy GitHub Workflow Ref, the SAN's `@ref`),
 * whatever identity flags or profile patterns are given.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, GITHUB_ACTIONS_ISSUER, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintRelease, retag } from '../support/releases.js';
import { ALL_PASS, cli, cliJson, reason, statuses } from './helpers.js';

const REPO = 'natrontech/gcp-mysql-backup';
const RELEASE_WORKFLOW = `https://github.com/${REPO}/.github/workflows/release.yml`;
const SOURCE_REPOSITORY_URI = '1.3.6.1.4.1.57264.1.12';
const SOURCE_REPOSITORY_REF = '1.3.6.1.4.1.57264.1.14';
const GITHUB_WORKFLOW_REF = '1.3.6.1.4.1.57264.1.6';
/** Every check but resolve failed. */
const ALL_FAIL = {
  resolve: 'pass',
  signature: 'fail',
  provenance: 'fail',
  'provenance-policy': 'fail',
  sbom: 'fail',
  'sbom-policy': 'fail',
};

let reg: TestRegistry;
let sigstore: TestSigstore;
let work: string;
let base: string[];

/** A fork that calls the project's release workflow as a reusable workflow: the SAN is the project's. */
function forkSigner(tag: string) {
  return {
    repository: 'evil/fork',
    jobWorkflow: { repository: REPO, path: '.github/workflows/release.yml', ref: `refs/tags/${tag}` },
  };
}

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-binding-'));
  const trustedRoot = await sigstore.writeTrustedRoot(work);
  base = ['--image', `${reg.host}/${REPO}`, '--trusted-root', trustedRoot];
  // The genuine v1.0.0, and tags an attacker with registry write access points at it.
  await mintRelease(reg, sigstore, { repo: REPO, tag: 'v1.0.0', signedAt: new Date('2026-01-10T10:00:00Z') });
  for (const tag of ['v1.1.3', 'v1.1', 'v1', 'V1.1.2']) await retag(reg, REPO, 'v1.0.0', tag);
  // Fork-made releases: SAN `release.yml@refs/tags/<tag>` of the project, Source Repository URI of the fork.
  await mintRelease(reg, sigstore, { repo: REPO, tag: 'v1.2.0', signer: forkSigner('v1.2.0') });
  // An old-style certificate without the Source Repository URI: only the legacy .1.5 names the fork.
  await mintRelease(reg, sigstore, {
    repo: REPO,
    tag: 'v1.3.0',
    signature: 'legacy',
    sbom: 'legacy-in-att',
    signer: { ...forkSigner('v1.3.0'), extensions: { [SOURCE_REPOSITORY_URI]: null } },
  });
  // The SAN names v1.4.0, but the ref extensions say the build ran for v1.0.0.
  await mintRelease(reg, sigstore, {
    repo: REPO,
    tag: 'v1.4.0',
    signer: { extensions: { [SOURCE_REPOSITORY_REF]: 'refs/tags/v1.0.0', [GITHUB_WORKFLOW_REF]: 'refs/tags/v1.0.0' } },
  });
}, 60_000);

afterAll(async () => {
  await reg?.stop();
});

describe('version binding survives every override (items 1 and 2)', () => {
  it('the genuine v1.0.0 passes with the overrides used below', async () => {
    const { code, report } = await cliJson([
      'v1.0.0',
      ...base,
      '--certificate-oidc-issuer',
      GITHUB_ACTIONS_ISSUER,
      '--source-versioned-tag',
      'v1',
    ]);
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
    const signature = report.checks.find((check) => check.id === 'signature')!;
    expect(signature.evidence).toMatchObject({
      binding: { repository: REPO, ref: 'refs/tags/v1.0.0' },
      signatures: [{ sourceRepository: `https://github.com/${REPO}`, sourceRef: 'refs/tags/v1.0.0' }],
    });
  });

  it.each([
    ['--certificate-oidc-issuer alone', ['--certificate-oidc-issuer', GITHUB_ACTIONS_ISSUER]],
    ['--certificate-oidc-issuer-regexp', ['--certificate-oidc-issuer-regexp', '^https://token\\.actions\\.']],
    ['--certificate-identity-regexp', ['--certificate-identity-regexp', `^https://github.com/${REPO}/`]],
    [
      '--certificate-identity of the v1.0.0 workflow',
      ['--certificate-identity', `${RELEASE_WORKFLOW}@refs/tags/v1.0.0`],
    ],
  ])('v1.1.3 pointed at the signed v1.0.0 index fails with %s', async (_name, flags) => {
    const { code, report } = await cliJson(['v1.1.3', ...base, ...flags, '--source-versioned-tag', 'v1']);
    expect(report.target.digest).toBeTruthy();
    expect(statuses(report)).toEqual(ALL_FAIL);
    expect(code).toBe(1);
    expect(reason(report, 'signature')).toContain(
      'verified but not for this release: expected a certificate for refs/tags/v1.1.3, got "refs/tags/v1.0.0"',
    );
    expect(reason(report, 'sbom')).toContain('expected a certificate for refs/tags/v1.1.3');
    expect(reason(report, 'provenance')).toContain('expected a certificate for refs/tags/v1.1.3');
    expect(report.notices).toEqual([]);
  });

  it('a profile regex with a top-level alternation is matched as given and still bound', async () => {
    const profile = join(work, 'alternation.json');
    const alternation = `^${RELEASE_WORKFLOW}@refs/tags/v[0-9.]+$|^${RELEASE_WORKFLOW}@refs/heads/main$`;
    const signer = { issuer: GITHUB_ACTIONS_ISSUER, identityRegexp: alternation };
    await writeFile(
      profile,
      JSON.stringify({
        name: REPO,
        image: `${reg.host}/${REPO}`,
        repositories: { signature: [], sbom: [], provenance: [] },
        identities: { signature: signer, sbom: signer, provenance: { sourceUri: `github.com/${REPO}` } },
        policies: { provenance: ['bundled:policy.cue'], sbom: ['bundled:policy-sbom.cue'] },
      }),
    );
    const rollback = await cliJson(['v1.1.3', '--profile', profile, ...base.slice(2)]);
    expect(statuses(rollback.report)).toEqual(ALL_FAIL);
    expect(rollback.code).toBe(1);
    const genuine = await cliJson(['v1.0.0', '--profile', profile, ...base.slice(2)]);
    expect(statuses(genuine.report)).toEqual(ALL_PASS);
  });

  it('a certificate whose ref extensions name another release fails though its SAN names this one', async () => {
    const { code, report } = await cliJson(['v1.4.0', ...base, '--checks', 'signature,sbom']);
    expect(statuses(report)).toEqual({ signature: 'fail', sbom: 'fail' });
    expect(reason(report, 'signature')).toContain('got "refs/tags/v1.0.0" in Source Repository Ref');
    expect(code).toBe(1);
  });

  it('--no-version-binding turns it off, and the report says so', async () => {
    const { code, report } = await cliJson(['v1.1.3', ...base, '--no-version-binding']);
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
    expect(report.notices).toEqual([expect.stringContaining('version binding is off (--no-version-binding)')]);
    const text = await cli(['v1.1.3', ...base, '--no-version-binding']);
    expect(text.stdout).toContain('note: version binding is off (--no-version-binding)');
  });
});

describe('source repository binding (item 3)', () => {
  it('a fork-made certificate with the project SAN fails signature, provenance, SBOM and both policies', async () => {
    const { code, report } = await cliJson(['v1.2.0', ...base]);
    expect(statuses(report)).toEqual(ALL_FAIL);
    expect(code).toBe(1);
    expect(reason(report, 'signature')).toContain(
      `expected a certificate from source repository https://github.com/${REPO}, got "https://github.com/evil/fork"`,
    );
    expect(reason(report, 'sbom')).toContain('https://github.com/evil/fork');
    expect(reason(report, 'sbom-policy')).toContain('https://github.com/evil/fork');
    expect(reason(report, 'provenance-policy')).toContain('https://github.com/evil/fork');
  });

  it('the exact project identity does not let a fork through', async () => {
    const { code, report } = await cliJson([
      'v1.2.0',
      ...base,
      '--certificate-identity',
      `${RELEASE_WORKFLOW}@refs/tags/v1.2.0`,
      '--certificate-oidc-issuer',
      GITHUB_ACTIONS_ISSUER,
      '--checks',
      'signature,sbom,sbom-policy',
    ]);
    expect(statuses(report)).toEqual({ signature: 'fail', sbom: 'fail', 'sbom-policy': 'fail' });
    expect(code).toBe(1);
  });

  it('`verify-release sbom` prints nothing on stdout for the fork-made SBOM', async () => {
    const { code, stdout, stderr } = await cli(['sbom', 'v1.2.0', ...base]);
    expect(stdout).toBe('');
    expect(code).not.toBe(0);
    expect(stderr).toContain('NOT VERIFIED');
  });

  it('an old certificate naming the fork only in the legacy GitHub Workflow Repository fails', async () => {
    const { code, report } = await cliJson(['v1.3.0', ...base, '--checks', 'signature,sbom']);
    expect(statuses(report)).toEqual({ signature: 'fail', sbom: 'fail' });
    expect(reason(report, 'signature')).toContain('got GitHub Workflow Repository "evil/fork"');
    expect(code).toBe(1);
  });

  it('--certificate-github-workflow-repository sets the repository explicitly', async () => {
    const { code, report } = await cliJson([
      'v1.2.0',
      ...base,
      '--certificate-github-workflow-repository',
      'evil/fork',
      '--checks',
      'signature,sbom',
    ]);
    expect(statuses(report)).toEqual({ signature: 'pass', sbom: 'pass' });
    expect(code).toBe(0);
    const genuine = await cliJson([
      'v1.0.0',
      ...base,
      '--certificate-github-workflow-repository',
      'evil/fork',
      '--checks',
      'signature',
    ]);
    expect(statuses(genuine.report)).toEqual({ signature: 'fail' });
  });
});

describe('a non-release --version or --tag binds nothing by accident (item 11)', () => {
  it.each([[['--version', 'v1.1']], [['v1']], [['--version', 'V1.1.2']]])(
    '%j is a usage error pointing at --tag',
    async (args) => {
      const { code, stdout, stderr } = await cli([...args, ...base]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^verify-release: expected a version "latest" or a release like v1\.2\.3[^\n]*--tag[^\n]*\n$/,
      );
    },
  );

  it('--tag v1.1 without a stated ref is a usage error', async () => {
    const { code, stdout, stderr } = await cli(['--tag', 'v1.1', ...base]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('not a release');
    expect(stderr).toContain('--no-version-binding');
  });

  it('--tag v1.1 --source-tag v1.1 binds the certificates to refs/tags/v1.1', async () => {
    const { code, report } = await cliJson(['--tag', 'v1.1', '--source-tag', 'v1.1', ...base]);
    expect(statuses(report)).toEqual(ALL_FAIL);
    expect(code).toBe(1);
    expect(reason(report, 'signature')).toContain('expected a certificate for refs/tags/v1.1,');
    expect(report.notices).toEqual(['tag "v1.1" is not a release: bound to refs/tags/v1.1 (--source-tag)']);
  });

  it('an identity regexp is an explicit expectation: the report names the ref it accepted', async () => {
    const { code, report } = await cliJson([
      '--tag',
      'v1.1',
      '--certificate-identity-regexp',
      `^${RELEASE_WORKFLOW}@refs/tags/v1\\.`,
      ...base,
    ]);
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
    expect(report.notices).toEqual([expect.stringContaining('tag "v1.1" is not a release')]);
    const signature = report.checks.find((check) => check.id === 'signature')!;
    expect(signature.evidence).toMatchObject({
      binding: { repository: REPO, ref: null },
      signatures: [{ sourceRef: 'refs/tags/v1.0.0' }],
    });
  });

  it('--tag v1.1 --no-version-binding verifies and says the binding is off', async () => {
    const { code, stdout } = await cli(['--tag', 'v1.1', '--no-version-binding', ...base]);
    expect(code).toBe(0);
    expect(stdout).toContain('note: version binding is off (--no-version-binding)');
  });
});
