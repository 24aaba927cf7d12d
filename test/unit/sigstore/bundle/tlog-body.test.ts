import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../../src/errors.js';
import { type TlogBody, verifyTlogBodySigner } from '../../../../src/sigstore/bundle/tlog-body.js';
import { thrown } from '../../../support/expect-error.js';
import { conformanceBundle } from './fixtures.js';

// A Rekor v1 body records its signer as base64(PEM). The recorded certificate is decoded, not parsed, and compared
// with the bundle's: only the strict PEM form clients write is read, and one DER has one accepted text.
const bundle = conformanceBundle('happy-path-v0.3');
const leaf = Buffer.from(bundle.verificationMaterial.certificate.rawBytes as string, 'base64');
const lines = leaf.toString('base64').match(/.{1,64}/g) ?? [];
const pem = (body: string[], eol = '\n'): string =>
  ['-----BEGIN CERTIFICATE-----', ...body, '-----END CERTIFICATE-----', ''].join(eol);

function recording(text: string): TlogBody {
  const content = Buffer.from(text).toString('base64');
  return { kind: 'hashedrekord', apiVersion: '0.0.1', spec: { signature: { publicKey: { content } } } };
}

describe('verifyTlogBodySigner, Rekor v1 PEM certificates', () => {
  it('accepts the bundle certificate as clients write it, with LF or CRLF line ends', () => {
    for (const text of [pem(lines), pem(lines, '\r\n'), pem(lines).trimEnd()]) {
      expect(() => verifyTlogBodySigner(recording(text), { certificateDer: leaf })).not.toThrow();
    }
  });

  it.each([
    ['text before the block', `issuer: x\n${pem(lines)}`],
    ['a second block', pem(lines) + pem(lines)],
    [
      'another certificate',
      pem(
        (leaf
          .subarray(0, -1)
          .toString('base64')
          .match(/.{1,64}/g) ?? []) as string[],
      ),
    ],
    ['base64 that is not canonical', pem([...lines.slice(0, -1), `${lines.at(-1)?.replace(/=+$/, '')}`])],
    ['an empty block', pem([])],
  ])('refuses %s', (_name, text) => {
    const error = thrown(() => verifyTlogBodySigner(recording(text), { certificateDer: leaf }), VerificationError);
    expect(error.code).toBe('TLOG_ERROR');
    expect(error.message).toMatch(/expected the entry body to record the bundle's certificate, got a different one$/);
  });
});
