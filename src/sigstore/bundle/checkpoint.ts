import { verificationError } from '../../errors.js';
import { quoteBounded } from '../../model/bounded.js';

/** The body of a signed checkpoint (C2SP tlog-checkpoint): origin, tree size and root hash. */
export interface Checkpoint {
  origin: string;
  treeSize: bigint;
  rootHash: Buffer;
}

/** What a checkpoint is compared against: the library's parsed inclusion proof. */
export interface ProofLike {
  treeSize: string;
  rootHash: Buffer;
  checkpoint?: { envelope: string };
}

const SIZE = /^(0|[1-9][0-9]*)$/;
const ROOT_HASH = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Parses the note part of a signed checkpoint strictly. The library splits it loosely (a missing origin shifts
 * every line and surfaces as a TypeError), so the shape is checked here before the signature is.
 */
function toCheckpoint(envelope: string): Checkpoint {
  const separator = envelope.indexOf('\n\n');
  if (separator < 0)
    throw verificationError(
      'TLOG_ERROR',
      'expected a signed checkpoint with a blank line before its signatures, got none',
    );
  const lines = envelope.slice(0, separator).split('\n');
  const [origin, size, root] = lines;
  if (!origin || SIZE.test(origin))
    throw verificationError('TLOG_ERROR', `expected a checkpoint origin line, got ${quoteBounded(origin)}`);
  if (size === undefined || !SIZE.test(size)) {
    throw verificationError('TLOG_ERROR', `expected a checkpoint tree size line, got ${quoteBounded(size)}`);
  }
  if (root === undefined || !ROOT_HASH.test(root)) {
    throw verificationError(
      'TLOG_ERROR',
      `expected a base64 SHA-256 checkpoint root hash line, got ${quoteBounded(root)}`,
    );
  }
  return { origin, treeSize: BigInt(size), rootHash: Buffer.from(root, 'base64') };
}

/**
 * sigstore-js checks the Merkle path against the checkpoint and ignores the proof's own `rootHash`/`treeSize`;
 * both must agree with the signed checkpoint, or the bundle states a root no one signed.
 */
export function verifyCheckpointMatchesProof(proof: ProofLike): Checkpoint {
  if (!proof.checkpoint?.envelope)
    throw verificationError('TLOG_ERROR', 'expected a checkpoint on the inclusion proof, got none');
  const checkpoint = toCheckpoint(proof.checkpoint.envelope);
  if (!checkpoint.rootHash.equals(proof.rootHash)) {
    throw verificationError('TLOG_ERROR', 'inclusion proof root hash differs from the signed checkpoint');
  }
  if (checkpoint.treeSize !== BigInt(proof.treeSize)) {
    throw verificationError(
      'TLOG_ERROR',
      `inclusion proof tree size ${proof.treeSize} differs from the signed checkpoint's ${checkpoint.treeSize}`,
    );
  }
  return checkpoint;
}
