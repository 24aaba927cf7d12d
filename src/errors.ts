/**
 * Typed errors shared by every stage. Each carries a stable `code` that appears in the JSON report and in tests,
 * and an optional ES2022 `cause`. Messages are one line and say what was expected and what was found.
 *
 * A failed check is a result, not an error: errors mean the tool could not decide (bad input, registry trouble)
 * or, inside one piece of evidence, the first reason it did not verify.
 */

import { boundLength } from './model/bounded.js';
import { printable } from './model/printable.js';

export type ErrorCode =
  // 2: usage or configuration
  | 'USAGE'
  | 'CONFIG'
  // 3: could not complete
  | 'NETWORK'
  | 'TIMEOUT'
  | 'REGISTRY'
  | 'AUTH'
  | 'NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'TOO_LARGE'
  | 'MALFORMED_RESPONSE'
  // per-evidence verification failures (become `fail` results)
  | 'BUNDLE_INVALID'
  | 'CERTIFICATE_ERROR'
  | 'SCT_ERROR'
  | 'TLOG_ERROR'
  | 'TIMESTAMP_ERROR'
  | 'SIGNATURE_ERROR'
  | 'TRUST_ROOT_ERROR'
  | 'IDENTITY_MISMATCH'
  | 'CLAIM_MISMATCH'
  | 'POLICY_ERROR'
  | 'PROVENANCE_ERROR'
  | 'INTERNAL';

export class VerifyReleaseError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad command line input or configuration file (exit 2). */
export class UsageError extends VerifyReleaseError {
  constructor(message: string, options?: { cause?: unknown; code?: 'USAGE' | 'CONFIG' }) {
    super(options?.code ?? 'USAGE', message, options);
  }
}

/** The registry could not be reached or answered wrongly (exit 3). */
export class RegistryError extends VerifyReleaseError {
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** The registry's own error code (e.g. MANIFEST_UNKNOWN), when it sent one. */
  readonly registryCode: string | undefined;

  constructor(
    code: Extract<
      ErrorCode,
      'NETWORK' | 'TIMEOUT' | 'REGISTRY' | 'AUTH' | 'NOT_FOUND' | 'DIGEST_MISMATCH' | 'TOO_LARGE' | 'MALFORMED_RESPONSE'
    >,
    message: string,
    options?: { cause?: unknown; status?: number; registryCode?: string },
  ) {
    super(code, message, options);
    this.status = options?.status;
    this.registryCode = options?.registryCode;
  }
}

/** One piece of evidence did not verify; `code` names the step that failed. */
export class VerificationError extends VerifyReleaseError {}

/** The verification steps, by code: each failure's message starts with its step's name. */
export const VERIFICATION_STEPS = {
  BUNDLE_INVALID: 'bundle',
  CERTIFICATE_ERROR: 'certificate',
  SCT_ERROR: 'certificate transparency',
  TLOG_ERROR: 'transparency log',
  TIMESTAMP_ERROR: 'timestamp',
  SIGNATURE_ERROR: 'signature',
  TRUST_ROOT_ERROR: 'trusted root',
  CLAIM_MISMATCH: 'signed claim',
  DIGEST_MISMATCH: 'digest',
} as const satisfies Partial<Record<ErrorCode, string>>;

export type VerificationStep = keyof typeof VERIFICATION_STEPS;

/**
 * The one constructor of verification failures: `<step>: <detail>` with the step named by `code`, e.g.
 * `verificationError('TLOG_ERROR', 'expected …, got …')` → "transparency log: expected …, got …".
 */
export function verificationError(code: VerificationStep, detail: string, cause?: unknown): VerificationError {
  return new VerificationError(code, `${VERIFICATION_STEPS[code]}: ${detail}`, cause === undefined ? {} : { cause });
}

/** A policy (CUE, SLSA rules) rejected a verified statement, or could not be evaluated. */
export class PolicyError extends VerifyReleaseError {
  constructor(message: string, options?: { cause?: unknown; code?: 'POLICY_ERROR' | 'PROVENANCE_ERROR' }) {
    super(options?.code ?? 'POLICY_ERROR', message, options);
  }
}

/** A bug: something that should not happen. */
export class InternalError extends VerifyReleaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}

/**
 * Renders any thrown value as one printable line, without a stack trace: the first line of its message, cut to
 * {@link boundLength}, with control and bidirectional characters (from certificates, bundles, registries) escaped by
 * {@link printable}.
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return printable(boundLength(text.split('\n')[0] || (error instanceof Error ? error.name : 'unknown error')));
}
