import { type Bundle, bundleFromJSON } from '@sigstore/bundle';
import { describeError, verificationError } from '../../errors.js';
import { quoteBounded } from '../../model/bounded.js';
import { verifyStrictDer } from './der.js';
import { CERTIFICATE_SCHEMA, TIMESTAMP_RESPONSE_SCHEMA } from './der-schemas.js';

const MEDIA_TYPES: Record<string, BundleVersion> = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
};

export type BundleVersion = '0.1' | '0.2' | '0.3';

/** A bundle that passed the structural checks, in the library's form, with only the leaf certificate kept. */
export interface ParsedBundle {
  bundle: Bundle;
  version: BundleVersion;
  /** DER of the signing certificate (keyless bundles), checked as strict DER. */
  leafDer?: Uint8Array;
}

// The protobuf JSON mapping accepts standard or URL-safe base64, padded or not, and (like Go's decoder) line breaks;
// the library's decoder silently skips any other invalid character, so everything is checked here first.
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

function isBase64(value: string): boolean {
  const text = value.replace(/\r?\n/g, '');
  if (!BASE64.test(text)) return false;
  return text.includes('=') ? text.length % 4 === 0 : text.length % 4 !== 1;
}

const UINT = /^(0|[1-9][0-9]*)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value))
    throw verificationError(
      'BUNDLE_INVALID',
      `expected an object at ${path}, got ${value === null ? 'null' : typeof value}`,
    );
  return value;
}

function checkBase64(value: unknown, path: string, required = true): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || (required && value === '') || !isBase64(value)) {
    throw verificationError('BUNDLE_INVALID', `expected base64 at ${path}, got ${quoteBounded(value, 40)}`);
  }
}

function checkUint(value: unknown, path: string): void {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !UINT.test(text)) {
    throw verificationError('BUNDLE_INVALID', `expected a non-negative integer at ${path}, got ${quoteBounded(value)}`);
  }
}

/** Checks one tlog entry's encodings and, for v0.2+, that it carries an inclusion proof with a checkpoint. */
function checkTlogEntry(value: unknown, path: string, version: BundleVersion): void {
  const entry = field(value, path);
  checkUint(entry.logIndex, `${path}.logIndex`);
  checkBase64(field(entry.logId, `${path}.logId`).keyId, `${path}.logId.keyId`);
  checkBase64(entry.canonicalizedBody, `${path}.canonicalizedBody`);
  if (entry.integratedTime != null) checkUint(entry.integratedTime, `${path}.integratedTime`);
  if (entry.inclusionPromise != null) {
    checkBase64(
      field(entry.inclusionPromise, `${path}.inclusionPromise`).signedEntryTimestamp,
      `${path}.inclusionPromise.signedEntryTimestamp`,
    );
  }
  if (entry.inclusionProof == null) {
    if (version !== '0.1')
      throw verificationError('BUNDLE_INVALID', `expected ${path}.inclusionProof in a v${version} bundle, got none`);
    return;
  }
  const proof = field(entry.inclusionProof, `${path}.inclusionProof`);
  checkUint(proof.logIndex, `${path}.inclusionProof.logIndex`);
  checkUint(proof.treeSize, `${path}.inclusionProof.treeSize`);
  checkBase64(proof.rootHash, `${path}.inclusionProof.rootHash`);
  if (!Array.isArray(proof.hashes))
    throw verificationError('BUNDLE_INVALID', `expected an array at ${path}.inclusionProof.hashes`);
  proof.hashes.forEach((hash, i) => checkBase64(hash, `${path}.inclusionProof.hashes[${i}]`));
  const checkpoint = proof.checkpoint;
  if (!isRecord(checkpoint) || typeof checkpoint.envelope !== 'string' || checkpoint.envelope === '') {
    throw verificationError('BUNDLE_INVALID', `expected ${path}.inclusionProof.checkpoint, got none`);
  }
}

/** The leaf certificate: `certificate` (v0.3) or the first of `x509CertificateChain` (any others are ignored). */
function leafCertificate(material: Record<string, unknown>): string | undefined {
  if (material.certificate !== undefined) {
    const raw = field(material.certificate, 'verificationMaterial.certificate').rawBytes;
    checkBase64(raw, 'verificationMaterial.certificate.rawBytes');
    return raw as string;
  }
  if (material.x509CertificateChain !== undefined) {
    const certs = field(material.x509CertificateChain, 'verificationMaterial.x509CertificateChain').certificates;
    if (!Array.isArray(certs) || certs.length === 0) {
      throw verificationError('BUNDLE_INVALID', 'expected a non-empty x509CertificateChain, got an empty one');
    }
    const raw = field(certs[0], 'x509CertificateChain.certificates[0]').rawBytes;
    checkBase64(raw, 'x509CertificateChain.certificates[0].rawBytes');
    return raw as string;
  }
  return undefined;
}

/**
 * Validates a bundle's JSON strictly (known mediaType, canonical encodings, v0.2+ inclusion proofs, a checkpoint
 * on every proof, exactly one DSSE signature, strict-DER leaf) and converts it with @sigstore/bundle.
 * Extra certificates in `x509CertificateChain` are dropped: the path is always built from the trusted root.
 */
export function parseBundle(json: unknown): ParsedBundle {
  const root = field(json, 'bundle');
  const version = typeof root.mediaType === 'string' ? MEDIA_TYPES[root.mediaType] : undefined;
  if (!version)
    throw verificationError('BUNDLE_INVALID', `expected a known bundle mediaType, got ${quoteBounded(root.mediaType)}`);
  const material = field(root.verificationMaterial, 'verificationMaterial');
  const entries = material.tlogEntries ?? [];
  if (!Array.isArray(entries))
    throw verificationError('BUNDLE_INVALID', 'expected an array at verificationMaterial.tlogEntries');
  entries.forEach((entry, i) => checkTlogEntry(entry, `tlogEntries[${i}]`, version));
  const timestamps = material.timestampVerificationData;
  if (timestamps != null) {
    const list = field(timestamps, 'timestampVerificationData').rfc3161Timestamps ?? [];
    if (!Array.isArray(list)) throw verificationError('BUNDLE_INVALID', 'expected an array at rfc3161Timestamps');
    list.forEach((ts, i) => {
      const signed = field(ts, `rfc3161Timestamps[${i}]`).signedTimestamp;
      checkBase64(signed, `rfc3161Timestamps[${i}].signedTimestamp`);
      verifyStrictDer(
        Buffer.from(signed as string, 'base64'),
        `rfc3161Timestamps[${i}]`,
        'TIMESTAMP_ERROR',
        TIMESTAMP_RESPONSE_SCHEMA,
      );
    });
  }
  if (root.dsseEnvelope !== undefined) {
    const envelope = field(root.dsseEnvelope, 'dsseEnvelope');
    checkBase64(envelope.payload, 'dsseEnvelope.payload');
    if (!Array.isArray(envelope.signatures) || envelope.signatures.length !== 1) {
      const count = Array.isArray(envelope.signatures) ? envelope.signatures.length : 0;
      throw verificationError('BUNDLE_INVALID', `expected exactly 1 DSSE signature, got ${count}`);
    }
    checkBase64(field(envelope.signatures[0], 'dsseEnvelope.signatures[0]').sig, 'dsseEnvelope.signatures[0].sig');
  } else if (root.messageSignature !== undefined) {
    const message = field(root.messageSignature, 'messageSignature');
    checkBase64(message.signature, 'messageSignature.signature');
    checkBase64(field(message.messageDigest, 'messageSignature.messageDigest').digest, 'messageDigest.digest');
  } else {
    throw verificationError('BUNDLE_INVALID', 'expected dsseEnvelope or messageSignature, got neither');
  }

  const leaf = leafCertificate(material);
  const leafDer = leaf === undefined ? undefined : new Uint8Array(Buffer.from(leaf, 'base64'));
  if (leafDer) verifyStrictDer(leafDer, 'signing certificate', 'CERTIFICATE_ERROR', CERTIFICATE_SCHEMA);
  const normalized =
    leaf !== undefined && material.x509CertificateChain !== undefined
      ? { ...root, verificationMaterial: { ...material, x509CertificateChain: { certificates: [{ rawBytes: leaf }] } } }
      : root;
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(normalized);
  } catch (error) {
    throw verificationError('BUNDLE_INVALID', `expected a valid v${version} bundle, got ${describeError(error)}`);
  }
  return leafDer ? { bundle, version, leafDer } : { bundle, version };
}
