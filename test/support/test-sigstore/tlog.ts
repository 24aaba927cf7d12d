import { createHash, randomBytes, randomInt, sign } from 'node:crypto';
import type { KeyPairKeyObjectResult } from 'node:crypto';
import { initializeTLog } from '@sigstore/mock';

/** A Rekor v1 log entry as the API returns it: body, SET and a single-entry inclusion proof with signed checkpoint. */
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

/** Shape of one value in the mock TLog's `{ <uuid>: entry }` answer. */
interface MockLogEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: { signedEntryTimestamp: string; inclusionProof: RekorEntry['inclusionProof'] };
}

/**
 * Logs a canonical body with the log key at `integratedTime`. The checkpoint's key name is the host of `baseUrl`,
 * which @sigstore/verify matches against the trusted root's tlog `baseUrl`.
 */
export async function logEntry(
  key: KeyPairKeyObjectResult,
  baseUrl: string,
  body: object,
  integratedTime: Date,
): Promise<RekorEntry> {
  const tlog = await initializeTLog(baseUrl, key, integratedTime);
  const answer = (await tlog.log(body)) as unknown as Record<string, MockLogEntry>;
  const entry = Object.values(answer)[0];
  if (!entry) throw new Error('expected one entry from the mock Rekor, got none');
  return {
    body: entry.body,
    integratedTime: entry.integratedTime,
    logIndex: entry.logIndex,
    logID: entry.logID,
    signedEntryTimestamp: entry.verification.signedEntryTimestamp,
    inclusionProof: toInclusionProof(entry, key, new URL(baseUrl).host),
  };
}

/**
 * The mock proves a single-entry tree (index 0, no hashes), which real logs never produce and protobuf JSON then
 * drops. This places the entry at its logIndex in a larger tree instead: the audit path's sibling hashes are
 * random (they stand for other entries), the root follows from them per RFC 6962, and the checkpoint is signed
 * like Rekor v1's (`<host> - <tree id>`, key hint = first 4 bytes of the logID).
 */
function toInclusionProof(
  entry: MockLogEntry,
  key: KeyPairKeyObjectResult,
  host: string,
): RekorEntry['inclusionProof'] {
  const index = BigInt(entry.logIndex);
  const size = index + BigInt(randomInt(1, 1000));
  // RFC 9162 2.1.3.2: the path splits into `inner` hashes below the split with size-1 and `border` hashes above.
  const inner = (index ^ (size - 1n)).toString(2).length;
  const border = [...(index >> BigInt(inner)).toString(2)].filter((bit) => bit === '1').length;
  const hashes = Array.from({ length: inner + border }, () => randomBytes(32));
  const node = (left: Buffer, right: Buffer): Buffer =>
    createHash('sha256')
      .update(Buffer.from([0x01]))
      .update(left)
      .update(right)
      .digest();
  let root: Buffer = createHash('sha256')
    .update(Buffer.from([0x00]))
    .update(Buffer.from(entry.body, 'base64'))
    .digest();
  hashes.forEach((hash, i) => {
    root = i >= inner || ((index >> BigInt(i)) & 1n) === 1n ? node(hash, root) : node(root, hash);
  });
  const note = `${host} - ${randomInt(2 ** 47)}\n${size}\n${root.toString('base64')}\n`;
  const signature = Buffer.concat([
    Buffer.from(entry.logID, 'hex').subarray(0, 4),
    sign('sha256', Buffer.from(note), key.privateKey),
  ]);
  return {
    logIndex: entry.logIndex,
    treeSize: Number(size),
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
