import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { describeError, VerificationError } from '../errors.js';
import type { SignerInfo } from '../model/evidence.js';
import { verifyStrictDer } from './bundle/der.js';
import { verifyLeafProfile } from './leaf-profile.js';

const FULCIO_PREFIX = '1.3.6.1.4.1.57264.1.';
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_OTHERNAME_USERNAME = '1.3.6.1.4.1.57264.1.7';
/** `.1.1`–`.1.6` are deprecated raw strings; `.1.8` onward are DER UTF8Strings. */
const RAW_STRING_ARCS = new Set([1, 2, 3, 4, 5, 6]);
const UTF8_STRING_TAG = 0x0c;

function certError(message: string): VerificationError {
  return new VerificationError('CERTIFICATE_ERROR', `certificate: ${message}`);
}

/** Decodes one Fulcio extension value to text, by its OID arc. */
function decodeFulcioValue(oid: string, value: Buffer): string {
  const arc = Number(oid.slice(FULCIO_PREFIX.length));
  if (RAW_STRING_ARCS.has(arc)) return value.toString('utf8');
  verifyStrictDer(value, `extension ${oid}`, 'CERTIFICATE_ERROR');
  const inner = ASN1Obj.parseBuffer(Buffer.from(value));
  if (inner.tag.number !== UTF8_STRING_TAG || inner.tag.constructed) {
    throw certError(`expected a UTF8String in extension ${oid}, got ASN.1 tag ${inner.tag.number}`);
  }
  return inner.value.toString('utf8');
}

/**
 * Reads what a Fulcio certificate says about its signer: the SAN (URI, email or Fulcio username otherName),
 * the OIDC issuer (`.1.8`, falling back to `.1.1`; when both are present they must agree) and every
 * `1.3.6.1.4.1.57264.1.*` extension decoded to text. The bytes must be strict DER and the leaf must pass
 * {@link verifyLeafProfile}.
 */
export function toSignerInfo(certificateDer: Uint8Array): SignerInfo {
  verifyStrictDer(certificateDer, 'signing certificate', 'CERTIFICATE_ERROR');
  let cert: X509Certificate;
  try {
    cert = X509Certificate.parse(Buffer.from(certificateDer));
  } catch (error) {
    throw certError(`expected an X.509 certificate, got ${describeError(error)}`);
  }
  verifyLeafProfile(cert);
  const extensions: Record<string, string> = {};
  for (const ext of cert.extensions) {
    const oid = ext.subs[0]?.toOID();
    const value = ext.subs[ext.subs.length - 1]?.value;
    if (oid?.startsWith(FULCIO_PREFIX) && value) extensions[oid] = decodeFulcioValue(oid, value);
  }
  const san = cert.extSubjectAltName;
  const identity = san?.uri ?? san?.rfc822Name ?? san?.otherName(OID_OTHERNAME_USERNAME);
  if (!identity) throw certError('expected a URI, email or username subject alternative name, got none');
  const v2 = extensions[OID_ISSUER_V2];
  const v1 = extensions[OID_ISSUER_V1];
  if (v2 !== undefined && v1 !== undefined && v2 !== v1) {
    throw certError(`expected issuer extensions .1.8 and .1.1 to agree, got ${v2} and ${v1}`);
  }
  const issuer = v2 ?? v1;
  const info: SignerInfo = {
    identity,
    extensions,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
  if (issuer !== undefined) info.issuer = issuer;
  return info;
}
