import { ASN1Obj, type X509Certificate } from '@sigstore/core';
import { describeError, VerificationError, verificationError } from '../errors.js';

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_ANY_EXT_KEY_USAGE = '2.5.29.37.0';
const OID_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/**
 * Extensions Go's x509 parser understands; any other extension marked critical makes `Certificate.Verify` fail
 * (RFC 5280 §4.2), and so cosign and sigstore-go reject the certificate. The SAN counts as understood even with only
 * an otherName in it: sigstore handles Fulcio's username SAN itself.
 */
const HANDLED_CRITICAL = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage
  OID_SUBJECT_ALT_NAME,
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '2.5.29.35', // authorityKeyIdentifier
  OID_EXT_KEY_USAGE,
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

/** GeneralName tags Go requires to be IA5 (ASCII): rfc822Name [1], dNSName [2], URI [6]. */
const IA5_GENERAL_NAMES = new Set([1, 2, 6]);

function isCritical(ext: ASN1Obj): boolean {
  const flag = ext.subs.length === 3 ? ext.subs[1] : undefined;
  return flag !== undefined && flag.toBoolean();
}

/** An ASCII-only SAN: the library decodes names with Node's `ascii`, which silently drops the high bit of each byte. */
function verifySanIsAscii(value: Buffer): void {
  for (const name of ASN1Obj.parseBuffer(Buffer.from(value)).subs) {
    if (IA5_GENERAL_NAMES.has(name.tag.number) && name.value.some((byte) => byte >= 0x80)) {
      throw verificationError(
        'CERTIFICATE_ERROR',
        `expected an ASCII subject alternative name, got non-ASCII bytes in a name of type ${name.tag.number}`,
      );
    }
  }
}

/** Go's rule: a leaf without an EKU extension is good for any use; with one, it must allow code signing (or any). */
function verifyCodeSigning(value: Buffer): void {
  const usages = ASN1Obj.parseBuffer(Buffer.from(value)).subs.map((usage) => usage.toOID());
  if (!usages.includes(OID_CODE_SIGNING) && !usages.includes(OID_ANY_EXT_KEY_USAGE)) {
    throw verificationError(
      'CERTIFICATE_ERROR',
      `expected the code signing extended key usage, got ${usages.join(', ') || 'none'}`,
    );
  }
}

/**
 * The leaf checks Go's `x509.ParseCertificate` and `Certificate.Verify` (with `ExtKeyUsageCodeSigning`, as cosign and
 * sigstore-go call it) make and @sigstore/verify does not: no extension twice, no critical extension Go does not
 * handle, IA5 (ASCII) names in the SAN, and an extended key usage that allows code signing.
 *
 * @throws VerificationError CERTIFICATE_ERROR.
 */
export function verifyLeafProfile(cert: X509Certificate): void {
  try {
    verifyExtensions(cert);
  } catch (error) {
    if (error instanceof VerificationError) throw error;
    throw verificationError('CERTIFICATE_ERROR', `expected well-formed extensions, got ${describeError(error)}`);
  }
}

function verifyExtensions(cert: X509Certificate): void {
  const seen = new Set<string>();
  for (const ext of cert.extensions) {
    const oid = ext.subs[0]?.toOID() ?? '';
    const value = ext.subs[ext.subs.length - 1]?.value ?? Buffer.alloc(0);
    if (seen.has(oid)) throw verificationError('CERTIFICATE_ERROR', `expected each extension once, got ${oid} twice`);
    seen.add(oid);
    if (isCritical(ext) && !HANDLED_CRITICAL.has(oid))
      throw verificationError('CERTIFICATE_ERROR', `expected no unhandled critical extension, got ${oid}`);
    if (oid === OID_SUBJECT_ALT_NAME) verifySanIsAscii(value);
    if (oid === OID_EXT_KEY_USAGE) verifyCodeSigning(value);
  }
}
