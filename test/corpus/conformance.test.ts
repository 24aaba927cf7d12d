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
