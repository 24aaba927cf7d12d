import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { describeError, verificationError } from '../errors.js';
import type { SignerInfo } from '../model/evidence.js';
import { FULCIO_OID, FULCIO_OID_PREFIX, FULCIO_RAW_STRING_ARCS, pairedClaim } from '../model/fulcio.js';
import { verifyStrictDer } from './bundle/der.js';
import { CERTIFICATE_SCHEMA, UTF8_STRING_SCHEMA } from './bundle/der-schemas.js';
import { verifyLeafProfile } from './leaf-profile.js';
import { libraryParse } from './library-fast-paths.js';

const UTF8_STRING_TAG = 0x0c;

/** Decodes one Fulcio extension value to text, by its OID arc. */
function decodeFulcioValue(oid: string, value: Buffer): string {
  const arc = Number(oid.slice(FULCIO_OID_PREFIX.length));
  if (FULCIO_RAW_STRING_ARCS.has(arc)) return value.toString('utf8');
  verifyStrictDer(value, `extension ${oid}`, 'CERTIFICATE_ERROR', UTF8_STRING_SCHEMA);
  const inner = ASN1Obj.parseBuffer(Buffer.from(value));
  if (inner.tag.number !== UTF8_STRING_TAG || inner.tag.constructed) {
    throw verificationError(
      'CERTIFICATE_ERROR',
      `expected a UTF8String in extension ${oid}, got ASN.1 tag ${inner.tag.number}`,
    );
  }
  return inner.value.toString('utf8');
}

/**
 * Reads what a Fulcio certificate says about its signer: the SAN (URI, email or Fulcio username otherName),
 * the OIDC issuer (`.1.8`, falling back to `.1.1`; when both are set they must agree, see {@link pairedClaim}) and every
 * `1.3.6.1.4.1.57264.1.*` extension decoded to text. The bytes must be strict DER and the leaf must pass
 * {@link verifyLeafProfile}.
 */
export function toSignerInfo(certificateDer: Uint8Array): SignerInfo {
  return readSigningCertificate(certificateDer).signer;
}

/** A signing certificate read: what it says of its signer, and the parsed certificate. */
interface SigningCertificate {
  signer: SignerInfo;
  /** The library's verification can take it instead of parsing the DER again. */
  certificate: X509Certificate;
}

/** {@link toSignerInfo}, with the parsed certificate. */
export function readSigningCertificate(certificateDer: Uint8Array): SigningCertificate {
  verifyStrictDer(certificateDer, 'signing certificate', 'CERTIFICATE_ERROR', CERTIFICATE_SCHEMA);
  return readStrictSigningCertificate(certificateDer);
}

/** {@link readSigningCertificate} for bytes already checked as strict DER (a parsed bundle's leaf). */
export function readStrictSigningCertificate(certificateDer: Uint8Array): SigningCertificate {
  let cert: X509Certificate;
  try {
    cert = libraryParse(() => X509Certificate.parse(Buffer.from(certificateDer)));
  } catch (error) {
    throw verificationError('CERTIFICATE_ERROR', `expected an X.509 certificate, got ${describeError(error)}`);
  }
  verifyLeafProfile(cert);
  const extensions: Record<string, string> = {};
  for (const ext of cert.extensions) {
    const oid = ext.subs[0]?.toOID();
    const value = ext.subs[ext.subs.length - 1]?.value;
    if (oid?.startsWith(FULCIO_OID_PREFIX) && value) extensions[oid] = decodeFulcioValue(oid, value);
  }
  const san = cert.extSubjectAltName;
  const identity = san?.uri ?? san?.rfc822Name ?? san?.otherName(FULCIO_OID.otherNameUsername);
  if (!identity)
    throw verificationError(
      'CERTIFICATE_ERROR',
      'expected a URI, email or username subject alternative name, got none',
    );
  const { value: issuer, conflict } = pairedClaim(extensions, FULCIO_OID.issuer, FULCIO_OID.issuerV2);
  if (conflict) {
    throw verificationError(
      'CERTIFICATE_ERROR',
      `expected issuer extensions .1.8 and .1.1 to agree, got ${conflict.current} and ${conflict.deprecated}`,
    );
  }
  const info: SignerInfo = {
    identity,
    extensions,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
  if (issuer !== undefined) info.issuer = issuer;
  return { signer: info, certificate: cert };
}

/** The first of `times` outside the leaf's validity window `[notBefore, notAfter]`, if any. */
export function timeOutsideValidity(signer: SignerInfo, times: readonly Date[]): Date | undefined {
  const [notBefore, notAfter] = [Date.parse(signer.notBefore), Date.parse(signer.notAfter)];
  return times.find((time) => time.getTime() < notBefore || time.getTime() > notAfter);
}

/**
 * The leaf's validity window must cover every verified time (the SET's integrated time, RFC 3161 signing times).
 * The library checks this per timestamp while it builds the path; it is checked again here, once, for every
 * verification path (bundles, legacy layers verified with or without the library's tlog step).
 *
 * @throws VerificationError CERTIFICATE_ERROR naming the first time outside the window.
 */
export function verifyValidityCovers(signer: SignerInfo, verifiedTimes: readonly Date[]): void {
  const outside = timeOutsideValidity(signer, verifiedTimes);
  if (outside) {
    throw verificationError(
      'CERTIFICATE_ERROR',
      `expected validity to cover ${outside.toISOString()}, got ${signer.notBefore} to ${signer.notAfter}`,
    );
  }
}
