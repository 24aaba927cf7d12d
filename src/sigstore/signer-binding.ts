import { VerificationError } from '../errors.js';
import type { IdentityPolicy, SignerInfo } from '../model/evidence.js';
import { FULCIO_OID } from '../model/fulcio.js';
import { verifyIdentity } from './identity.js';
import { quoteBounded } from '../model/bounded.js';

/** The Fulcio certificate extensions that name where and for which ref a build ran (see {@link FULCIO_OID}). */
export const SOURCE_OID = {
  /** Deprecated GitHub Workflow Repository: `owner/name`, raw bytes. */
  githubWorkflowRepository: FULCIO_OID.githubWorkflowRepository,
  /** Deprecated GitHub Workflow Ref: `refs/tags/v1.2.3`, raw bytes. */
  githubWorkflowRef: FULCIO_OID.githubWorkflowRef,
  /** Source Repository URI: `https://github.com/owner/name`. */
  sourceRepositoryUri: FULCIO_OID.sourceRepositoryUri,
  /** Source Repository Ref: `refs/tags/v1.2.3`. */
  sourceRepositoryRef: FULCIO_OID.sourceRepositoryRef,
} as const;

const GITHUB = 'https://github.com/';

/**
 * Who must have signed, and for which project and release: the identity as given (cosign's flags or a profile), and,
 * as separate requirements on the certificate, the source repository and the ref it was built for.
 */
export interface SignerPolicy {
  /** SAN and issuer, matched as given (never rewritten). */
  identity: IdentityPolicy;
  /**
   * `owner/name` on github.com: the certificate's Source Repository URI (`…1.12`) and legacy GitHub Workflow
   * Repository (`…1.5`) must both name it where present, and at least one must be present.
   */
  repository: string;
  /**
   * Version binding: the ref the certificate must have been issued for (`refs/tags/v1.2.3`, `refs/heads/main`),
   * checked against Source Repository Ref (`…1.14`), the legacy GitHub Workflow Ref (`…1.6`) and the SAN's `@ref`;
   * every one present must equal it, and at least one must be present. `null`: not bound (said in a notice).
   */
  ref: string | null;
  /**
   * The signer is a reusable builder workflow (the SLSA container generator): its SAN names the builder at the
   * builder's own ref, so only the source-ref extensions, which name the caller's ref, are bound.
   */
  builder?: boolean;
}

/** Which requirement a verified certificate did not meet. */
export type SignerAspect = 'identity' | 'repository' | 'ref';

/** A certificate that verified but is not from the expected signer, project or release. */
export class SignerMismatchError extends VerificationError {
  readonly aspect: SignerAspect;

  constructor(aspect: SignerAspect, message: string) {
    super('IDENTITY_MISMATCH', message);
    this.aspect = aspect;
  }
}

/** The source repository and ref a certificate names, for reports. */
export interface SourceClaims {
  /** The Source Repository URI, or `https://github.com/` + the legacy GitHub Workflow Repository. */
  repository: string | null;
  /** The Source Repository Ref, or the legacy GitHub Workflow Ref, or the SAN's `@ref`. */
  ref: string | null;
}

/**
 * The ref after the first `@` of a URI SAN's path (`https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1`),
 * or undefined when the SAN is not a URI (an email) or has no `@` in its path.
 */
export function toSanRef(san: string): string | undefined {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*\/[^@]*@(.*)$/s.exec(san);
  return match ? match[1] : undefined;
}

/** What a certificate says about its source, for the report; a `builder`'s SAN names its own ref, not the source's. */
export function toSourceClaims(signer: SignerInfo, builder = false): SourceClaims {
  const uri = signer.extensions[SOURCE_OID.sourceRepositoryUri];
  const legacy = signer.extensions[SOURCE_OID.githubWorkflowRepository];
  const ref =
    signer.extensions[SOURCE_OID.sourceRepositoryRef] ??
    signer.extensions[SOURCE_OID.githubWorkflowRef] ??
    (builder ? undefined : toSanRef(signer.identity));
  return { repository: uri ?? (legacy !== undefined ? `${GITHUB}${legacy}` : null), ref: ref ?? null };
}

/**
 * The certificate must have been issued to a build of `repository` (`owner/name`, github.com), as
 * `gh attestation verify --repo` requires. GitHub names are case-insensitive, so the comparison is too.
 */
export function verifySourceRepository(signer: SignerInfo, repository: string): void {
  const uri = signer.extensions[SOURCE_OID.sourceRepositoryUri];
  const legacy = signer.extensions[SOURCE_OID.githubWorkflowRepository];
  if (uri === undefined && legacy === undefined) {
    throw new SignerMismatchError(
      'repository',
      `expected a certificate from source repository ${repository}, got one that names no source repository (no ${SOURCE_OID.sourceRepositoryUri} or ${SOURCE_OID.githubWorkflowRepository} extension)`,
    );
  }
  const want = repository.toLowerCase();
  if (uri !== undefined && uri.toLowerCase() !== `${GITHUB}${want}`) {
    throw new SignerMismatchError(
      'repository',
      `expected a certificate from source repository ${GITHUB}${repository}, got ${quoteBounded(uri)}`,
    );
  }
  if (legacy !== undefined && legacy.toLowerCase() !== want) {
    throw new SignerMismatchError(
      'repository',
      `expected a certificate from source repository ${repository}, got GitHub Workflow Repository ${quoteBounded(legacy)}`,
    );
  }
}

/**
 * Version binding on the certificate: every ref it names (Source Repository Ref, legacy GitHub Workflow Ref, and,
 * unless `builder`, the SAN's `@ref`) must be exactly `ref`, and it must name at least one.
 */
export function verifySourceRef(signer: SignerInfo, ref: string, builder = false): void {
  const named: [string, string | undefined][] = [
    ['Source Repository Ref', signer.extensions[SOURCE_OID.sourceRepositoryRef]],
    ['GitHub Workflow Ref', signer.extensions[SOURCE_OID.githubWorkflowRef]],
    ...(builder ? [] : ([['the SAN', toSanRef(signer.identity)]] as [string, string | undefined][])),
  ];
  const present = named.filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (present.length === 0) {
    throw new SignerMismatchError('ref', `expected a certificate for ${ref}, got one that names no ref`);
  }
  const wrong = present.find(([, value]) => value !== ref);
  if (wrong) {
    throw new SignerMismatchError(
      'ref',
      `expected a certificate for ${ref}, got ${quoteBounded(wrong[1])} in ${wrong[0]}${branchBuildHint(ref, wrong[1])}`,
    );
  }
}

/** A branch name that can be shown as a flag value to copy; anything else is shown as a placeholder. */
const PLAIN_BRANCH = /^[A-Za-z0-9._/-]{1,100}$/;

/**
 * When a tag was expected and a branch build was found (a release built from `main`, say): the flags that accept
 * it. Empty otherwise. Shared by the certificate binding and slsa-verifier's source-ref rules.
 */
export function branchBuildHint(expectedRef: string, gotRef: string): string {
  if (!expectedRef.startsWith('refs/tags/') || !gotRef.startsWith('refs/heads/')) return '';
  const branch = gotRef.slice('refs/heads/'.length);
  const name = PLAIN_BRANCH.test(branch) ? branch : '<branch>';
  return ` (a build of branch ${name}: --no-version-binding accepts it, with --source-branch ${name} to still require that branch)`;
}

/**
 * Checks a verified certificate against a {@link SignerPolicy}: identity and issuer (cosign semantics), then source
 * repository, then ref. Throws {@link SignerMismatchError} naming the first requirement not met, or UsageError for
 * an invalid pattern.
 */
export function verifySigner(signer: SignerInfo, policy: SignerPolicy): void {
  try {
    verifyIdentity(signer, policy.identity);
  } catch (error) {
    if (error instanceof VerificationError) throw new SignerMismatchError('identity', error.message);
    throw error;
  }
  verifySourceRepository(signer, policy.repository);
  if (policy.ref !== null) verifySourceRef(signer, policy.ref, policy.builder ?? false);
}
