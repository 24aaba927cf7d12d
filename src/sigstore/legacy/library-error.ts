import { PolicyError as LibraryPolicyError, VerificationError as LibraryVerificationError } from '@sigstore/verify';
import { type ErrorCode, VerificationError, VerifyReleaseError } from '../../errors.js';

/** sigstore-js error codes (`@sigstore/verify` `error.ts`) → ours. Anything unknown is a verification failure. */
const CODES: Record<string, ErrorCode> = {
  CERTIFICATE_ERROR: 'CERTIFICATE_ERROR',
  PUBLIC_KEY_ERROR: 'CERTIFICATE_ERROR',
  SIGNATURE_ERROR: 'SIGNATURE_ERROR',
  TIMESTAMP_ERROR: 'TIMESTAMP_ERROR',
  TLOG_ERROR: 'TLOG_ERROR',
  TLOG_BODY_ERROR: 'TLOG_ERROR',
  TLOG_INCLUSION_PROMISE_ERROR: 'TLOG_ERROR',
  TLOG_INCLUSION_PROOF_ERROR: 'TLOG_ERROR',
  TLOG_MISSING_INCLUSION_ERROR: 'TLOG_ERROR',
  TLOG_ERROR_CHECKPOINT: 'TLOG_ERROR',
  UNTRUSTED_SIGNER_ERROR: 'IDENTITY_MISMATCH',
};

/**
 * Maps whatever `@sigstore/verify` threw into one of our typed errors, keeping the original as `cause`. The library
 * can also throw plain `TypeError`s on malformed input (e.g. an empty certificate path); those still fail closed.
 */
export function toLibraryError(error: unknown): VerifyReleaseError {
  if (error instanceof VerifyReleaseError) return error;
  if (error instanceof LibraryVerificationError || error instanceof LibraryPolicyError) {
    const sct = error.code === 'CERTIFICATE_ERROR' && /SCT/.test(error.message);
    const code = sct ? 'SCT_ERROR' : (CODES[error.code] ?? 'SIGNATURE_ERROR');
    return new VerificationError(code, `sigstore verification failed (${error.code}): ${oneLine(error.message)}`, {
      cause: error,
    });
  }
  return new VerificationError('BUNDLE_INVALID', `sigstore verification failed: ${oneLine(String(error))}`, {
    cause: error,
  });
}

function oneLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
