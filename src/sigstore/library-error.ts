import { describeError, type VerificationStep, verificationError, VerifyReleaseError } from '../errors.js';

/**
 * `@sigstore/verify` error codes (its `error.ts`) → ours: the one mapping, used by every path that runs the
 * library's `Verifier` (bundles and legacy layers alike), so one failure has one code whichever format carried it.
 * PUBLIC_KEY_ERROR is the library's "the managed key for this hint is missing or not valid at the verified time":
 * the signing key, so a signature failure. Codes it may add later, NOT_IMPLEMENTED_ERROR and anything that is not
 * one of its errors (it throws plain TypeErrors on some malformed input) make the bundle invalid: fail closed.
 */
const LIBRARY_CODES: Readonly<Record<string, VerificationStep>> = {
  CERTIFICATE_ERROR: 'CERTIFICATE_ERROR',
  PUBLIC_KEY_ERROR: 'SIGNATURE_ERROR',
  SIGNATURE_ERROR: 'SIGNATURE_ERROR',
  TIMESTAMP_ERROR: 'TIMESTAMP_ERROR',
  TLOG_ERROR: 'TLOG_ERROR',
  TLOG_BODY_ERROR: 'TLOG_ERROR',
  TLOG_INCLUSION_PROMISE_ERROR: 'TLOG_ERROR',
  TLOG_INCLUSION_PROOF_ERROR: 'TLOG_ERROR',
  TLOG_MISSING_INCLUSION_ERROR: 'TLOG_ERROR',
  TLOG_ERROR_CHECKPOINT: 'TLOG_ERROR',
};

/** The stable code for a library error code; exported for the tests of the mapping. */
export function libraryErrorCode(libraryCode: string, message: string): VerificationStep {
  const code = Object.hasOwn(LIBRARY_CODES, libraryCode) ? LIBRARY_CODES[libraryCode] : undefined;
  // The library reports SCT failures as certificate errors; they are their own step here.
  if (code === 'CERTIFICATE_ERROR' && /SCT/.test(message)) return 'SCT_ERROR';
  return code ?? 'BUNDLE_INVALID';
}

/**
 * Maps whatever `@sigstore/verify` threw into our typed error, keeping the library's code and message in ours
 * (`<step>: <library message> (<library code>)`) and the original as `cause`. Our own errors pass through.
 */
export function fromLibraryError(error: unknown): VerifyReleaseError {
  if (error instanceof VerifyReleaseError) return error;
  const libraryCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const message = describeError(error);
  const code = libraryErrorCode(libraryCode, message);
  const detail = code === 'BUNDLE_INVALID' ? `expected a verifiable bundle, got ${message}` : message;
  return verificationError(code, libraryCode === '' ? detail : `${detail} (${libraryCode})`, error);
}
