import { RE2JS } from 're2js';
import { UsageError } from '../errors.js';
import type { IdentityPolicy } from '../model/evidence.js';
import type { Profile, SignerIdentity } from './schema.js';

/** A release to bind to: a version tag (e.g. `v1.1.2`) or the `main` branch build (`latest`). */
export type ReleaseBinding = string | { branch: 'main' };

/** Identities and slsa-verifier expectations for exactly one release. */
export interface BoundExpectations {
  identities: { signature: IdentityPolicy; sbom: IdentityPolicy };
  provenance: { sourceUri: string; builderId?: string; sourceTag?: string; sourceBranch?: string };
}

function toRef(binding: ReleaseBinding): string {
  if (typeof binding !== 'string') return `refs/heads/${binding.branch}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(binding)) {
    throw new UsageError(`expected a release tag like v1.1.2, got ${JSON.stringify(binding)}`);
  }
  return `refs/tags/${binding}`;
}

// Keeps the workflow part of the profile's SAN regex (up to its last `@`) and pins the ref exactly.
function bindIdentity(identity: SignerIdentity, ref: string, field: string): IdentityPolicy {
  const at = identity.identityRegexp.lastIndexOf('@');
  if (at < 0) {
    throw new UsageError(
      `expected identities.${field}.identityRegexp to end in @<ref>, got ${JSON.stringify(identity.identityRegexp)}`,
    );
  }
  return { issuer: identity.issuer, identityRegexp: `${identity.identityRegexp.slice(0, at + 1)}${RE2JS.quote(ref)}$` };
}

/**
 * Narrows a profile to one release: signer identities whose ref part is exactly `refs/tags/<version>` (or
 * `refs/heads/main`), and the provenance expectation `sourceTag = version` (or `sourceBranch = main`).
 */
export function bindIdentityToVersion(profile: Profile, binding: ReleaseBinding): BoundExpectations {
  const ref = toRef(binding);
  const { sourceUri, builderId } = profile.identities.provenance;
  const provenance: BoundExpectations['provenance'] = {
    sourceUri,
    ...(builderId !== undefined && { builderId }),
    ...(typeof binding === 'string' ? { sourceTag: binding } : { sourceBranch: binding.branch }),
  };
  return {
    identities: {
      signature: bindIdentity(profile.identities.signature, ref, 'signature'),
      sbom: bindIdentity(profile.identities.sbom, ref, 'sbom'),
    },
    provenance,
  };
}
