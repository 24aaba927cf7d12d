import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import type { KeyPairKeyObjectResult } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { initializeCTLog } from '@sigstore/mock';
import * as asn1js from 'asn1js';
import type { SeededRandom } from './random.js';
import { toFulcioExtensions, toSubjectAlternativeName, type GithubIdentity } from './identity.js';

// @peculiar/x509 needs a WebCrypto provider before any certificate is built.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const CA_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-384' };
const CA_SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-384' };
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';

/** A Fulcio-like CA: self-signed root → intermediate (pathlen 0, EKU codeSigning) → leaf, like public-good Fulcio. */
export interface TestCA {
  /** Organization of both CA subjects, also used in the trusted root's `subject`. */
  organization: string;
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  validFrom: Date;
  validTo: Date;
  /**
   * Issues a leaf for a GitHub Actions identity over `[notBefore, notAfter]`. With `ctLogKey` the leaf carries an
   * embedded SCT from that CT log (timestamped at notBefore), issued over the precertificate as Fulcio does.
   */
  issueLeaf(o: {
    publicKey: webcrypto.CryptoKey;
    identity: GithubIdentity;
    notBefore: Date;
    notAfter: Date;
    ctLogKey?: KeyPairKeyObjectResult;
  }): Promise<x509.X509Certificate>;
}

/** Creates a root and intermediate valid over `[validFrom, validTo]`. */
export async function createTestCA(o: {
  organization: string;
  validFrom: Date;
  validTo: Date;
  random: SeededRandom;
}): Promise<TestCA> {
  const serial = (): string => serialNumber(o.random);
  const rootKeys = await webcrypto.subtle.generateKey(CA_KEY, true, ['sign', 'verify']);
  const intermediateKeys = await webcrypto.subtle.generateKey(CA_KEY, true, ['sign', 'verify']);
  const rootName = `O=${o.organization}, CN=sigstore`;
  const intermediateName = `O=${o.organization}, CN=sigstore-intermediate`;

  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: rootName,
    notBefore: o.validFrom,
    notAfter: o.validTo,
    signingAlgorithm: CA_SIGNING,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: intermediateName,
    issuer: root.subject,
    notBefore: o.validFrom,
    notAfter: o.validTo,
    signingAlgorithm: CA_SIGNING,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  async function issueLeaf(l: Parameters<TestCA['issueLeaf']>[0]): Promise<x509.X509Certificate> {
    const params = {
      serialNumber: serial(),
      issuer: intermediate.subject,
      notBefore: l.notBefore,
      notAfter: l.notAfter,
      signingAlgorithm: CA_SIGNING,
      publicKey: l.publicKey,
      signingKey: intermediateKeys.privateKey,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        await x509.SubjectKeyIdentifierExtension.create(l.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(intermediateKeys.publicKey),
        // Fulcio leaves have an empty subject, so the SAN must be critical (RFC 5280 4.2.1.6).
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: toSubjectAlternativeName(l.identity) }], true),
        ...toFulcioExtensions(l.identity).map(
          (e) =>
            new x509.Extension(
              e.oid,
              false,
              e.raw ? Buffer.from(e.value) : new asn1js.Utf8String({ value: e.value }).toBER(false),
            ),
        ),
      ],
    };
    if (!l.ctLogKey) return x509.X509CertificateGenerator.create(params);
    // The CT log signs the precertificate TBS; verifiers rebuild it by dropping the SCT extension again.
    const precert = await x509.X509CertificateGenerator.create(params);
    const ctLog = await initializeCTLog(l.ctLogKey, l.notBefore);
    const issuerId = await webcrypto.subtle.digest('SHA-256', intermediate.publicKey.rawData);
    const sct = Buffer.from(await ctLog.log(precert.rawData, issuerId));
    return x509.X509CertificateGenerator.create({
      ...params,
      extensions: [...params.extensions, sctListExtension(sct)],
    });
  }

  return { organization: o.organization, root, intermediate, validFrom: o.validFrom, validTo: o.validTo, issueLeaf };
}

/** RFC 6962 SignedCertificateTimestampList with one SCT; the mock's SCT already carries its own u16 length. */
function sctListExtension(sct: Buffer): x509.Extension {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(sct.length);
  const list = new asn1js.OctetString({ valueHex: Buffer.concat([length, sct]) });
  return new x509.Extension(OID_SCT_LIST, false, list.toBER(false));
}

/** A positive 16-byte serial number, as Fulcio uses; the first byte is 0x01–0x7f, so the DER INTEGER is minimal. */
function serialNumber(random: SeededRandom): string {
  const bytes = random.bytes(16);
  bytes[0] = 0x01 + ((bytes[0] ?? 0) % 0x7f);
  return bytes.toString('hex');
}
