import { createHash, sign } from 'node:crypto';
import type { KeyPairKeyObjectResult } from 'node:crypto';
import { json } from '@sigstore/core';
import type { SeededRandom } from './random.js';

/** A Rekor v1 log entry as the API returns it: body, SET and an inclusion proof with signed checkpoint. */
export interface RekorEntry {
  /** base64 of the canonical (JCS) body. */
  body: string;
  /** Unix seconds. */
  integratedTime: number;
  logIndex: number;
  /** Hex sha256 of the log's DER public key. */
  logID: string;
  /** base64 ASN.1 ECDSA signature over JCS `{body,integratedTime,logID,logIndex}`. */
  signedEntryTimestamp: string;
  inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string };
}

/** Where an entry sits: its index and the size of the tree its proof is for (`treeSize > logIndex`). */
export interface TreePosition {
  logIndex: number;
  treeSize: number;
}

/**
 * Real Rekor v1 log indexes are in the millions; the tree ends 0 to 999 entries after this one. Never index 0: protobuf
 * JSON omits a zero logIndex, and verify-release requires the field.
 */
export function randomTreePosition(random: SeededRandom): TreePosition {
  const logIndex = random.int(1, 10_000_000);
  return { logIndex, treeSize: logIndex + random.int(1, 1001) };
}

/**
 * Logs a canonical body with the log key at `integratedTime`, as Rekor v1 does: the SET signs the JCS of
 * `{body, integratedTime, logID, logIndex}` (rekor `pkg/api/entries.go`), and the checkpoint's key name is the host
 * of `baseUrl`, which @sigstore/verify matches against the trusted root's tlog `baseUrl`.
 */
export function logEntry(
  key: KeyPairKeyObjectResult,
  baseUrl: string,
  body: object,
  integratedTime: Date,
  random: SeededRandom,
  position: TreePosition = randomTreePosition(random),
): RekorEntry {
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  const logID = createHash('sha256').update(spki).digest('hex');
  const canonicalBody = Buffer.from(json.canonicalize(body)).toString('base64');
  const time = Math.floor(integratedTime.getTime() / 1000);
  const { logIndex } = position;
  const setData = json.canonicalize({ body: canonicalBody, integratedTime: time, logID, logIndex });
  return {
    body: canonicalBody,
    integratedTime: time,
    logIndex,
    logID,
    signedEntryTimestamp: sign('sha256', Buffer.from(setData), key.privateKey).toString('base64'),
    inclusionProof: toInclusionProof(canonicalBody, logID, position, key, new URL(baseUrl).host, random),
  };
}

/** Bit length of a non-negative integer: 0 for 0. */
const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/**
 * Places the entry at its logIndex in a larger tree, as real logs do (a single-entry tree has no hashes, which
 * protobuf JSON then drops): the audit path's sibling hashes are random (they stand for other entries), the root
 * follows from them per RFC 6962, and the checkpoint is signed like Rekor v1's (`<host> - <tree id>`, key hint =
 * first 4 bytes of the logID).
 */
function toInclusionProof(
  body: string,
  logID: string,
  position: TreePosition,
  key: KeyPairKeyObjectResult,
  host: string,
  random: SeededRandom,
): RekorEntry['inclusionProof'] {
  const index = BigInt(position.logIndex);
  const size = BigInt(position.treeSize);
  if (size <= index) throw new Error(`expected treeSize > logIndex, got ${size} <= ${index}`);
  // RFC 9162 2.1.3.2: the path splits into `inner` hashes below the split with size-1 and `border` hashes above.
  // The last entry of a tree (index = size - 1) has no inner hashes: bitLength(0) is 0, where "0".length was 1.
  const inner = bitLength(index ^ (size - 1n));
  const border = [...(index >> BigInt(inner)).toString(2)].filter((bit) => bit === '1').length;
  const hashes = Array.from({ length: inner + border }, () => random.bytes(32));
  const node = (left: Buffer, right: Buffer): Buffer =>
    createHash('sha256')
      .update(Buffer.from([0x01]))
      .update(left)
      .update(right)
      .digest();
  let root: Buffer = createHash('sha256')
    .update(Buffer.from([0x00]))
    .update(Buffer.from(body, 'base64'))
    .digest();
  hashes.forEach((hash, i) => {
    root = i >= inner || ((index >> BigInt(i)) & 1n) === 1n ? node(hash, root) : node(root, hash);
  });
  const note = `${host} - ${random.int(0, 2 ** 47)}\n${size}\n${root.toString('base64')}\n`;
  const signature = Buffer.concat([
    Buffer.from(logID, 'hex').subarray(0, 4),
    sign('sha256', Buffer.from(note), key.privateKey),
  ]);
  return {
    logIndex: position.logIndex,
    treeSize: position.treeSize,
    rootHash: root.toString('hex'),
    hashes: hashes.map((h) => h.toString('hex')),
    checkpoint: `${note}\n\u2014 ${host} ${signature.toString('base64')}\n`,
  };
}

const sha256 = (bytes: Uint8Array): { algorithm: 'sha256'; value: string } => ({
  algorithm: 'sha256',
  value: createHash('sha256').update(bytes).digest('hex'),
});
const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');

/** hashedrekord 0.0.1: what cosign `.sig` and message-signature bundles log (stored as proposed). */
export function hashedrekordBody(o: { artifact: Uint8Array; signature: Uint8Array; certificatePem: string }): object {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: sha256(o.artifact) },
      signature: { content: b64(o.signature), publicKey: { content: b64(o.certificatePem) } },
    },
  };
}

/** dsse 0.0.1 as real Rekor canonicalises it: envelope hash, payload hash, one signature with its verifier. */
export function dsseBody(o: {
  envelope: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  certificatePem: string;
}): object {
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: sha256(o.envelope),
      payloadHash: sha256(o.payload),
      signatures: [{ signature: b64(o.signature), verifier: b64(o.certificatePem) }],
    },
  };
}

/** intoto 0.0.1 as real Rekor canonicalises it (cosign v2 `attest`): hashes and key only, no signature. */
export function intotoBody(o: { envelope: Uint8Array; payload: Uint8Array; certificatePem: string }): object {
  return {
    apiVersion: '0.0.1',
    kind: 'intoto',
    spec: {
      content: { hash: sha256(o.envelope), payloadHash: sha256(o.payload) },
      publicKey: b64(o.certificatePem),
    },
  };
}
