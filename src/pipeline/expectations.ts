import { RE2JS } from 're2js';
import { UsageError } from '../errors.js';
import type { IdentityPolicy } from '../model/evidence.js';
import type { ResolvedProfile } from '../profile/load.js';
import { toProjectRepository, toSourceUri } from '../profile/repository.js';
import { isReleaseTag } from '../release/index.js';
import { GITHUB_ACTIONS_ISSUER } from '../model/constants.js';
import { toSanRef } from '../sigstore/signer-binding.js';
import type { PolicyMode, PolicySource } from '../policy/cue.js';
import type { Expectations } from './options.js';

/** slsa-github-generator's container workflow at any vX.Y.Z tag: who signs the provenance policy evaluates. */
const CONTAINER_GENERATOR_SIGNER = `^${RE2JS.quote('https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml')}@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$`;

/** What the command line says on top of the profile; `undefined` means "not given". */
export interface ExpectationOverrides {
  /** Identity and issuer flags; a missing pair is filled from the profile. */
  signer?: IdentityPolicy;
  /** Which identity flag was given (`--certificate-identity[-regexp]`): it may state a non-release tag's ref. */
  identityFlag?: 'exact' | 'regexp';
  /** `--certificate-github-workflow-repository <owner/name>`. */
  workflowRepository?: string;
  sourceUri?: string;
  sourceTag?: string;
  sourceVersionedTag?: string;
  sourceBranch?: string;
  builderId?: string;
  provenancePolicies?: PolicySource[];
  sbomPolicies?: PolicySource[];
  policyMode: PolicyMode;
  versionBinding: boolean;
}

/** What was resolved: the release version (a release tag), the tag, both or neither (a bare digest reference). */
export interface ResolvedRelease {
  version?: string;
  tag?: string;
}

/**
 * Combines the profile, version binding, repository binding and command-line overrides into the expectations for
 * one release. Identities are matched as given (profile or flags); binding is a separate requirement on every
 * signer's certificate (src/sigstore/signer-binding.ts):
 * - repository: the project's `owner/name` (`--certificate-github-workflow-repository`, else `--source-uri`, else
 *   the profile's source repository);
 * - ref: `refs/tags/<version>` for a release, `refs/heads/main` for the rolling `latest` tag, the ref an explicit
 *   `--source-tag`/`--source-branch`/`--certificate-identity` names for another tag; unbound only with
 *   `--no-version-binding`, for a bare digest, or where an identity flag is the stated expectation (each says so in
 *   a notice). A non-release tag with no stated expectation is a usage error.
 */
export function toExpectations(
  resolved: ResolvedProfile,
  release: ResolvedRelease,
  overrides: ExpectationOverrides,
): Expectations {
  const { profile } = resolved;
  const profileSource = toSourceUri(profile.identities.provenance.sourceUri);
  const flagSource = overrides.sourceUri !== undefined ? toSourceUri(overrides.sourceUri) : undefined;
  const flagRepository = overrides.workflowRepository;
  if (flagRepository !== undefined && flagSource !== undefined) {
    const fromUri = toProjectRepository(flagSource);
    if (fromUri.toLowerCase() !== flagRepository.toLowerCase()) {
      throw new UsageError(
        `expected --certificate-github-workflow-repository and --source-uri to name one repository, got ${flagRepository} and ${overrides.sourceUri}`,
      );
    }
  }
  const sourceUri = flagSource ?? (flagRepository !== undefined ? `github.com/${flagRepository}` : profileSource);
  const repository = flagRepository ?? toProjectRepository(sourceUri);
  const binding = toBinding(release, overrides);

  const provenanceSelectors = [overrides.sourceTag, overrides.sourceVersionedTag, overrides.sourceBranch];
  // An explicit tag/branch selector replaces the one version binding chose, as slsa-verifier takes one of them.
  const boundSelector = provenanceSelectors.some((value) => value !== undefined) ? {} : binding.provenance;
  const builderId = overrides.builderId ?? profile.identities.provenance.builderId;
  const signer = (identity: IdentityPolicy) => ({ identity, repository, ref: binding.ref });
  return {
    signature: signer(overrides.signer ?? profile.identities.signature),
    sbom: signer(overrides.signer ?? profile.identities.sbom),
    provenanceSigner: {
      identity: {
        issuer: GITHUB_ACTIONS_ISSUER,
        identityRegexp: builderId !== undefined ? builderSigner(builderId) : CONTAINER_GENERATOR_SIGNER,
      },
      repository,
      ref: binding.ref,
      builder: true,
    },
    provenance: {
      sourceUri,
      ...boundSelector,
      ...(overrides.sourceTag !== undefined && { sourceTag: overrides.sourceTag }),
      ...(overrides.sourceVersionedTag !== undefined && { sourceVersionedTag: overrides.sourceVersionedTag }),
      ...(overrides.sourceBranch !== undefined && { sourceBranch: overrides.sourceBranch }),
      ...(builderId !== undefined && { builderId }),
      certificateRef: binding.ref,
    },
    policies: {
      provenance: overrides.provenancePolicies ?? resolved.policies.provenance,
      sbom: overrides.sbomPolicies ?? resolved.policies.sbom,
    },
    policyMode: overrides.policyMode,
    notices: binding.notice !== undefined ? [binding.notice] : [],
  };
}

interface Binding {
  ref: string | null;
  /** The provenance selector version binding implies, unless an explicit one is given. */
  provenance: { sourceTag?: string; sourceBranch?: string };
  notice?: string;
}

const SAFE_REF = /^[A-Za-z0-9][A-Za-z0-9._+/-]*$/;

function exactRef(ref: string, what: string): string {
  // A ref with blanks, control characters or `..` cannot be what Fulcio issued; refuse it rather than bind to it.
  if (!SAFE_REF.test(ref) || ref.includes('..') || ref.includes('//')) {
    throw new UsageError(`expected ${what} to be a git ref name, got ${JSON.stringify(ref)}`);
  }
  return ref;
}

function toBinding(release: ResolvedRelease, overrides: ExpectationOverrides): Binding {
  const version = release.version ?? (release.tag !== undefined && isReleaseTag(release.tag) ? release.tag : undefined);
  if (!overrides.versionBinding) {
    const what = version !== undefined ? `refs/tags/${version}` : 'the verified tag';
    return {
      ref: null,
      provenance: {},
      notice: `version binding is off (--no-version-binding): the certificates' refs and the provenance's source ref were not required to be ${what}`,
    };
  }
  if (version !== undefined) {
    return {
      ref: `refs/tags/${exactRef(version, 'the version')}`,
      provenance: { sourceTag: version },
    };
  }
  const tag = release.tag;
  if (tag === undefined) {
    return {
      ref: null,
      provenance: {},
      notice:
        "a digest reference names no version: the certificates' refs were not bound (name it as <image>:<release>@sha256:… to bind them)",
    };
  }
  const stated = statedRef(overrides);
  if (stated !== undefined) {
    return {
      ref: stated.ref,
      provenance: {},
      notice: `tag ${JSON.stringify(tag)} is not a release: bound to ${stated.ref} (${stated.because})`,
    };
  }
  if (tag === 'latest') {
    return {
      ref: 'refs/heads/main',
      provenance: { sourceBranch: 'main' },
      notice:
        'tag "latest" is not a release: bound to refs/heads/main, the branch the rolling latest tag is built from',
    };
  }
  if (overrides.identityFlag !== undefined) {
    const flag = overrides.identityFlag === 'exact' ? '--certificate-identity' : '--certificate-identity-regexp';
    return {
      ref: null,
      provenance: {},
      notice: `tag ${JSON.stringify(tag)} is not a release: the certificates' refs were accepted as ${flag} allows (each check's evidence names the ref), not bound to a version`,
    };
  }
  throw new UsageError(
    `expected a release version or a stated ref for tag ${JSON.stringify(tag)}, which is not a release: pass --source-branch <branch>, --source-tag <tag> or an identity flag (--certificate-identity[-regexp]) saying which ref to accept, or --no-version-binding`,
  );
}

// An explicit ref expectation for a non-release tag: --source-branch, --source-tag, or the @ref of an exact identity.
function statedRef(overrides: ExpectationOverrides): { ref: string; because: string } | undefined {
  if (overrides.sourceBranch !== undefined) {
    return { ref: exactRef(`refs/heads/${overrides.sourceBranch}`, '--source-branch'), because: '--source-branch' };
  }
  if (overrides.sourceTag !== undefined) {
    return { ref: exactRef(`refs/tags/${overrides.sourceTag}`, '--source-tag'), because: '--source-tag' };
  }
  const exact = overrides.identityFlag === 'exact' ? overrides.signer?.identity : undefined;
  const sanRef = exact !== undefined ? toSanRef(exact) : undefined;
  if (sanRef !== undefined)
    return { ref: exactRef(sanRef, '--certificate-identity'), because: '--certificate-identity' };
  return undefined;
}

// `--builder-id name[@ref]`: the provenance signer is that workflow at any vX.Y.Z tag, or at the given ref; a bare
// `vX.Y.Z` ref means `refs/tags/vX.Y.Z`, as slsa-verifier's loose builder-id match reads it.
function builderSigner(builderId: string): string {
  const at = builderId.lastIndexOf('@');
  if (at < 0) return `^${RE2JS.quote(builderId)}@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$`;
  const ref = builderId.slice(at + 1);
  const fullRef = ref.startsWith('refs/') ? ref : `refs/tags/${ref}`;
  return `^${RE2JS.quote(`${builderId.slice(0, at)}@${fullRef}`)}$`;
}
