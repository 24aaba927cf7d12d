import { describe, expect, it } from 'vitest';
import { toSignerInfo } from '../../../src/sigstore/certificate.js';
import { verifyIdentity } from '../../../src/sigstore/identity.js';
import type { SignerInfo } from '../../../src/model/evidence.js';
import { conformanceBundle, DEFAULT_IDENTITY } from './bundle/fixtures.js';

const GHA = 'https://token.actions.githubusercontent.com';
const signer: SignerInfo = {
  identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3',
  issuer: GHA,
  extensions: {},
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2025-01-01T00:10:00.000Z',
};

describe('verifyIdentity', () => {
  it('accepts an exact identity and issuer', () => {
    expect(() => verifyIdentity(signer, { identity: signer.identity, issuer: GHA })).not.toThrow();
  });

  it('rejects a prefix of the identity in exact mode', () => {
    expect(() => verifyIdentity(signer, { identity: 'https://github.com/acme/app', issuer: GHA })).toThrow(
      expect.objectContaining({
        code: 'IDENTITY_MISMATCH',
        message: `none of the expected identities matched what was in the certificate, got subject ${signer.identity} with issuer ${GHA}`,
      }),
    );
  });

  it('treats regexps as unanchored like cosign: a prefix pattern matches', () => {
    expect(() => verifyIdentity(signer, { identityRegexp: 'https://github.com/acme/app', issuer: GHA })).not.toThrow();
  });

  it('an anchored pattern does not match another repository with the same prefix', () => {
    const evil = {
      ...signer,
      identity: 'https://github.com/acme/app-evil/.github/workflows/release.yml@refs/tags/v1.2.3',
    };
    const policy = {
      identityRegexp: '^https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/tags/v.*$',
      issuer: GHA,
    };
    expect(() => verifyIdentity(signer, policy)).not.toThrow();
    expect(() => verifyIdentity(evil, policy)).toThrow(expect.objectContaining({ code: 'IDENTITY_MISMATCH' }));
  });

  it('an unescaped . matches any character (RE2 semantics, the user must escape)', () => {
    const lookalike = { ...signer, issuer: 'https://tokenXactions.githubusercontent.com' };
    expect(() =>
      verifyIdentity(lookalike, {
        identity: signer.identity,
        issuerRegexp: '^https://token.actions.githubusercontent.com$',
      }),
    ).not.toThrow();
    expect(() =>
      verifyIdentity(lookalike, {
        identity: signer.identity,
        issuerRegexp: '^https://token\\.actions\\.githubusercontent\\.com$',
      }),
    ).toThrow(expect.objectContaining({ code: 'IDENTITY_MISMATCH' }));
  });

  it('an empty exact value is a value, never "no check"', () => {
    expect(() => verifyIdentity(signer, { identity: '', issuer: GHA })).toThrow(
      expect.objectContaining({ code: 'IDENTITY_MISMATCH' }),
    );
    expect(() => verifyIdentity(signer, { identity: signer.identity, issuer: '' })).toThrow(
      expect.objectContaining({ code: 'IDENTITY_MISMATCH' }),
    );
  });

  it('a certificate without an issuer matches no exact issuer and no issuer regexp', () => {
    const { issuer: _issuer, ...noIssuer } = signer;
    expect(() => verifyIdentity(noIssuer, { identity: signer.identity, issuerRegexp: '.*' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('with issuer (none)') }),
    );
  });

  it('supports the (?i) flag of Go RE2', () => {
    expect(() =>
      verifyIdentity(signer, { identityRegexp: '(?i)^HTTPS://GITHUB\\.COM/ACME/', issuer: GHA }),
    ).not.toThrow();
    expect(() => verifyIdentity(signer, { identityRegexp: '^HTTPS://GITHUB\\.COM/ACME/', issuer: GHA })).toThrow(
      expect.objectContaining({ code: 'IDENTITY_MISMATCH' }),
    );
  });

  it('requires exactly one of each flag pair', () => {
    expect(() => verifyIdentity(signer, { issuer: GHA })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => verifyIdentity(signer, { identity: 'a', identityRegexp: 'a', issuer: GHA })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => verifyIdentity(signer, { identity: signer.identity })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });

  it('rejects an invalid RE2 pattern (lookahead) as a usage error', () => {
    expect(() => verifyIdentity(signer, { identityRegexp: '^(?=x)', issuer: GHA })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});

describe('toSignerInfo', () => {
  it('reads SAN, issuer and every Fulcio extension from a real certificate', () => {
    const der = Buffer.from(conformanceBundle('happy-path-v0.3').verificationMaterial.certificate.rawBytes, 'base64');
    const info = toSignerInfo(der);
    expect(info.identity).toBe(DEFAULT_IDENTITY);
    expect(info.issuer).toBe(GHA);
    expect(info.extensions['1.3.6.1.4.1.57264.1.1']).toBe(GHA);
    expect(info.extensions['1.3.6.1.4.1.57264.1.8']).toBe(GHA);
    expect(info.extensions['1.3.6.1.4.1.57264.1.11']).toBe('github-hosted');
    expect(Date.parse(info.notAfter) - Date.parse(info.notBefore)).toBe(10 * 60 * 1000);
  });

  it('rejects a certificate with trailing bytes', () => {
    const der = Buffer.from(conformanceBundle('happy-path-v0.3').verificationMaterial.certificate.rawBytes, 'base64');
    expect(() => toSignerInfo(Buffer.concat([der, Buffer.from([0])]))).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_ERROR' }),
    );
  });
});
