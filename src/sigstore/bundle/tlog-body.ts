import { createPublicKey, X509Certificate } from 'node:crypto';
import { verificationError } from '../../errors.js';

/** The key material that signed the bundle: the leaf certificate, or the managed public key (SPKI DER). */
export type SignerMaterial = { certificateDer: Uint8Array } | { publicKeyDer: Uint8Array };

/** A Rekor entry body, decoded from `canonicalizedBody`. */
export interface TlogBody {
  kind: string;
  apiVersion: string;
  spec: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks a path of object keys, returning undefined when any step is missing. */
function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Decodes `canonicalizedBody` and checks it names the same kind and version as the entry. */
export function toTlogBody(canonicalizedBody: Uint8Array, kind: string, version: string): TlogBody {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(canonicalizedBody).toString('utf8'));
  } catch {
    throw verificationError('TLOG_ERROR', 'expected a JSON entry body, got unparseable bytes');
  }
  if (!isRecord(body) || typeof body.kind !== 'string' || typeof body.apiVersion !== 'string' || !isRecord(body.spec)) {
    throw verificationError('TLOG_ERROR', 'expected an entry body with kind, apiVersion and spec');
  }
  if (body.kind !== kind || body.apiVersion !== version) {
    throw verificationError('TLOG_ERROR', `expected a ${kind}/${version} body, got ${body.kind}/${body.apiVersion}`);
  }
  return { kind: body.kind, apiVersion: body.apiVersion, spec: body.spec };
}

// One PEM certificate block as Rekor v1 clients write it (RFC 7468 strict form): base64 lines between the labels.
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]+\r?\n)+)-----END CERTIFICATE-----\r?\n?$/;

/**
 * The DER of a recorded PEM certificate. It is only compared with the bundle's certificate (checked as strict DER
 * when the bundle was parsed), so it is decoded, not parsed as X.509: OpenSSL's first certificate parse alone costs a
 * cold run milliseconds. The base64 must be canonical, so that one DER has one accepted text.
 */
function pemCertificateDer(pem: string): Uint8Array | undefined {
  const base64 = PEM_CERTIFICATE.exec(pem)?.[1]?.replace(/\r?\n/g, '');
  if (base64 === undefined) return undefined;
  const der = Buffer.from(base64, 'base64');
  return der.length > 0 && der.toString('base64') === base64 ? der : undefined;
}

/** Rekor v1 bodies carry base64(PEM); returns the DER of the certificate or SPKI it holds. */
function fromBase64Pem(value: unknown): { certificateDer: Uint8Array } | { publicKeyDer: Uint8Array } | undefined {
  if (typeof value !== 'string') return undefined;
  const pem = Buffer.from(value, 'base64').toString('utf8');
  if (pem.includes('-----BEGIN CERTIFICATE-----')) {
    const certificateDer = pemCertificateDer(pem);
    return certificateDer && { certificateDer };
  }
  try {
    return { publicKeyDer: createPublicKey(pem).export({ type: 'spki', format: 'der' }) };
  } catch {
    return undefined;
  }
}

/** Rekor v2 bodies carry `{x509Certificate: {rawBytes}}` or `{publicKey: {rawBytes}}` (base64 DER). */
function fromV2Verifier(verifier: unknown): SignerMaterial | undefined {
  const cert = at(verifier, 'x509Certificate', 'rawBytes');
  if (typeof cert === 'string') return { certificateDer: Buffer.from(cert, 'base64') };
  const key = at(verifier, 'publicKey', 'rawBytes');
  if (typeof key === 'string') return { publicKeyDer: Buffer.from(key, 'base64') };
  return undefined;
}

/** Every verifier (certificate or key) the entry body records, by kind and version. */
function bodyVerifiers(body: TlogBody): (SignerMaterial | undefined)[] {
  const id = `${body.kind}/${body.apiVersion}`;
  const signatures = (list: unknown): unknown[] => (Array.isArray(list) ? list : []);
  switch (id) {
    case 'hashedrekord/0.0.1':
      return [fromBase64Pem(at(body.spec, 'signature', 'publicKey', 'content'))];
    case 'hashedrekord/0.0.2':
      return [fromV2Verifier(at(body.spec, 'hashedRekordV002', 'signature', 'verifier'))];
    case 'dsse/0.0.1':
      return signatures(at(body.spec, 'signatures')).map((s) => fromBase64Pem(at(s, 'verifier')));
    case 'dsse/0.0.2':
      return signatures(at(body.spec, 'dsseV002', 'signatures')).map((s) => fromV2Verifier(at(s, 'verifier')));
    case 'intoto/0.0.2':
      return signatures(at(body.spec, 'content', 'envelope', 'signatures')).map((s) =>
        fromBase64Pem(at(s, 'publicKey')),
      );
    default:
      throw verificationError(
        'TLOG_ERROR',
        `expected a supported entry kind (hashedrekord, dsse, intoto/0.0.2), got ${id}`,
      );
  }
}

/** SPKI DER of the key a certificate certifies. */
function certificateKeyDer(certificateDer: Uint8Array): Buffer | undefined {
  try {
    return new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return undefined;
  }
}

/**
 * A recorded certificate must be the bundle's certificate. A recorded key (Rekor v2 may log only the key of a
 * Fulcio certificate) must be the key of the bundle's certificate, or the managed key. A managed key also
 * matches a recorded certificate for that very key (sigstore-js signed such entries).
 */
function sameMaterial(recorded: SignerMaterial, signer: SignerMaterial): boolean {
  if ('certificateDer' in recorded && 'certificateDer' in signer) {
    return Buffer.from(recorded.certificateDer).equals(signer.certificateDer);
  }
  const recordedKey = 'publicKeyDer' in recorded ? recorded.publicKeyDer : certificateKeyDer(recorded.certificateDer);
  const signerKey = 'publicKeyDer' in signer ? signer.publicKeyDer : certificateKeyDer(signer.certificateDer);
  return recordedKey !== undefined && signerKey !== undefined && Buffer.from(recordedKey).equals(signerKey);
}

/**
 * The library compares signatures and digests with the entry body but not who signed: the certificate (or key)
 * recorded in the log must be exactly the bundle's, else a log entry for another signer could be replayed.
 */
export function verifyTlogBodySigner(body: TlogBody, signer: SignerMaterial): void {
  const verifiers = bodyVerifiers(body);
  if (verifiers.length !== 1) {
    throw verificationError(
      'TLOG_ERROR',
      `expected exactly 1 verifier in the ${body.kind} entry body, got ${verifiers.length}`,
    );
  }
  const recorded = verifiers[0];
  if (!recorded || !sameMaterial(recorded, signer)) {
    const what = 'certificateDer' in signer ? 'certificate' : 'public key';
    throw verificationError(
      'TLOG_ERROR',
      `expected the entry body to record the bundle's ${what}, got a different one`,
    );
  }
}
