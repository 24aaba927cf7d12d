import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import type { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { describeError, VerificationError, verificationError, type VerifyReleaseError } from '../../errors.js';
import type { SignerInfo, VerifiedTlogEntry } from '../../model/evidence.js';
import { fromLibraryError } from '../library-error.js';
import { readStrictSigningCertificate, timeOutsideValidity, verifyValidityCovers } from '../certificate.js';
import { type LibraryForm, type TrustRoot, validatedLibraryForm } from '../trust.js';
import { type ArtifactInput, toMessageContent, toPaeMessageContent } from './content.js';
import { isRekorV2, verifyInclusionShape, verifyLogKeyValidity } from './inclusion.js';
import { parseBundle } from './parse.js';
import { verifyDsseSubject } from './subject.js';
import { type SignerMaterial, type TlogBody, toTlogBody, verifyTlogBodySigner } from './tlog-body.js';
import { withCertificatesEncodedOnce, withLeafEncodedOnce } from '../encode-once.js';
import { libraryParse } from '../library-fast-paths.js';

export type { ArtifactInput } from './content.js';

/** What a verified bundle proves. */
export interface BundleVerification {
  /** Keyless (certificate) bundles. */
  signer?: SignerInfo;
  /** Managed-key bundles. */
  publicKeyHint?: string;
  /** DSSE bundles. */
  dsse?: { payloadType: string; payload: Uint8Array };
  tlogEntries: VerifiedTlogEntry[];
  verifiedTimes: string[];
}

/** A verified time more than this far in the future is a forgery or a broken clock, not a signature. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * The library reports a certificate used outside its validity as "Failed to verify certificate chain". Say what
 * the claimed log/TSA time was next to the validity window, so an expired certificate is recognisable. The times are
 * unverified at this point: they only explain the failure, they never decide anything.
 */
function withValidityHint(
  error: VerifyReleaseError,
  signer: SignerInfo | undefined,
  claimedTimes: Date[],
): VerifyReleaseError {
  if (error.code !== 'CERTIFICATE_ERROR' || !signer) return error;
  const outside = timeOutsideValidity(signer, claimedTimes);
  if (!outside) return error;
  return new VerificationError(
    'CERTIFICATE_ERROR',
    `${error.message} (the certificate is valid from ${signer.notBefore} to ${signer.notAfter}, the signature claims ${outside.toISOString()})`,
    { cause: error },
  );
}

function parsePublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw verificationError('SIGNATURE_ERROR', `expected a PEM public key, got ${describeError(error)}`, error);
  }
}

const PARSED_ELSEWHERE: Bundle['verificationMaterial']['content'] = { $case: 'publicKey', publicKey: { hint: '' } };

/**
 * The signed entity the library verifies, with content adapted for digest-only artifacts and Rekor v2 DSSE. A leaf
 * we parsed already (the library's parser, the same bytes) is given to the library as its key, so it is not parsed
 * twice: the library then reads the bundle's key as a managed one, which it only names.
 */
function toEntity(
  bundle: Bundle,
  bodies: TlogBody[],
  artifact: ArtifactInput | undefined,
  leaf: X509Certificate | undefined,
): SignedEntity {
  let entity: SignedEntity;
  try {
    // The library parses RFC 3161 timestamps here, and the leaf when we have not.
    entity = withLeafEncodedOnce(
      libraryParse(() =>
        leaf
          ? {
              ...toSignedEntity({
                ...bundle,
                verificationMaterial: { ...bundle.verificationMaterial, content: PARSED_ELSEWHERE },
              }),
              key: { $case: 'certificate' as const, certificate: leaf },
            }
          : toSignedEntity(bundle),
      ),
    );
  } catch (error) {
    const code = /timestamp|RFC3161/i.test(describeError(error)) ? 'TIMESTAMP_ERROR' : 'BUNDLE_INVALID';
    throw verificationError(code, `expected parseable verification material, got ${describeError(error)}`, error);
  }
  const content = bundle.content;
  if (content.$case === 'messageSignature') {
    return { ...entity, signature: toMessageContent(content.messageSignature, artifact) };
  }
  const paeEntries = bodies.filter((body) => body.kind === 'hashedrekord').length;
  if (paeEntries === 0) return entity;
  if (paeEntries !== bodies.length) {
    throw verificationError('TLOG_ERROR', 'expected DSSE entries of one encoding, got hashedrekord mixed with others');
  }
  return { ...entity, signature: toPaeMessageContent(content.dsseEnvelope) };
}

/** Every time a SET or an RFC3161 timestamp vouches for; the library has already verified each. */
function verifiedTimesOf(entity: SignedEntity): Date[] {
  return entity.timestamps.flatMap((ts) => {
    if (ts.$case === 'timestamp-authority') return [ts.timestamp.signingTime];
    return ts.tlogEntry.inclusionPromise ? [new Date(Number(ts.tlogEntry.integratedTime) * 1000)] : [];
  });
}

function toVerifiedEntry(bundle: Bundle, index: number, body: TlogBody): VerifiedTlogEntry {
  const entry = bundle.verificationMaterial.tlogEntries[index];
  const result: VerifiedTlogEntry = { logIndex: entry?.logIndex ?? '', kind: body.kind, version: body.apiVersion };
  if (entry?.inclusionPromise && !isRekorV2(body)) result.integratedTime = Number(entry.integratedTime);
  return result;
}

/** The library's form of a trusted root; with a managed key (`--key`), that key is the only signer key. */
function toMaterial(trust: TrustRoot, key?: KeyObject): LibraryForm {
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(trust.json);
  } catch (error) {
    throw verificationError('TRUST_ROOT_ERROR', `expected a valid root, got ${describeError(error)}`, error);
  }
  const trustMaterial = withCertificatesEncodedOnce(
    libraryParse(() => toTrustMaterial(root, key ? () => ({ publicKey: key, validFor: () => true }) : undefined)),
  );
  return { root, trustMaterial };
}

// A run verifies every bundle against the same root: its keyless material is built once (the library only reads it).
const keylessMaterials = new WeakMap<TrustRoot, LibraryForm>();

function keylessMaterial(trust: TrustRoot): LibraryForm {
  let material = keylessMaterials.get(trust);
  if (!material) {
    const validated = validatedLibraryForm(trust);
    material = validated
      ? { root: validated.root, trustMaterial: withCertificatesEncodedOnce(validated.trustMaterial) }
      : toMaterial(trust);
    keylessMaterials.set(trust, material);
  }
  return material;
}

/**
 * Verifies a Sigstore bundle (v0.1–v0.3) against a trusted root: certificate chain and SCT (or a managed key),
 * transparency log inclusion (SET and/or inclusion proof with signed checkpoint) and body binding, RFC3161
 * timestamps, and the signature. For message signatures the artifact (bytes or digest) is required; for DSSE,
 * a given artifact must be a subject of the in-toto statement (or, for other payload types, the payload).
 * Identity is not checked here (see verifyIdentity). Throws VerificationError naming the failed step.
 */
export function verifySigstoreBundle(
  bundleJson: unknown,
  trust: TrustRoot,
  options: { artifact?: ArtifactInput; publicKey?: string },
): BundleVerification {
  const { bundle, leafDer } = parseBundle(bundleJson);
  const material = bundle.verificationMaterial.content;
  let signer: SignerMaterial;
  let managedKey: KeyObject | undefined;
  if (material.$case === 'publicKey') {
    if (options.publicKey === undefined)
      throw verificationError('SIGNATURE_ERROR', 'expected a public key for a managed-key bundle, got none');
    managedKey = parsePublicKey(options.publicKey);
    signer = { publicKeyDer: managedKey.export({ type: 'spki', format: 'der' }) };
  } else {
    if (options.publicKey !== undefined)
      throw verificationError('SIGNATURE_ERROR', 'expected a managed-key bundle for --key, got a certificate');
    if (!leafDer) throw verificationError('BUNDLE_INVALID', 'expected a signing certificate, got none');
    signer = { certificateDer: leafDer };
  }
  const entries = bundle.verificationMaterial.tlogEntries;
  const bodies = entries.map((entry) =>
    toTlogBody(entry.canonicalizedBody, entry.kindVersion?.kind ?? '', entry.kindVersion?.version ?? ''),
  );
  entries.forEach((entry, i) => verifyInclusionShape(entry, bodies[i] as TlogBody));
  bodies.forEach((body) => verifyTlogBodySigner(body, signer));
  // parseBundle checked the leaf as strict DER.
  const leaf = leafDer ? readStrictSigningCertificate(leafDer) : undefined;
  const signerInfo = leaf?.signer;

  const { root, trustMaterial } = managedKey ? toMaterial(trust, managedKey) : keylessMaterial(trust);
  const entity = toEntity(bundle, bodies, options.artifact, leaf?.certificate);
  const verifier = new Verifier(trustMaterial, {
    tlogThreshold: 1,
    ctlogThreshold: material.$case === 'publicKey' ? 0 : 1,
    timestampThreshold: 1,
  });
  try {
    verifier.verify(entity);
  } catch (error) {
    throw withValidityHint(fromLibraryError(error), signerInfo, verifiedTimesOf(entity));
  }

  const times = verifiedTimesOf(entity);
  const latest = Math.max(...times.map((t) => t.getTime()));
  if (latest > Date.now() + FUTURE_TOLERANCE_MS) {
    throw verificationError(
      'TIMESTAMP_ERROR',
      `expected verified times in the past, got ${new Date(latest).toISOString()}`,
    );
  }
  entries.forEach((entry) => verifyLogKeyValidity(entry, root, times));
  if (signerInfo) verifyValidityCovers(signerInfo, times);
  const result: BundleVerification = {
    tlogEntries: bodies.map((body, i) => toVerifiedEntry(bundle, i, body)),
    verifiedTimes: times.map((t) => t.toISOString()),
  };
  if (signerInfo) result.signer = signerInfo;
  if (material.$case === 'publicKey') result.publicKeyHint = material.publicKey.hint;
  if (bundle.content.$case === 'dsseEnvelope') {
    const { payloadType, payload } = bundle.content.dsseEnvelope;
    if (options.artifact) verifyDsseSubject(payloadType, payload, options.artifact);
    result.dsse = { payloadType, payload: new Uint8Array(payload) };
  }
  return result;
}
