import { constants, type KeyObject, publicDecrypt } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';

export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1): what an RSA PKCS#1 v1.5 signature decrypts to, before the hash.
const DIGEST_INFO_PREFIX: Record<HashAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

// Read when a signature is verified, not when the module loads: the CLI's bundle loads the curves on first use.
function curveNamed(name: string | undefined): typeof p256 | undefined {
  if (name === 'P-256') return p256;
  if (name === 'P-384') return p384;
  if (name === 'P-521') return p521;
  return undefined;
}

function verifyEcdsa(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const jwk = key.export({ format: 'jwk' });
  const curve = curveNamed(jwk.crv);
  if (!curve || !jwk.x || !jwk.y) return false;
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  try {
    // lowS: false because Go and Java signers do not normalise s; the signature is DER as Sigstore stores it.
    return curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}

function verifyRsa(key: KeyObject, digest: Uint8Array, signature: Uint8Array, algorithm: HashAlgorithm): boolean {
  let decrypted: Buffer;
  try {
    decrypted = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  return decrypted.equals(Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[algorithm], 'hex'), digest]));
}

/**
 * Verifies a signature over an artifact known only by its digest. Node's crypto always hashes the message itself,
 * so ECDSA goes through @noble/curves with `prehash: false` and RSA PKCS#1 v1.5 compares the DigestInfo.
 * Ed25519 signs the whole message, so it cannot be checked from a digest and returns false.
 */
export function verifyPrehashed(
  key: KeyObject,
  digest: Uint8Array,
  signature: Uint8Array,
  algorithm: HashAlgorithm,
): boolean {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return verifyEcdsa(key, digest, signature);
    case 'rsa':
      return verifyRsa(key, digest, signature, algorithm);
    default:
      return false;
  }
}
