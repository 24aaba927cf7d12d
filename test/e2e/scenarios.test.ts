import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintPbsExporterLike, mintRelease, pushLegacy, type ReleaseSpec } from '../support/releases.js';
import { pushImageIndex } from '../support/registry.js';
import { ALL_PASS, cliJson, reason, statuses } from './helpers.js';

let reg: TestRegistry;
let sigstore: TestSigstore;
let trustedRoot: string;

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  trustedRoot = await sigstore.writeTrustedRoot(await mkdtemp(join(tmpdir(), 'verify-release-scenarios-')));
});

afterAll(async () => {
  await reg?.stop();
});

/** Mints one release into its own repository (so `latest` is unambiguous) and verifies it. */
async function mintAndVerify(spec: Omit<ReleaseSpec, 'tag'> & { tag?: string }, extra: string[] = []) {
  const tag = spec.tag ?? 'v1.0.0';
  const minted = await mintRelease(reg, sigstore, { ...spec, tag });
  const run = await cliJson([tag, '--image', `${reg.host}/${spec.repo}`, '--trusted-root', trustedRoot, ...extra]);
  return { ...run, minted };
}

describe('evidence in separate repositories (pbs-exporter ≤ v0.8.0)', () => {
  let digest: string;
  beforeAll(async () => {
    digest = (await mintPbsExporterLike(reg, sigstore)).digest;
  });

  it('finds nothing in the image repository alone and hints at the unconfigured one', async () => {
    const { code, report } = await cliJson([
      'v0.8.0',
      '--image',
      `${reg.host}/natrontech/pbs-exporter`,
      '--trusted-root',
      trustedRoot,
    ]);
    expect(code).toBe(1);
    expect(statuses(report).signature).toBe('fail');
    expect(reason(report, 'signature')).toContain('no signatures found');
    // The hint is a notice, shown once, naming the flag for the check that failed.
    const hints = report.notices.filter((notice) => notice.includes(`${reg.host}/natrontech/signatures`));
    expect(hints).toEqual([
      `unverified artifacts found at ${reg.host}/natrontech/signatures:sha256-${digest.slice(7)}.sig and .att, a repository that was not searched: pass --signature-repository/--provenance-repository/--sbom-repository ${reg.host}/natrontech/signatures`,
    ]);
    expect(report.target.digest).toBe(digest);
  });

  it('passes every check when the repositories are configured', async () => {
    const { code, report } = await cliJson([
      'v0.8.0',
      '--image',
      `${reg.host}/natrontech/pbs-exporter`,
      '--trusted-root',
      trustedRoot,
      '--signature-repository',
      `${reg.host}/natrontech/signatures`,
      '--provenance-repository',
      `${reg.host}/natrontech/signatures`,
      '--sbom-repository',
      `${reg.host}/natrontech/sbom`,
    ]);
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
  });

  it('takes COSIGN_REPOSITORY as the default for every evidence repository', async () => {
    const { report } = await cliJson(
      [
        'v0.8.0',
        '--image',
        `${reg.host}/natrontech/pbs-exporter`,
        '--trusted-root',
        trustedRoot,
        '--checks',
        'signature,provenance',
      ],
      { COSIGN_REPOSITORY: `${reg.host}/natrontech/signatures` },
    );
    expect(statuses(report)).toEqual({ signature: 'pass', provenance: 'pass' });
  });
});

describe('signature scenarios', () => {
  it('legacy-only release passes', async () => {
    const { code, report } = await mintAndVerify({ repo: 'acme/legacy', signature: 'legacy', sbom: 'legacy-in-att' });
    expect(statuses(report).signature).toBe('pass');
    expect(code).toBe(0);
  });

  it('an SBOM bundle without an image signature does not count as a signature', async () => {
    const { code, report } = await mintAndVerify({ repo: 'acme/sbom-only', signature: 'none' });
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ signature: 'fail', sbom: 'pass' });
    expect(reason(report, 'signature')).toContain('no image signature found');
    expect(reason(report, 'signature')).toContain('https://cyclonedx.org/bom');
  });

  it.each([
    ['payload', 'bundle'],
    ['payload', 'legacy'],
    ['set-untrusted-key', 'legacy'],
    ['cert-expired-before-log', 'bundle'],
    ['cert-expired-before-log', 'legacy'],
    ['wrong-ca', 'bundle'],
    ['no-sct', 'bundle'],
  ] as const)('a signature with tamper %s (%s) fails the signature check', async (tamper, format) => {
    const { code, report } = await mintAndVerify({
      repo: `acme/tamper-${tamper}-${format}`,
      signature: format,
      tamper: { signature: tamper },
    });
    expect(code).toBe(1);
    expect(statuses(report).signature).toBe('fail');
    expect(reason(report, 'signature')).toMatch(/did not verify/);
  });

  it('explains a certificate that expired before the log time', async () => {
    const { report } = await mintAndVerify(
      { repo: 'acme/expired-explained', signature: 'bundle', tamper: { signature: 'cert-expired-before-log' } },
      ['--checks', 'signature'],
    );
    expect(reason(report, 'signature')).toMatch(
      /certificate: .*\(the certificate is valid from .* to .*, the signature claims .*\)/,
    );
  });
});

describe('provenance scenarios', () => {
  it('provenance built from a branch fails when a tag is verified', async () => {
    const { code, report } = await mintAndVerify({
      repo: 'acme/branch-build',
      tag: 'v1.2.0',
      provenanceRef: 'refs/heads/main',
    });
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ signature: 'pass', provenance: 'fail' });
    expect(reason(report, 'provenance')).toContain(
      'expected a build of tag \'v1.2.0\', got a branch build of "refs/heads/main"',
    );
  });

  it('a signature from another release fails version binding, and passes with --no-version-binding', async () => {
    const bound = await mintAndVerify({ repo: 'acme/retagged', tag: 'v2.0.0', ref: 'refs/tags/v1.9.0' }, [
      '--checks',
      'signature,sbom',
    ]);
    expect(statuses(bound.report)).toEqual({ signature: 'fail', sbom: 'fail' });
    const relaxed = await cliJson([
      'v2.0.0',
      '--image',
      `${reg.host}/acme/retagged`,
      '--trusted-root',
      trustedRoot,
      '--checks',
      'signature,sbom',
      '--no-version-binding',
    ]);
    expect(statuses(relaxed.report)).toEqual({ signature: 'pass', sbom: 'pass' });
  });
});

describe('index versus platform manifest', () => {
  it('hints at the index when a platform manifest of a signed release is verified', async () => {
    const image = await pushImageIndex(reg, 'acme/multiarch', 'v1.0.0', { platforms: ['linux/amd64', 'linux/arm64'] });
    const identity = {
      repository: 'acme/multiarch',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/v1.0.0',
    };
    const layer = await sigstore.signImage({
      digest: image.digest,
      repository: `${reg.host}/acme/multiarch`,
      identity,
    });
    await pushLegacy(reg, 'acme/multiarch', image.digest, 'sig', [layer]);
    const child = image.children[0]!;
    const { code, report } = await cliJson([
      '--image',
      `${reg.host}/acme/multiarch@${child}`,
      '--trusted-root',
      trustedRoot,
      '--checks',
      'signature',
    ]);
    expect(code).toBe(1);
    expect(report.notices).toContainEqual(
      expect.stringContaining(
        `unverified artifacts found at ${reg.host}/acme/multiarch:sha256-${image.digest.slice(7)}.sig: this is a platform manifest of ${reg.host}/acme/multiarch:v1.0.0, verify that index instead`,
      ),
    );
  });

  it('hints at the platform manifest when only it is signed and the index is verified', async () => {
    const image = await pushImageIndex(reg, 'acme/platform-signed', 'v1.0.0', {
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    const child = image.children[1]!;
    const identity = {
      repository: 'acme/platform-signed',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/v1.0.0',
    };
    const layer = await sigstore.signImage({ digest: child, repository: `${reg.host}/acme/platform-signed`, identity });
    await pushLegacy(reg, 'acme/platform-signed', child, 'sig', [layer]);
    const { code, report } = await cliJson([
      'v1.0.0',
      '--image',
      `${reg.host}/acme/platform-signed`,
      '--trusted-root',
      trustedRoot,
      '--checks',
      'signature',
    ]);
    expect(code).toBe(1);
    expect(report.notices).toContainEqual(
      expect.stringContaining(
        `unverified artifacts found at ${reg.host}/acme/platform-signed:sha256-${child.slice(7)}.sig: for the linux/arm64 platform manifest, not the index that was verified`,
      ),
    );
  });
});
