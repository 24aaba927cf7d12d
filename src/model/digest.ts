import { createHash } from 'node:crypto';

/** A content digest in OCI form, `sha256:<64 lowercase hex>`. */
export type Digest = `sha256:${string}`;

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): value is Digest {
  return SHA256_DIGEST.test(value);
}

/** sha256 of the bytes, as an OCI digest. */
export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The 64 hex characters of a sha256 digest. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}
