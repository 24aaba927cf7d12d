import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { bundledPolicyDir, bundledProfilePath } from '../../../src/profile/bundled.js';
import { deriveProfile, toProvenancePolicy } from '../../../src/profile/derive.js';
import { loadProfile } from '../../../src/profile/load.js';
import { toProjectRepository } from '../../../src/profile/repository.js';
import { thrown } from '../../support/expect-error.js';

const NATRONTECH = bundledProfilePath('natrontech-gcp-mysql-backup');
const RELEASE = 'https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml';

function matches(regexp: string, value: string): boolean {
  return RE2JS.compile(regexp).matcher(value).find();
}

describe('bundled natrontech profile', () => {
  it('loads with its bundled policies', async () => {
    const { profile, policies } = loadProfile(NATRONTECH);
    expect(profile.image).toBe('ghcr.io/natrontech/gcp-mysql-backup');
    expect(profile.identities.provenance).toEqual({ sourceUri: 'github.com/natrontech/gcp-mysql-backup' });
    expect(policies.provenance.map((p) => p.name)).toEqual(['bundled:policy.cue']);
    expect(policies.provenance[0]?.source).toContain('natrontech/gcp-mysql-backup@refs/(tags/');
    expect(policies.sbom[0]?.source).toContain('predicateType: "https://cyclonedx.org/bom"');
  });

  it.each([
    [`${RELEASE}@refs/tags/v1.1.2`, true],
    [`${RELEASE}@refs/tags/v1.2.0-rc.1`, true],
    // The rolling latest is built from main; which ref one release needs is version binding, not this pattern.
    [`${RELEASE}@refs/heads/main`, true],
    [`${RELEASE}@refs/heads/feature`, false],
    ['https://github.com/natrontech/gcp-mysql-backup/.github/workflows/other.yml@refs/tags/v1.1.2', false],
    ['https://github.com/evil/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2', false],
    // Dots are literal, not "any character".
    ['https://githubXcom/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2', false],
    ['https://github.com/natrontech/gcp-mysql-backup/.github/workflows/releaseXyml@refs/tags/v1.1.2', false],
    [`${RELEASE}@refs/tags/v1x1x2`, false],
    [`${RELEASE}@refs/tags/v1.2.0-rcX1`, false],
  ])('signature identity %s → %s', async (san, expected) => {
    const { profile } = loadProfile(NATRONTECH);
    expect(matches(profile.identities.signature.identityRegexp, san)).toBe(expected);
  });

  it('finds the bundled policy directory from the source tree', () => {
    expect(bundledPolicyDir()).toMatch(/policies$/);
  });
});

describe('loadProfile errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-release-profile-'));
  const base = {
    name: 'x',
    image: 'ghcr.io/o/r',
    repositories: { signature: [], sbom: [], provenance: [] },
    identities: {
      signature: { issuer: 'https://token.actions.githubusercontent.com', identityRegexp: '^x$' },
      sbom: { issuer: 'https://token.actions.githubusercontent.com', identityRegexp: '^x$' },
      provenance: { sourceUri: 'github.com/o/r' },
    },
    policies: { provenance: ['policy.cue'], sbom: [] },
  };

  it.each<[string, (p: any) => void, RegExp]>([
    ['missing issuer', (p) => delete p.identities.signature.issuer, /^profile .*: identities\.signature\.issuer: /],
    [
      'invalid RE2 (lookahead)',
      (p) => (p.identities.sbom.identityRegexp = '^(?=x)'),
      /identities\.sbom\.identityRegexp: expected a valid RE2/,
    ],
    ['image with tag', (p) => (p.image = 'ghcr.io/o/r:latest'), /^profile .*: image: expected an image repository/],
    [
      'https source URI',
      (p) => (p.identities.provenance.sourceUri = 'https://github.com/o/r'),
      /identities\.provenance\.sourceUri: expected github\.com/,
    ],
    ['unknown field', (p) => (p.extra = 1), /^profile .*: \(root\): /],
    [
      'unknown policy',
      (p) => (p.policies.provenance = ['nope.cue']),
      /expected policy "nope\.cue" at .*nope\.cue, got ENOENT.*\(bundled policies are named bundled:<file>\)/,
    ],
  ])('%s', async (_name, edit, message) => {
    const data = structuredClone(base);
    edit(data);
    const file = join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify(data));
    const error = thrown(() => loadProfile(file), UsageError);
    expect(error).toMatchObject({ code: 'CONFIG' });
    expect(error.message).toMatch(message);
  });

  it('reads a policy next to the profile, named by its path', async () => {
    const local = realpathSync(mkdtempSync(join(tmpdir(), 'verify-release-profile-')));
    writeFileSync(join(local, 'policy.cue'), 'predicateType: "local"');
    writeFileSync(join(local, 'p.json'), JSON.stringify(base));
    const { policies } = loadProfile(join(local, 'p.json'));
    expect(policies.provenance).toEqual([{ name: join(local, 'policy.cue'), source: 'predicateType: "local"' }]);
  });

  // Issue 13.1: a forgotten profile policy used to be replaced by the bundled file of the same name.
  it('never falls back to a bundled policy of the same name', async () => {
    const local = mkdtempSync(join(tmpdir(), 'verify-release-profile-'));
    writeFileSync(
      join(local, 'p.json'),
      JSON.stringify({ ...base, policies: { provenance: [], sbom: ['policy-sbom.cue'] } }),
    );
    expect(() => loadProfile(join(local, 'p.json'))).toThrow(/expected policy "policy-sbom\.cue" at .*, got ENOENT/);
  });

  it('reads bundled policies named bundled:<file>, and only those', async () => {
    const local = mkdtempSync(join(tmpdir(), 'verify-release-profile-'));
    const file = join(local, 'p.json');
    writeFileSync(file, JSON.stringify({ ...base, policies: { provenance: [], sbom: ['bundled:policy-sbom.cue'] } }));
    const { policies } = loadProfile(file);
    expect(policies.sbom.map((p) => p.name)).toEqual(['bundled:policy-sbom.cue']);
    writeFileSync(file, JSON.stringify({ ...base, policies: { provenance: [], sbom: ['bundled:../package.json'] } }));
    expect(() => loadProfile(file)).toThrow(
      /expected a bundled policy \(bundled:policy\.cue, bundled:policy-sbom\.cue\)/,
    );
  });

  // Issue 13.5: profile policies reached any file the user can read.
  it.each([
    ['a .. escape', '../token'],
    ['an absolute path elsewhere', '/etc/hostname'],
    ['the directory itself', '.'],
  ])('refuses %s', async (_name, entry) => {
    const outer = mkdtempSync(join(tmpdir(), 'verify-release-profile-'));
    writeFileSync(join(outer, 'token'), 'ghp_SECRET');
    mkdirSync(join(outer, 'p'));
    const file = join(outer, 'p', 'p.json');
    writeFileSync(file, JSON.stringify({ ...base, policies: { provenance: [entry], sbom: [] } }));
    const error = thrown(() => loadProfile(file), UsageError);
    expect(error).toMatchObject({ code: 'CONFIG' });
    expect(error.message).toMatch(/inside the profile's directory .*, got a path outside it/);
  });

  it('refuses a symlink that leads outside the profile directory', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'verify-release-profile-'));
    writeFileSync(join(outer, 'token'), 'ghp_SECRET');
    mkdirSync(join(outer, 'p'));
    symlinkSync(join(outer, 'token'), join(outer, 'p', 'policy.cue'));
    writeFileSync(join(outer, 'p', 'p.json'), JSON.stringify(base));
    expect(() => loadProfile(join(outer, 'p', 'p.json'))).toThrow(/got a link to .*token/);
  });

  it('accepts an absolute path inside the profile directory and a subdirectory', async () => {
    const local = realpathSync(mkdtempSync(join(tmpdir(), 'verify-release-profile-')));
    mkdirSync(join(local, 'cue'));
    writeFileSync(join(local, 'cue', 'a.cue'), 'a: 1');
    const entries = [join(local, 'cue', 'a.cue'), 'cue/../cue/a.cue'];
    writeFileSync(join(local, 'p.json'), JSON.stringify({ ...base, policies: { provenance: entries, sbom: [] } }));
    const { policies } = loadProfile(join(local, 'p.json'));
    expect(policies.provenance.map((p) => p.name)).toEqual([join(local, 'cue', 'a.cue'), join(local, 'cue', 'a.cue')]);
  });

  it('refuses a policy above 1 MiB', async () => {
    const local = mkdtempSync(join(tmpdir(), 'verify-release-profile-'));
    writeFileSync(join(local, 'policy.cue'), `a: "${'x'.repeat(1024 * 1024)}"`);
    writeFileSync(join(local, 'p.json'), JSON.stringify(base));
    expect(() => loadProfile(join(local, 'p.json'))).toThrow(/expected at most 1048576 bytes \(1 MiB\), got 1048581/);
  });

  it('reports unreadable JSON in one line', async () => {
    expect(() => loadProfile(join(dir, 'absent.json'))).toThrow(
      /^profile .*absent\.json: expected a readable JSON file, got /,
    );
  });
});

describe('deriveProfile', () => {
  it('derives the gcp-mysql-backup conventions for another project', () => {
    const { profile, policies } = deriveProfile('natrontech', 'pbs-exporter');
    expect(profile).toMatchObject({
      image: 'ghcr.io/natrontech/pbs-exporter',
      identities: { provenance: { sourceUri: 'github.com/natrontech/pbs-exporter' } },
    });
    const regexp = profile.identities.signature.identityRegexp;
    expect(
      matches(regexp, 'https://github.com/natrontech/pbs-exporter/.github/workflows/release.yml@refs/tags/v0.9.0'),
    ).toBe(true);
    expect(
      matches(regexp, 'https://github.com/natrontech/pbs-exporter/xgithub/workflows/release.yml@refs/tags/v0.9.0'),
    ).toBe(false);
    for (const san of [
      'https://githubXcom/natrontech/pbs-exporter/.github/workflows/release.yml@refs/tags/v0.9.0',
      'https://github.com/natrontech/pbs-exporter/.github/workflows/release.yml@refs/tags/v0x9x0',
      'https://github.com/natrontech/pbs-exporter/.github/workflows/release.yml@refs/tags/v0.9.0-rcX1',
    ]) {
      expect(matches(regexp, san), san).toBe(false);
    }
    expect(policies.provenance[0]?.source).toContain('entryPoint: ".github/workflows/release.yml"');
    expect(policies.sbom.map((p) => p.name)).toEqual(['bundled:policy-sbom.cue']);
  });

  it('generates the bundled policy.cue shape for gcp-mysql-backup', () => {
    const generated = toProvenancePolicy('natrontech', 'gcp-mysql-backup', '.github/workflows/release.yml');
    expect(generated).toContain(
      'uri: =~"^git\\\\+https://github.com/natrontech/gcp-mysql-backup@refs/(tags/v[0-9]+.[0-9]+.[0-9]+|heads/main)$"',
    );
  });

  it('escapes regex metacharacters in names', () => {
    const { profile, policies } = deriveProfile('my.org', 'lib.js', { workflowPath: '.github/workflows/ci.yaml' });
    const regexp = profile.identities.signature.identityRegexp;
    expect(regexp).toContain('my\\.org/lib\\.js/\\.github/workflows/ci\\.yaml@');
    expect(matches(regexp, 'https://github.com/my.org/lib.js/.github/workflows/ci.yaml@refs/tags/v1.0.0')).toBe(true);
    expect(matches(regexp, 'https://github.com/myxorg/libxjs/.github/workflows/ci.yaml@refs/tags/v1.0.0')).toBe(false);
    expect(policies.provenance[0]?.source).toContain('github.com/my\\\\.org/lib\\\\.js@refs');
  });

  it.each([
    ['ow ner', 'r', undefined],
    ['o', 'r/../x', undefined],
    ['o', 'r', '../release.yml'],
    ['o', 'r', '.github/workflows/x.sh'],
  ])('rejects %j/%j workflow %j', (owner, repo, workflowPath) => {
    expect(() => deriveProfile(owner, repo, workflowPath === undefined ? {} : { workflowPath })).toThrow(UsageError);
  });
});

describe('toProjectRepository', () => {
  it.each([
    ['github.com/natrontech/gcp-mysql-backup', 'natrontech/gcp-mysql-backup'],
    ['git+https://github.com/o/r', 'o/r'],
  ])('%s names %s', (uri, repository) => {
    expect(toProjectRepository(uri)).toBe(repository);
  });

  it.each(['https://github.com/o/r', 'gitlab.com/o/r', 'github.com/o', 'github.com/o/r/x'])('refuses %s', (uri) => {
    expect(() => toProjectRepository(uri)).toThrow(UsageError);
  });
});
