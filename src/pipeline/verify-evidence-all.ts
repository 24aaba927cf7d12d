import type { Evidence } from '../model/evidence.js';
import { verifyEvidence } from '../sigstore/verify-evidence.js';
import type { TrustRoot } from '../sigstore/trust.js';
import { InternalError, VerifyReleaseError } from '../errors.js';
import type { EvidenceOutcome } from '../checks/outcome.js';

/**
 * Verifies the Sigstore cryptography of every piece of evidence once. A piece that does not verify keeps its
 * reason; anything thrown that is not one of our typed errors is a bug, reported as INTERNAL, never a pass.
 */
export function verifyAllEvidence(evidence: Evidence[], trust: TrustRoot): EvidenceOutcome[] {
  return evidence.map((piece) => {
    try {
      return { evidence: piece, verified: verifyEvidence(piece, trust) };
    } catch (error) {
      const typed =
        error instanceof VerifyReleaseError
          ? error
          : new InternalError(`unexpected error while verifying: ${String(error)}`, { cause: error });
      return { evidence: piece, error: typed };
    }
  });
}
