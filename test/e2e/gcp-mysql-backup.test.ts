import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintGcpMysqlBackupHistory, type MintedRelease } from '../support/releases.js';
import { ALL_PASS, cli, cliJson, reason, statuses } from './helpers.js';

let reg: TestRegistry;
let sigstore: TestSigstore;
let history: Record<'v0.7.0' | 'v0.8.0' | 'v1.1.2' | 'latest', MintedRelease>;
let work: string;
let base: string[];

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-e2e-'));
  const trustedRoot = await sigstore.writeTrustedRoot(work);
  history = await mintGcpMysqlBackupHistory(reg, sigstore);
  base = ['--image', `${reg.host}/natrontech/gcp-mysql-backup`, '--trusted-root', trustedRoot];
});

afterAll(async () => {
  await reg?.stop();
});

describe('verify-release latest on a gcp-mysql-backup-like history', () => {
  it('resolves latest to v1.1.2 and passes every check (bundle signature + bundle SBOM + legacy SLSA)', async () => {
    const { code, report, stderr } = await cliJson(['latest', ...base]);
    expect(stderr).toBe('');
    expect(report.target.version).toBe('v1.1.2');
    expect(report.target.digest).toBe(history['v1.1.2'].digest);
    expect(report.target.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(report.target.platforms).toContain('linux/amd64');
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(report.verified).toBe(true);
    expect(code).toBe(0);
  });

  it('prints the same verdict in human form', async () => {
    const { code, stdout } = await cli(['latest', ...base]);
    expect(code).toBe(0);
    expect(stdout).toContain('natrontech/gcp-mysql-backup v1.1.2');
    expect(stdout).toContain(history['v1.1.2'].digest);
    expect(stdout).toMatch(/✔ Image signature/);
    expect(stdout).toMatch(/VERIFIED: 6 passed, 0 failed/);
    expect(stdout).not.toMatch(/\u001b\[/); // no colour when not a TTY
  });

  it('verifies v0.8.0: legacy .sig and one .att holding both SBOM and SLSA provenance', async () => {
    const { code, report } = await cliJson(['--version', 'v0.8.0', ...base]);
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
    const signature = report.checks.find((check) => check.id === 'signature')!;
    expect(signature.evidence).toMatchObject({ signatures: [{ format: 'legacy-sig' }] });
  });

  it('fails the unsigned v0.7.0 and names where it looked', async () => {
    const { code, report } = await cliJson(['v0.7.0', ...base]);
    expect(code).toBe(1);
    expect(report.verified).toBe(false);
    expect(statuses(report)).toMatchObject({ resolve: 'pass', signature: 'fail', provenance: 'fail', sbom: 'fail' });
    expect(reason(report, 'signature')).toBe(
      `no signatures found: looked for sha256-${history['v0.7.0'].digest.slice(7)}.sig, .att and bundle referrers in ${reg.host}/natrontech/gcp-mysql-backup`,
    );
  });

  it('verifies the rolling latest tag built from main with refs/heads/main identities', async () => {
    const { code, report } = await cliJson(['--tag', 'latest', ...base]);
    expect(report.target.tag).toBe('latest');
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
  });

  it('verifies a digest reference directly, with no version to bind to', async () => {
    const digestRef = `${reg.host}/natrontech/gcp-mysql-backup@${history['v1.1.2'].digest}`;
    const { code, report } = await cliJson(['--image', digestRef, '--trusted-root', base[3]!]);
    expect(report.target.digest).toBe(history['v1.1.2'].digest);
    expect(report.target.version).toBeNull();
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
  });

  it('writes the SBOM exactly as attested with --sbom-out and `sbom`', async () => {
    const out = join(work, 'sbom.json');
    const { code } = await cli(['v1.1.2', ...base, '--sbom-out', out]);
    expect(code).toBe(0);
    const written = await readFile(out, 'utf8');
    const printed = await cli(['sbom', 'v1.1.2', ...base]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(written);
    const document = JSON.parse(written) as { bomFormat?: string };
    expect(document.bomFormat).toBe('CycloneDX');
  });

  it('prints nothing on stdout from `sbom` when the SBOM does not verify', async () => {
    const printed = await cli(['sbom', 'v0.7.0', ...base]);
    expect(printed.code).toBe(1);
    expect(printed.stdout).toBe('');
    expect(printed.stderr).toContain('NOT VERIFIED');
  });

  it('selects a subset of checks with --checks', async () => {
    const { code, report } = await cliJson(['v1.1.2', ...base, '--checks', 'signature,resolve']);
    expect(report.checks.map((check) => check.id)).toEqual(['resolve', 'signature']);
    expect(code).toBe(0);
  });

  it('fails a statement missing a constrained field in strict mode and passes it in cosign mode', async () => {
    const policy = join(work, 'needs-field.cue');
    await writeFile(
      policy,
      'predicateType: "https://slsa.dev/provenance/v0.2"\npredicate: buildConfig: reviewed: true\n',
    );
    const strict = await cliJson(['v1.1.2', ...base, '--policy', policy, '--checks', 'provenance-policy']);
    expect(statuses(strict.report)['provenance-policy']).toBe('fail');
    expect(reason(strict.report, 'provenance-policy')).toContain('predicate.buildConfig');
    expect(strict.code).toBe(1);
    const cosign = await cliJson([
      'v1.1.2',
      ...base,
      '--policy',
      policy,
      '--policy-mode',
      'cosign',
      '--checks',
      'provenance-policy',
    ]);
    expect(statuses(cosign.report)['provenance-policy']).toBe('pass');
    expect(cosign.code).toBe(0);
  });

  it('rejects a wrong identity and shows what the certificates say', async () => {
    const { code, report } = await cliJson([
      'v1.1.2',
      ...base,
      '--checks',
      'signature',
      '--certificate-identity-regexp',
      '^https://github.com/evil/',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
    ]);
    expect(code).toBe(1);
    expect(reason(report, 'signature')).toContain('none matched the expected identity');
    expect(reason(report, 'signature')).toContain(
      'https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2',
    );
  });

  it('refuses an invalid identity regexp as a usage error before any network work', async () => {
    const { code, stdout, stderr } = await cli(['v1.1.2', ...base, '--certificate-identity-regexp', '^(?=lookahead)']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^verify-release: expected a valid Go RE2 expression for --certificate-identity-regexp/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports a missing pinned release with the newest ones and exit 3', async () => {
    const { code, report } = await cliJson(['v9.9.9', ...base]);
    expect(code).toBe(3);
    expect(statuses(report).resolve).toBe('error');
    expect(reason(report, 'resolve')).toContain('v9.9.9');
    expect(reason(report, 'resolve')).toContain('v1.1.2');
  });
});
