import { describe, expect, it } from 'vitest';
import type { SignerInfo } from '../../../src/model/evidence.js';
import {
  SOURCE_OID,
  toSanRef,
  toSourceClaims,
  verifySigner,
  verifySourceRef,
  verifySourceRepository,
} from '../../../src/sigstore/signer-binding.js';

const GHA = 'https://token.actions.githubusercontent.com';
const WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml';

function signer(extensions: Record<string, string>, identity = `${WORKFLOW}@refs/tags/v1.2.3`): SignerInfo {
  return { identity, issuer: GHA, extensions, notBefore: '', notAfter: '' };
}

const full = signer({
  [SOURCE_OID.githubWorkflowRepository]: 'acme/app',
  [SOURCE_OID.githubWorkflowRef]: 'refs/tags/v1.2.3',
  [SOURCE_OID.sourceRepositoryUri]: 'https://github.com/acme/app',
  [SOURCE_OID.sourceRepositoryRef]: 'refs/tags/v1.2.3',
});

describe('toSanRef', () => {
  it.each([
    [`${WORKFLOW}@refs/tags/v1.2.3`, 'refs/tags/v1.2.3'],
    [`${WORKFLOW}@refs/tags/a@b`, 'refs/tags/a@b'],
    ['https://user@host.example/path@refs/heads/main', 'refs/heads/main'],
    ['https://user@host.example/path', undefined],
    ['someone@example.com', undefined],
    [WORKFLOW, undefined],
  ])('%s → %s', (san, ref) => {
    expect(toSanRef(san)).toBe(ref);
  });
});

describe('verifySourceRepository', () => {
  it('accepts the project in both extensions, case-insensitively', () => {
    expect(() => verifySourceRepository(full, 'Acme/App')).not.toThrow();
  });

  it('accepts an old certificate with only the legacy GitHub Workflow Repository', () => {
    expect(() =>
      verifySourceRepository(signer({ [SOURCE_OID.githubWorkflowRepository]: 'acme/app' }), 'acme/app'),
    ).not.toThrow();
  });

  it.each([
    [
      'another Source Repository URI',
      { [SOURCE_OID.sourceRepositoryUri]: 'https://github.com/evil/fork' },
      'evil/fork',
    ],
    [
      'a legacy repository that disagrees',
      {
        [SOURCE_OID.sourceRepositoryUri]: 'https://github.com/acme/app',
        [SOURCE_OID.githubWorkflowRepository]: 'evil/fork',
      },
      'GitHub Workflow Repository "evil/fork"',
    ],
    ['another host', { [SOURCE_OID.sourceRepositoryUri]: 'https://gitlab.com/acme/app' }, 'gitlab.com'],
    ['a prefix of the name', { [SOURCE_OID.sourceRepositoryUri]: 'https://github.com/acme/app-fork' }, 'app-fork'],
    ['no repository at all', {}, 'names no source repository'],
  ])('refuses %s', (_name, extensions, message) => {
    expect(() => verifySourceRepository(signer(extensions), 'acme/app')).toThrow(
      expect.objectContaining({
        code: 'IDENTITY_MISMATCH',
        aspect: 'repository',
        message: expect.stringContaining(message),
      }),
    );
  });
});

describe('verifySourceRef', () => {
  it('accepts when every ref the certificate names is the expected one', () => {
    expect(() => verifySourceRef(full, 'refs/tags/v1.2.3')).not.toThrow();
  });

  it('refuses when one of them differs, even if the SAN matches', () => {
    const moved = signer({ ...full.extensions, [SOURCE_OID.sourceRepositoryRef]: 'refs/tags/v1.0.0' });
    expect(() => verifySourceRef(moved, 'refs/tags/v1.2.3')).toThrow(
      /got "refs\/tags\/v1\.0\.0" in Source Repository Ref/,
    );
  });

  it('refuses a SAN ref that differs from the extensions', () => {
    const san = signer(full.extensions, `${WORKFLOW}@refs/heads/main`);
    expect(() => verifySourceRef(san, 'refs/tags/v1.2.3')).toThrow(/in the SAN/);
  });

  it('ignores the SAN of a builder (reusable workflow), whose ref is its own', () => {
    const builder = signer(
      full.extensions,
      'https://github.com/slsa-framework/x/.github/workflows/g.yml@refs/tags/v2.1.0',
    );
    expect(() => verifySourceRef(builder, 'refs/tags/v1.2.3', true)).not.toThrow();
    expect(() => verifySourceRef(builder, 'refs/tags/v1.2.3')).toThrow(/in the SAN/);
  });

  it('refuses a certificate that names no ref', () => {
    expect(() => verifySourceRef(signer({}, 'someone@example.com'), 'refs/tags/v1.2.3')).toThrow(/names no ref/);
  });
});

describe('verifySigner', () => {
  const policy = {
    identity: { identityRegexp: `^${WORKFLOW}@`, issuer: GHA },
    repository: 'acme/app',
    ref: 'refs/tags/v1.2.3',
  };

  it('checks identity, then repository, then ref', () => {
    expect(() => verifySigner(full, policy)).not.toThrow();
    expect(() => verifySigner(full, { ...policy, identity: { identity: 'x', issuer: GHA } })).toThrow(
      expect.objectContaining({ aspect: 'identity' }),
    );
    expect(() => verifySigner(full, { ...policy, repository: 'acme/other' })).toThrow(
      expect.objectContaining({ aspect: 'repository' }),
    );
    expect(() => verifySigner(full, { ...policy, ref: 'refs/tags/v9.9.9' })).toThrow(
      expect.objectContaining({ aspect: 'ref' }),
    );
  });

  it('keeps the repository binding when the ref is not bound', () => {
    expect(() => verifySigner(full, { ...policy, ref: null })).not.toThrow();
    expect(() => verifySigner(full, { ...policy, ref: null, repository: 'evil/fork' })).toThrow(
      expect.objectContaining({ aspect: 'repository' }),
    );
  });

  it('reports the source claims', () => {
    expect(toSourceClaims(full)).toEqual({ repository: 'https://github.com/acme/app', ref: 'refs/tags/v1.2.3' });
    expect(toSourceClaims(signer({ [SOURCE_OID.githubWorkflowRepository]: 'acme/app' }))).toEqual({
      repository: 'https://github.com/acme/app',
      ref: 'refs/tags/v1.2.3',
    });
  });
});
