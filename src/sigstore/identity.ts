import { RE2JS } from 're2js';
import { describeError, UsageError, VerificationError } from '../errors.js';
import type { IdentityPolicy, SignerInfo } from '../model/evidence.js';

type Matcher = (value: string | undefined) => boolean;

/**
 * Builds a matcher from one exact/regexp flag pair. Exactly one must be given; an empty string is a value
 * (it matches only an empty field, or for a regexp anything), never "no check".
 */
function toMatcher(exact: string | undefined, regexp: string | undefined, what: string): Matcher {
  if ((exact === undefined) === (regexp === undefined)) {
    throw new UsageError(
      `expected exactly one of --certificate-${what} or --certificate-${what}-regexp, got ${exact === undefined ? 'neither' : 'both'}`,
    );
  }
  if (exact !== undefined) return (value) => value === exact;
  let pattern: RE2JS;
  try {
    pattern = compileRegexp(regexp as string);
  } catch (error) {
    throw new UsageError(`expected a valid RE2 --certificate-${what}-regexp, got ${describeError(error)}`);
  }
  // Unanchored like cosign (Go's MatchString): users anchor with ^…$ themselves.
  return (value) => value !== undefined && pattern.matcher(value).find();
}

// A run compiles the same few patterns when it checks the configuration and again for every certificate; each is
// compiled once (RE2JS is immutable, and its first compile costs milliseconds).
const compiledPatterns = new Map<string, RE2JS>();

/** The pattern compiled as Go RE2; throws RE2JS's syntax error for an invalid one. */
export function compileRegexp(regexp: string): RE2JS {
  let pattern = compiledPatterns.get(regexp);
  if (pattern) return pattern;
  pattern = RE2JS.compile(regexp);
  // Patterns come from the configuration, so there are few; a long-lived process still keeps a bounded number.
  if (compiledPatterns.size >= 64) compiledPatterns.clear();
  compiledPatterns.set(regexp, pattern);
  return pattern;
}

/**
 * Checks the certificate's SAN and OIDC issuer against the policy (cosign's flag semantics: exact string
 * equality, or Go RE2 regular expressions, unanchored). Throws VerificationError IDENTITY_MISMATCH.
 */
export function verifyIdentity(signer: SignerInfo, policy: IdentityPolicy): void {
  const identity = toMatcher(policy.identity, policy.identityRegexp, 'identity');
  const issuer = toMatcher(policy.issuer, policy.issuerRegexp, 'oidc-issuer');
  if (!identity(signer.identity) || !issuer(signer.issuer)) {
    throw new VerificationError(
      'IDENTITY_MISMATCH',
      `none of the expected identities matched what was in the certificate, got subject ${signer.identity} with issuer ${signer.issuer ?? '(none)'}`,
    );
  }
}
