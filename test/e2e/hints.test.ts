import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_INDEX } from '../../src/registry/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { fetchJsonManifest, mintRelease, pushLegacy } from '../support/releases.js';
import { cli, cliJson, reason, statuses } from './helpers.js';

let reg: TestRegistry;
let sigstore: TestSigstore;
let trustedRoot: string;

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  trustedRoot = await sigstore.writeTrustedRoot(await mkdtemp(join(tmpdir(), 'verify-release-hints-')));
  await mintRelease(reg, sigstore, { repo: 'acme/app', tag: 'v1.0.0' });
});

afterAll(async () => {
  await reg?.stop();
});

/** How often `text` occurs in `haystack`. */
function occurrences(haystack: string, text: string): number {
  return haystack.split(text).length - 1;
}

describe('hints when evidence exists but does not count: computed once, shown once', () => {
  it('the platform manifest is signed, the index is not (the index has its SBOM and provenance)', async () => {
    const release = await mintRelease(reg, sigstore, {
      repo: 'acme/platform-signed',
      tag: 'v1.0.0',
      signature: 'none',
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    const index = await fetchJsonManifest<{ manifests: { digest: `sha256:${string}` }[] }>(
      reg,
      'acme/platform-signed',
      'v1.0.0',
      OCI_INDEX,
    );
    const child = index!.manifests[0]!.digest;
    const identity = {
      repository: 'acme/platform-signed',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/v1.0.0',
    };
    const layer = await sigstore.signImage({ digest: child, repository: `${reg.host}/acme/platform-signed`, identity });
    await pushLegacy(reg, 'acme/platform-signed', child, 'sig', [layer]);
    const args = ['v1.0.0', '--image', `${reg.host}/acme/platform-signed`, '--trusted-root', trustedRoot];

    const { code, report } = await cliJson(args);
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ signature: 'fail', provenance: 'pass', sbom: 'pass' });
    const hint = `unverified artifacts found at ${reg.host}/acme/platform-signed:sha256-${child.slice(7)}.sig: for the linux/amd64 platform manifest, not the index that was verified`;
    expect(report.notices).toEqual([hint]);
    expect(reason(report, 'signature')).not.toContain('unverified artifacts');
    expect(report.target.digest).toBe(release.digest);

    const text = await cli(args);
    expect(occurrences(text.stdout, hint)).toBe(1);
    expect(text.stdout).toContain(`note: ${hint}\n`);
  });

  it('the SBOM is in <owner>/sbom while COSIGN_REPOSITORY names <owner>/signatures', async () => {
    await mintRelease(reg, sigstore, {
      repo: 'acme/split',
      tag: 'v1.0.0',
      signature: 'legacy',
      sbom: 'legacy-in-att',
      signatureRepo: 'acme/signatures',
      provenanceRepo: 'acme/signatures',
      sbomRepo: 'acme/sbom',
    });
    const args = ['v1.0.0', '--image', `${reg.host}/acme/split`, '--trusted-root', trustedRoot];
    const env = { COSIGN_REPOSITORY: `${reg.host}/acme/signatures` };

    const { code, report } = await cliJson(args, env);
    expect(code).toBe(1);
    expect(statuses(report)).toMatchObject({ signature: 'pass', provenance: 'pass', sbom: 'fail' });
    const hint = `unverified artifacts found at ${reg.host}/acme/sbom:sha256-${report.target.digest!.slice(7)}.att, a repository that was not searched: pass --sbom-repository ${reg.host}/acme/sbom`;
    expect(report.notices).toEqual([hint]);
    expect(reason(report, 'sbom')).toBe('no CycloneDX SBOM attestation found');

    const text = await cli(args, env);
    expect(occurrences(text.stdout, 'unverified artifacts')).toBe(1);

    const fixed = await cliJson([...args, '--sbom-repository', `${reg.host}/acme/sbom`], env);
    expect(fixed.report.verified).toBe(true);
    expect(fixed.report.notices).toEqual([]);
  });

  it('another signer: the reason says who signed and which flag sets the identity; no registry hint', async () => {
    const { report } = await cliJson([
      'v1.0.0',
      '--image',
      `${reg.host}/acme/app`,
      '--trusted-root',
      trustedRoot,
      '--certificate-identity-regexp',
      '^https://github.com/acme/app/.github/workflows/publish.yml@',
    ]);
    expect(reason(report, 'signature')).toContain(
      'the certificates say https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0',
    );
    expect(reason(report, 'signature')).toContain('(--certificate-identity or --certificate-identity-regexp');
    expect(report.notices).toEqual([]);
  });

  it('a release that verifies makes no hint requests', async () => {
    const { report, code, stderr } = await cliJson([
      'v1.0.0',
      '--image',
      `${reg.host}/acme/app`,
      '--trusted-root',
      trustedRoot,
      '--verbose',
    ]);
    expect(code).toBe(0);
    expect(report.notices).toEqual([]);
    // --verbose lists every request: none went to the conventional repositories hints look at.
    expect(stderr).toContain(`GET ${reg.host}/v2/acme/app/tags/list 200 `);
    expect(stderr).not.toMatch(/\/v2\/acme\/(signatures|sbom)\//);
  });
});
