import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyBundleCommand } from '../../src/commands/verify-bundle.js';

const REALWORLD = resolve(import.meta.dirname, '../../../shared/realworld');
const CASES = join(REALWORLD, 'sigstore-conformance/test/assets/bundle-verify');
const PUBLIC_GOOD = join(REALWORLD, 'trusted-roots/public-good.trusted_root.json');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

if (!existsSync(CASES)) throw new Error(`conformance corpus missing: expected ${CASES}`);

const names = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function readOptional(dir: string, file: string): string | undefined {
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/** The sigstore-conformance harness's arguments for one case, in PATH or DIGEST form. */
function argumentsFor(name: string, form: 'PATH' | 'DIGEST'): Parameters<typeof verifyBundleCommand>[0] {
  const dir = join(CASES, name);
  const artifact = existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(CASES, 'a.txt');
  const fileOrDigest =
    form === 'PATH' ? artifact : `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`;
  const trustedRoot = existsSync(join(dir, 'trusted_root.json')) ? join(dir, 'trusted_root.json') : PUBLIC_GOOD;
  const bundle = join(dir, 'bundle.sigstore.json');
  if (existsSync(join(dir, 'key.pub'))) return { bundle, key: join(dir, 'key.pub'), trustedRoot, fileOrDigest };
  return {
    bundle,
    certificateIdentity: readOptional(dir, 'identity') ?? DEFAULT_IDENTITY,
    certificateOidcIssuer: readOptional(dir, 'issuer') ?? DEFAULT_ISSUER,
    trustedRoot,
    fileOrDigest,
  };
}

describe('sigstore-conformance bundle-verify', () => {
  it('has all 70 cases', () => {
    expect(names).toHaveLength(70);
  });

  const table = names.flatMap((name) => (['PATH', 'DIGEST'] as const).map((form) => [form, name] as const));
  it.each(table)('%s %s', async (form, name) => {
    const run = verifyBundleCommand(argumentsFor(name, form));
    if (name.endsWith('_fail')) await expect(run).rejects.toThrow();
    else await expect(run).resolves.toBeUndefined();
  });
});

describe('verify-bundle protocol details', () => {
  const happy = argumentsFor('happy-path-v0.3', 'PATH');

  it('refuses --staging with a usage error', async () => {
    await expect(verifyBundleCommand({ ...happy, staging: true })).rejects.toMatchObject({
      code: 'USAGE',
      message: '--staging is not supported; pass --trusted-root',
    });
  });

  it('matches the identity exactly (a prefix fails)', async () => {
    await expect(
      verifyBundleCommand({ ...happy, certificateIdentity: 'https://github.com/sigstore-conformance/' }),
    ).rejects.toMatchObject({ code: 'IDENTITY_MISMATCH' });
  });

  it('treats FILE_OR_DIGEST as a file when a file of that name exists', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'verify-bundle-'));
    const digestNamed = join(dir, `sha256:${'0'.repeat(64)}`);
    writeFileSync(digestNamed, readFileSync(join(CASES, 'a.txt')));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await expect(verifyBundleCommand({ ...happy, fileOrDigest: `sha256:${'0'.repeat(64)}` })).resolves.toBeUndefined();
    } finally {
      process.chdir(cwd);
    }
  });

  it('uses the embedded public-good root when no --trusted-root is given', async () => {
    const { trustedRoot: _root, ...withoutRoot } = happy;
    // loadTrustRoot without a path tries TUF first; point it at a dead loopback mirror so no network is used.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const saved = { mirror: process.env.TUF_MIRROR, root: process.env.TUF_ROOT };
    process.env.TUF_MIRROR = 'http://127.0.0.1:9';
    process.env.TUF_ROOT = mkdtempSync(join(tmpdir(), 'verify-bundle-tuf-'));
    try {
      await expect(verifyBundleCommand(withoutRoot)).resolves.toBeUndefined();
    } finally {
      for (const [name, value] of [['TUF_MIRROR', saved.mirror], ['TUF_ROOT', saved.root]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
