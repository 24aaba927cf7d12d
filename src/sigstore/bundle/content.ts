import { createHash, type KeyObject, verify as cryptoVerify } from 'node:crypto';
import type { Envelope, MessageSignature } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { HashAlgorithm as ProtoHashAlgorithm } from '@sigstore/protobuf-specs';
import type { SignedEntity } from '@sigstore/verify';
import { verificationError } from '../../errors.js';
import { type HashAlgorithm, verifyPrehashed } from './prehash.js';

/** The artifact a bundle is verified against: its bytes, or only its digest. */
export interface ArtifactInput {
  bytes?: Uint8Array;
  digest?: { algorithm: HashAlgorithm; hex: string };
}

type SignatureContent = SignedEntity['signature'];

const PROTO_HASH: Partial<Record<ProtoHashAlgorithm, HashAlgorithm>> = {
  [ProtoHashAlgorithm.SHA2_256]: 'sha256',
  [ProtoHashAlgorithm.SHA2_384]: 'sha384',
  [ProtoHashAlgorithm.SHA2_512]: 'sha512',
};

/**
 * The content of a message-signature bundle. The artifact must hash to the bundle's `messageDigest` (the tlog
 * body is compared with that digest, the signature with the artifact: both must describe the same bytes).
 * With only a digest, the signature is verified over the digest (prehashed).
 */
export function toMessageContent(message: MessageSignature, artifact: ArtifactInput | undefined): SignatureContent {
  const algorithm = PROTO_HASH[message.messageDigest.algorithm];
  if (!algorithm)
    throw verificationError(
      'SIGNATURE_ERROR',
      `expected a SHA-2 messageDigest, got algorithm ${message.messageDigest.algorithm}`,
    );
  const bundleDigest = Buffer.from(message.messageDigest.digest);
  let verifySignature: (key: KeyObject) => boolean;
  if (artifact?.bytes) {
    const bytes = artifact.bytes;
    const actual = createHash(algorithm).update(bytes).digest();
    if (!actual.equals(bundleDigest)) {
      throw verificationError(
        'SIGNATURE_ERROR',
        `expected the artifact's ${algorithm} to equal the bundle's messageDigest, got ${actual.toString('hex')}`,
      );
    }
    verifySignature = (key) =>
      cryptoVerify(key.asymmetricKeyType === 'ed25519' ? null : algorithm, bytes, key, message.signature);
  } else if (artifact?.digest) {
    const { algorithm: given, hex } = artifact.digest;
    if (given !== algorithm || hex.toLowerCase() !== bundleDigest.toString('hex')) {
      throw verificationError(
        'SIGNATURE_ERROR',
        `expected the artifact digest ${algorithm}:${bundleDigest.toString('hex')}, got ${given}:${hex}`,
      );
    }
    verifySignature = (key) => verifyPrehashed(key, bundleDigest, message.signature, algorithm);
  } else {
    throw verificationError(
      'SIGNATURE_ERROR',
      'expected the artifact or its digest for a message signature, got neither',
    );
  }
  return {
    signature: message.signature,
    compareSignature: (signature) => signature.equals(message.signature),
    compareDigest: (digest) => digest.equals(bundleDigest),
    verifySignature,
  };
}

/**
 * Rekor v2 logs a DSSE bundle as `hashedrekord/0.0.2` whose data digest is sha256(PAE(payloadType, payload)):
 * to the log, the envelope is a message signature over the PAE bytes. @sigstore/verify 3.1.1 compares that digest
 * with sha256(payload) and fails, so such entries are checked against this content instead (4.x does the same).
 */
export function toPaeMessageContent(envelope: Envelope): SignatureContent {
  const signature = envelope.signatures[0]?.sig;
  if (!signature) throw verificationError('SIGNATURE_ERROR', 'expected exactly 1 DSSE signature, got 0');
  const pae = dsse.preAuthEncoding(envelope.payloadType, envelope.payload);
  const paeDigest = createHash('sha256').update(pae).digest();
  return {
    signature,
    compareSignature: (candidate) => candidate.equals(signature),
    compareDigest: (digest) => digest.equals(paeDigest),
    verifySignature: (key) => cryptoVerify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', pae, key, signature),
  };
}
