import { VerifyReleaseError } from '../errors.js';

/** Stable exit codes (README "Exit codes"). */
export const EXIT = {
  /** Every selected check passed. */
  verified: 0,
  /** A check failed: the release is not trusted. */
  failed: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** Could not complete: network, registry error, not found. */
  incomplete: 3,
} as const;

/** Maps an error that escaped a command to an exit code. */
export function exitCodeForError(error: unknown): number {
  if (!(error instanceof VerifyReleaseError)) return EXIT.incomplete;
  switch (error.code) {
    case 'USAGE':
    case 'CONFIG':
    case 'TRUST_ROOT_ERROR':
      return EXIT.usage;
    case 'NETWORK':
    case 'TIMEOUT':
    case 'REGISTRY':
    case 'AUTH':
    case 'NOT_FOUND':
    case 'DIGEST_MISMATCH':
    case 'TOO_LARGE':
    case 'MALFORMED_RESPONSE':
    case 'INTERNAL':
      return EXIT.incomplete;
    default:
      return EXIT.failed;
  }
}

// From least to most severe. Could-not-complete outranks a failed check, so exit 1 from a batch means that every
// release was decided and at least one failed; exit 3 means at least one was not decided (rerun it).
const SEVERITY: readonly number[] = [EXIT.verified, EXIT.failed, EXIT.incomplete, EXIT.usage];

/** The exit code of many releases: the worst of theirs, 2 > 3 > 1 > 0 (0 for none). */
export function worstExitCode(codes: readonly number[]): number {
  return codes.reduce<number>(
    (worst, code) => (SEVERITY.indexOf(code) > SEVERITY.indexOf(worst) ? code : worst),
    EXIT.verified,
  );
}
