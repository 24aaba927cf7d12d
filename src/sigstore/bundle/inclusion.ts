import type { TransparencyLogEntry, TrustedRoot } from '@sigstore/protobuf-specs';
import { verificationError } from '../../errors.js';
import { verifyCheckpointMatchesProof } from './checkpoint.js';
import type { TlogBody } from './tlog-body.js';

/** Rekor v2 entries (version 0.0.2 of hashedrekord or dsse) have no integratedTime and index their own tree directly. */
export function isRekorV2(body: TlogBody): boolean {
  return body.apiVersion === '0.0.2' && (body.kind === 'hashedrekord' || body.kind === 'dsse');
}

/** A closed interval: a key is still trusted at exactly its `end`. */
function within(time: Date, validFor: { start?: Date; end?: Date } | undefined): boolean {
  return (!validFor?.start || validFor.start <= time) && (!validFor?.end || time <= validFor.end);
}

/**
 * Checks what @sigstore/verify 3.1.1 leaves out for one entry, before the library runs:
 * the inclusion proof's rootHash and treeSize are the signed checkpoint's, and a Rekor v2 entry's `logIndex`
 * is the index its proof authenticates (for Rekor v1 the proof indexes a shard, so they legitimately differ).
 */
export function verifyInclusionShape(entry: TransparencyLogEntry, body: TlogBody): void {
  const proof = entry.inclusionProof;
  if (!proof) return;
  verifyCheckpointMatchesProof(proof);
  if (isRekorV2(body) && proof.logIndex !== entry.logIndex) {
    throw verificationError(
      'TLOG_ERROR',
      `expected logIndex ${entry.logIndex} to equal the inclusion proof's index, got ${proof.logIndex}`,
    );
  }
}

/**
 * The log that recorded the entry must be in the trusted root, and its key valid at every verified time.
 * The library checks key validity only for SETs; a checkpoint signed by a retired (or not yet valid) key
 * would otherwise be accepted.
 */
export function verifyLogKeyValidity(entry: TransparencyLogEntry, root: TrustedRoot, verifiedTimes: Date[]): void {
  const logs = root.tlogs.filter(
    (log) => log.logId && entry.logId !== undefined && Buffer.from(log.logId.keyId).equals(entry.logId.keyId),
  );
  if (logs.length === 0) {
    throw verificationError(
      'TLOG_ERROR',
      `expected a trusted log with ID ${Buffer.from(entry.logId?.keyId ?? []).toString('base64')}, got none`,
    );
  }
  const valid = logs.some((log) => verifiedTimes.every((time) => within(time, log.publicKey?.validFor)));
  if (!valid) {
    throw verificationError(
      'TLOG_ERROR',
      `expected the log key to be valid at ${verifiedTimes.map((t) => t.toISOString()).join(', ')}, it was not`,
    );
  }
}
