import { crypto, json } from '@sigstore/core';
import type { TrustMaterial } from '@sigstore/verify';
import { verificationError } from '../../errors.js';
import type { RekorBundle } from './rekor-bundle.js';

/**
 * Verifies the Signed Entry Timestamp of a cosign Rekor bundle: an ECDSA-SHA256 signature by the Rekor key over the
 * RFC 8785 (JCS) form of `{body, integratedTime, logID, logIndex}`. The key is the trusted-root tlog whose logID
 * matches and whose `validFor` window contains integratedTime (cosign `VerifySET`).
 *
 * Used for the Rekor kinds sigstore-js cannot check (intoto 0.0.1, rekord 0.0.1); every other legacy layer has its
 * SET checked by the bundle verifier.
 *
 * @throws VerificationError TLOG_ERROR when no trusted log key verifies the SET.
 */
export function verifyLegacySET(rekor: RekorBundle, tlogs: TrustMaterial['tlogs']): void {
  const { body, integratedTime, logIndex, logID } = rekor.Payload;
  const logIdBytes = Buffer.from(logID, 'hex');
  const time = new Date(integratedTime * 1000);
  // validFor is a closed interval (conformance `trust-root-tlog-validity-end-inclusive`).
  const candidates = tlogs.filter(
    (tlog) => tlog.logID.equals(logIdBytes) && tlog.validFor.start <= time && time <= tlog.validFor.end,
  );
  if (candidates.length === 0) {
    throw verificationError(
      'TLOG_ERROR',
      `expected a trusted Rekor key with logID ${logID} valid at ${time.toISOString()}, got none`,
    );
  }
  const message = Buffer.from(json.canonicalize({ body, integratedTime, logID, logIndex }), 'utf8');
  const signature = Buffer.from(rekor.SignedEntryTimestamp, 'base64');
  const verified = candidates.some((tlog) => crypto.verify(message, tlog.publicKey, signature, 'sha256'));
  if (!verified) {
    throw verificationError(
      'TLOG_ERROR',
      `expected a SET signed by Rekor log ${logID}, got a signature that does not verify`,
    );
  }
}
