import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { toSignerInfo } from '../../../src/sigstore/certificate.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const GHA = 'https://token.actions.githubusercontent.com';
const SAN = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

/** A SAN extension holding one URI GeneralName with exactly these bytes. */
function rawUriSan(bytes: Buffer): x509.Extension {
  const uri = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 6 }, valueHex: bytes });
  return new x509.Extension('2.5.29.17', true, new asn1js.Sequence({ value: [uri] }).toBER(false));
}

/** A Fulcio-shaped leaf (self-signed: only the profile is under test here, not the chain). */
async function leaf(o: { san?: x509.Extension; eku?: string[]; extra?: x509.Extension[] } = {}): Promise<Buffer> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'O=leaf-profile.test',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2025-01-01T00:10:00Z'),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(o.eku ?? [x509.ExtendedKeyUsage.codeSigning]),
      o.san ?? new x509.SubjectAlternativeNameExtension([{ type: 'url', value: SAN }], true),
      new x509.Extension(OID_ISSUER_V2, false, new asn1js.Utf8String({ value: GHA }).toBER(false)),
      ...(o.extra ?? []),
    ],
  });
  return Buffer.from(cert.rawData);
}

const certificateError = (fragment: string) =>
  expect.objectContaining({ code: 'CERTIFICATE_ERROR', message: expect.stringContaining(fragment) as unknown });

describe('toSignerInfo leaf profile (what Go x509 rejects)', () => {
  it('accepts a Fulcio-shaped leaf', async () => {
    const info = toSignerInfo(await leaf());
    expect(info).toMatchObject({ identity: SAN, issuer: GHA });
  });

  it('rejects a leaf whose extended key usage does not allow code signing', async () => {
    const der = await leaf({ eku: [x509.ExtendedKeyUsage.serverAuth] });
    expect(() => toSignerInfo(der)).toThrow(
      certificateError('expected the code signing extended key usage, got 1.3.6.1.5.5.7.3.1'),
    );
  });

  it('rejects a leaf with a critical extension Go does not handle', async () => {
    const der = await leaf({ extra: [new x509.Extension('1.2.3.4.5', true, new asn1js.Null().toBER(false))] });
    expect(() => toSignerInfo(der)).toThrow(
      certificateError('expected no unhandled critical extension, got 1.2.3.4.5'),
    );
  });

  it('rejects a leaf with the same extension twice (here: a second, different issuer)', async () => {
    const second = new x509.Extension(
      OID_ISSUER_V2,
      false,
      new asn1js.Utf8String({ value: 'https://evil.test' }).toBER(false),
    );
    const der = await leaf({ extra: [second] });
    expect(() => toSignerInfo(der)).toThrow(
      certificateError(`expected each extension once, got ${OID_ISSUER_V2} twice`),
    );
  });

  it('rejects a SAN URI with non-ASCII bytes, which the library would read with the high bit dropped', async () => {
    // 0xE8 is 'h' | 0x80: decoded as ASCII by @sigstore/core, this SAN would read as the expected identity.
    const bytes = Buffer.from(SAN, 'ascii');
    bytes[0] = 0xe8;
    const der = await leaf({ san: rawUriSan(bytes) });
    expect(() => toSignerInfo(der)).toThrow(certificateError('expected an ASCII subject alternative name'));
  });
});
