import { RE2JS } from 're2js';
import type { IdentityPolicy } from '../model/evidence.js';
import type { Profile } from '../profile/schema.js';
import type { ResolvedProfile } from '../profile/load.js';
import { bindIdentityToVersion, type ReleaseBinding } from '../profile/bind.js';
import { isReleaseTag } from '../release/index.js';
import { GITHUB_ACTIONS_ISSUER } from '../checks/provenance/builders/index.js';
import type { PolicyMode, PolicySource } from '../policy/cue.js';
import type { Expectations } from './options.js';

/** slsa-github-generator's container workflow at any vX.Y.Z tag: who signs the provenance policy evaluates. */
const CONTAINER_GENERATOR_SIGNER = `^${RE2JS.quote('https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml')}@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$`;

/** What the command line says on top of the profile; `undefined` means "not given". */
export interface ExpectationOverrides {
  signer?: IdentityPolicy;
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

/**
 * Combines the profile, version binding and command-line overrides into the expectations for one release.
 * Binding: a release tag binds identities to `refs/tags/<version>` and provenance to that tag; the rolling
 * `latest` tag binds to `refs/heads/main`; a digest or another tag binds nothing.
 */
export function toExpectations(
  resolved: ResolvedProfile,
  release: { version?: string; tag?: string },
  overrides: ExpectationOverrides,
): Expectations {
  const { profile } = resolved;
  const binding = overrides.versionBinding ? toBinding(release) : undefined;
  const bound = binding !== undefined ? bindIdentityToVersion(profile, binding) : unbound(profile);
  const provenanceSelectors = [overrides.sourceTag, overrides.sourceVersionedTag, overrides.sourceBranch];
  // An explicit tag/branch selector replaces the one version binding chose, as slsa-verifier takes one of them.
  const boundRef = provenanceSelectors.some((value) => value !== undefined)
    ? {}
    : {
        ...(bound.provenance.sourceTag !== undefined && { sourceTag: bound.provenance.sourceTag }),
        ...(bound.provenance.sourceBranch !== undefined && { sourceBranch: bound.provenance.sourceBranch }),
      };
  const builderId = overrides.builderId ?? bound.provenance.builderId;
  return {
    signature: overrides.signer ?? bound.identities.signature,
    sbom: overrides.signer ?? bound.identities.sbom,
    provenanceSigner: {
      issuer: GITHUB_ACTIONS_ISSUER,
      identityRegexp: builderId !== undefined ? builderSigner(builderId) : CONTAINER_GENERATOR_SIGNER,
    },
    provenance: {
      sourceUri: overrides.sourceUri ?? bound.provenance.sourceUri,
      ...boundRef,
      ...(overrides.sourceTag !== undefined && { sourceTag: overrides.sourceTag }),
      ...(overrides.sourceVersionedTag !== undefined && { sourceVersionedTag: overrides.sourceVersionedTag }),
      ...(overrides.sourceBranch !== undefined && { sourceBranch: overrides.sourceBranch }),
      ...(builderId !== undefined && { builderId }),
    },
    policies: {
      provenance: overrides.provenancePolicies ?? resolved.policies.provenance,
      sbom: overrides.sbomPolicies ?? resolved.policies.sbom,
    },
    policyMode: overrides.policyMode,
  };
}

function toBinding(release: { version?: string; tag?: string }): ReleaseBinding | undefined {
  if (release.version !== undefined) return release.version;
  if (release.tag === 'latest') return { branch: 'main' };
  if (release.tag !== undefined && isReleaseTag(release.tag)) return release.tag;
  return undefined;
}

function unbound(profile: Profile): ReturnType<typeof bindIdentityToVersion> {
  const { signature, sbom, provenance } = profile.identities;
  return {
    identities: {
      signature: { issuer: signature.issuer, identityRegexp: signature.identityRegexp },
      sbom: { issuer: sbom.issuer, identityRegexp: sbom.identityRegexp },
    },
    provenance: {
      sourceUri: provenance.sourceUri,
      ...(provenance.builderId !== undefined && { builderId: provenance.builderId }),
    },
  };
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
