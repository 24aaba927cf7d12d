import { mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { toVerifyReleaseOptions } from '../../../src/cli/options.js';
import type { RawVerifyOptions } from '../../../src/cli/program.js';
import { UsageError } from '../../../src/errors.js';

const RAW: RawVerifyOptions = {
  insecureRegistry: [],
  signatureRepository: [],
  provenanceRepository: [],
  sbomRepository: [],
  policy: [],
  sbomPolicy: [],
  policyMode: 'strict',
  versionBinding: true,
};

describe('#toVerifyReleaseOptions', () => {
  it('defaults to natrontech/gcp-mysql-backup on ghcr.io with every check and its release identity', async () => {
    const options = await toVerifyReleaseOptions(undefined, RAW, {});
    expect(options.image).toEqual({ registry: 'ghcr.io', repository: 'natrontech/gcp-mysql-backup' });
    expect(options.checks).toEqual(['resolve', 'signature', 'provenance', 'provenance-policy', 'sbom', 'sbom-policy']);
    const expected = options.expectations({ version: 'v1.1.2' });
    // The profile's identity as given; the version and the project are separate requirements.
    expect(expected.signature).toEqual({
      identity: {
        issuer: 'https://token.actions.githubusercontent.com',
        identityRegexp:
          '^https://github\\.com/natrontech/gcp-mysql-backup/\\.github/workflows/release\\.yml@refs/(tags/v[0-9]+\\.[0-9]+\\.[0-9]+(-rc\\.[0-9]+)?|heads/main)$',
      },
      repository: 'natrontech/gcp-mysql-backup',
      ref: 'refs/tags/v1.1.2',
    });
    expect(expected.provenanceSigner).toMatchObject({
      repository: 'natrontech/gcp-mysql-backup',
      ref: 'refs/tags/v1.1.2',
      builder: true,
    });
    expect(expected.provenance).toMatchObject({
      sourceUri: 'github.com/natrontech/gcp-mysql-backup',
      sourceTag: 'v1.1.2',
      certificateRef: 'refs/tags/v1.1.2',
    });
    expect(expected.notices).toEqual([]);
    expect(expected.policies.provenance.map((p) => p.name)).toEqual(['bundled:policy.cue']);
  });

  it('binds the rolling latest tag to refs/heads/main, and nothing without version binding', async () => {
    const bound = await toVerifyReleaseOptions(undefined, { ...RAW, tag: 'latest' }, {});
    expect(bound.expectations({ tag: 'latest' }).signature.ref).toBe('refs/heads/main');
    expect(bound.expectations({ tag: 'latest' }).provenance).toMatchObject({ sourceBranch: 'main' });
    expect(bound.expectations({ tag: 'latest' }).notices).toEqual([expect.stringContaining('refs/heads/main')]);
    const unbound = await toVerifyReleaseOptions(undefined, { ...RAW, versionBinding: false }, {});
    const relaxed = unbound.expectations({ version: 'v1.1.2' });
    expect(relaxed.signature.ref).toBeNull();
    expect(relaxed.signature.repository).toBe('natrontech/gcp-mysql-backup');
    expect(relaxed.provenance).not.toHaveProperty('sourceTag');
    expect(relaxed.notices).toEqual([expect.stringContaining('--no-version-binding')]);
  });

  it.each([
    ['--certificate-oidc-issuer alone', { certificateOidcIssuer: 'https://token.actions.githubusercontent.com' }],
    ['--certificate-oidc-issuer-regexp', { certificateOidcIssuerRegexp: '.*' }],
    ['--certificate-identity-regexp', { certificateIdentityRegexp: '.*' }],
    ['--certificate-identity', { certificateIdentity: 'https://github.com/a/b/.github/workflows/x.yml@refs/heads/x' }],
    ['--source-versioned-tag', { sourceVersionedTag: 'v1' }],
    ['--builder-id', { builderId: 'https://github.com/x/y/.github/workflows/z.yml' }],
  ] as const)('keeps version and repository binding under %s', async (_name, extra) => {
    const options = await toVerifyReleaseOptions('v1.1.3', { ...RAW, ...(extra as Partial<RawVerifyOptions>) }, {});
    const expected = options.expectations({ version: 'v1.1.3', tag: 'v1.1.3' });
    for (const signer of [expected.signature, expected.sbom, expected.provenanceSigner]) {
      expect(signer.ref).toBe('refs/tags/v1.1.3');
      expect(signer.repository).toBe('natrontech/gcp-mysql-backup');
    }
    expect(expected.provenance.certificateRef).toBe('refs/tags/v1.1.3');
  });

  it('takes the repository from --certificate-github-workflow-repository, also as the provenance source', async () => {
    const options = await toVerifyReleaseOptions(
      'v1.0.0',
      { ...RAW, certificateGithubWorkflowRepository: 'acme/real' },
      {},
    );
    const expected = options.expectations({ version: 'v1.0.0' });
    expect(expected.signature.repository).toBe('acme/real');
    expect(expected.provenanceSigner.repository).toBe('acme/real');
    expect(expected.provenance.sourceUri).toBe('github.com/acme/real');
  });

  it.each([
    ['edge', {}, 'not a release'],
    ['v1', { certificateOidcIssuer: 'https://token.actions.githubusercontent.com' }, 'not a release'],
  ] as const)('refuses --tag %s without a stated ref', async (tag, extra, message) => {
    const run = toVerifyReleaseOptions(undefined, { ...RAW, tag, ...(extra as Partial<RawVerifyOptions>) }, {});
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it.each([
    [{ sourceBranch: 'dev' }, 'refs/heads/dev'],
    [{ sourceTag: 'v1' }, 'refs/tags/v1'],
    [{ certificateIdentity: 'https://github.com/a/b/.github/workflows/x.yml@refs/heads/edge' }, 'refs/heads/edge'],
    [{ certificateIdentityRegexp: '^https://github.com/a/b/' }, null],
    [{ versionBinding: false }, null],
  ] as const)('binds a non-release --tag to what %j states', async (extra, ref) => {
    const options = await toVerifyReleaseOptions(undefined, { ...RAW, tag: 'edge', ...extra }, {});
    const expected = options.expectations({ tag: 'edge' });
    expect(expected.signature.ref).toBe(ref);
    expect(expected.notices).toHaveLength(1);
  });

  it('derives image and profile from --repo', async () => {
    const options = await toVerifyReleaseOptions('v0.9.0', { ...RAW, repo: 'natrontech/pbs-exporter' }, {});
    expect(options.image).toEqual({ registry: 'ghcr.io', repository: 'natrontech/pbs-exporter' });
    expect(options.version).toBe('v0.9.0');
    const expected = options.expectations({ version: 'v0.9.0' });
    expect(expected.signature.identity.identityRegexp).toContain('natrontech/pbs-exporter/');
    expect(expected.signature.repository).toBe('natrontech/pbs-exporter');
    expect(expected.provenance.sourceUri).toBe('github.com/natrontech/pbs-exporter');
  });

  it('takes COSIGN_REPOSITORY as the default repository for every evidence kind, and flags over it', async () => {
    const env = { COSIGN_REPOSITORY: 'ghcr.io/natrontech/signatures' };
    const options = await toVerifyReleaseOptions(
      undefined,
      { ...RAW, sbomRepository: ['ghcr.io/natrontech/sbom'] },
      env,
    );
    expect(options.repositories.signature).toEqual([{ registry: 'ghcr.io', repository: 'natrontech/signatures' }]);
    expect(options.repositories.provenance).toEqual([{ registry: 'ghcr.io', repository: 'natrontech/signatures' }]);
    expect(options.repositories.sbom).toEqual([{ registry: 'ghcr.io', repository: 'natrontech/sbom' }]);
  });

  it('lets identity flags replace the profile signer, filling the other pair from the profile', async () => {
    const options = await toVerifyReleaseOptions(
      undefined,
      { ...RAW, certificateIdentity: 'https://example.com/id' },
      {},
    );
    expect(options.expectations({ version: 'v1.0.0' }).signature.identity).toEqual({
      identity: 'https://example.com/id',
      issuer: 'https://token.actions.githubusercontent.com',
    });
  });

  it('loads a --profile file with its own policies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profile-'));
    await writeFile(join(dir, 'mine.cue'), 'predicateType: "https://slsa.dev/provenance/v0.2"\n');
    const signer = {
      issuer: 'https://token.actions.githubusercontent.com',
      identityRegexp: '^https://github.com/acme/app/.github/workflows/ci.yml@refs/tags/v.*$',
    };
    await writeFile(
      join(dir, 'profile.json'),
      JSON.stringify({
        name: 'acme/app',
        image: 'registry.example.com/acme/app',
        repositories: { signature: ['registry.example.com/acme/signatures'], sbom: [], provenance: [] },
        identities: { signature: signer, sbom: signer, provenance: { sourceUri: 'github.com/acme/app' } },
        policies: { provenance: ['mine.cue'], sbom: ['bundled:policy-sbom.cue'] },
      }),
    );
    const options = await toVerifyReleaseOptions(undefined, { ...RAW, profile: join(dir, 'profile.json') }, {});
    expect(options.image).toEqual({ registry: 'registry.example.com', repository: 'acme/app' });
    expect(options.repositories.signature).toEqual([
      { registry: 'registry.example.com', repository: 'acme/signatures' },
    ]);
    const expected = options.expectations({ version: 'v2.0.0' });
    expect(expected.signature).toEqual({ identity: signer, repository: 'acme/app', ref: 'refs/tags/v2.0.0' });
    expect(expected.policies.provenance).toEqual([
      { name: join(await realpath(dir), 'mine.cue'), source: 'predicateType: "https://slsa.dev/provenance/v0.2"\n' },
    ]);
  });

  it.each([
    ['a positional version and a different --version', 'v1.0.0', { version: 'v2.0.0' }, 'expected one version'],
    ['a version and --tag', 'v1.0.0', { tag: 'latest' }, 'expected a version or --tag'],
    ['both identity flags', undefined, { certificateIdentity: 'a', certificateIdentityRegexp: 'b' }, 'not both'],
    ['an empty identity', undefined, { certificateIdentity: '' }, 'non-empty'],
    ['--source-tag with --source-versioned-tag', undefined, { sourceTag: 'v1', sourceVersionedTag: 'v1' }, 'not both'],
    ['a malformed --repo', undefined, { repo: 'no-slash' }, 'expected --repo <owner>/<name>'],
    ['--version v1.1', undefined, { version: 'v1.1' }, 'pass --tag "v1.1"'],
    ['a positional v1', 'v1', {}, 'pass --tag "v1"'],
    ['--version V1.1.2', undefined, { version: 'V1.1.2' }, 'expected a version "latest" or a release'],
    [
      'a malformed --certificate-github-workflow-repository',
      undefined,
      { certificateGithubWorkflowRepository: 'https://github.com/a/b' },
      'expected --certificate-github-workflow-repository <owner>/<name>',
    ],
    [
      'a workflow repository that is not the --source-uri',
      undefined,
      { certificateGithubWorkflowRepository: 'a/b', sourceUri: 'github.com/c/d' },
      'to name one repository',
    ],
    [
      'a repository reference with a tag',
      undefined,
      { signatureRepository: ['ghcr.io/a/b:tag'] },
      'without tag or digest',
    ],
    ['an invalid RE2 pattern', undefined, { certificateOidcIssuerRegexp: '(' }, 'valid Go RE2'],
    ['an unreadable policy', undefined, { policy: ['/nonexistent/policy.cue'] }, 'cannot read policy'],
  ] as const)('refuses %s', async (_name, version, extra, message) => {
    const run = toVerifyReleaseOptions(version, { ...RAW, ...(extra as Partial<RawVerifyOptions>) }, {});
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});

describe('provenance signer from --builder-id', () => {
  const generator =
    'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';
  it.each([
    [generator, `${generator}@refs/tags/v2.1.0`, true],
    [generator, `${generator}@refs/heads/main`, false],
    [`${generator}@v2.1.0`, `${generator}@refs/tags/v2.1.0`, true],
    [`${generator}@v2.1.0`, `${generator}@refs/tags/v2.0.0`, false],
    [`${generator}@refs/tags/v2.1.0`, `${generator}@refs/tags/v2.1.0`, true],
  ])('--builder-id %s accepts %s: %s', async (builderId, san, accepted) => {
    const options = await toVerifyReleaseOptions(undefined, { ...RAW, builderId }, {});
    const pattern = options.expectations({ version: 'v1.0.0' }).provenanceSigner.identity.identityRegexp!;
    expect(RE2JS.compile(pattern).matcher(san).find()).toBe(accepted);
  });
});
