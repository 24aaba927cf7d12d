import { createHash } from 'node:crypto';
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
    inclusionProof: entry.verification.inclusionProof,
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
