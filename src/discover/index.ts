import type { RegistrySource, RepositoryRef } from '../registry/index.js';
import { formatRepository } from '../model/reference.js';
import type { Digest } from '../model/digest.js';
import type { Evidence } from '../model/evidence.js';
import { fetchLegacyLayers, legacyTag } from './legacy-tags.js';
import { fetchBundleReferrers } from './referrers.js';

export { legacyTag } from './legacy-tags.js';

export interface DiscoveryRepositories {
  /** The image's own repository: always searched. */
  image: RepositoryRef;
  signature?: RepositoryRef[];
  sbom?: RepositoryRef[];
  provenance?: RepositoryRef[];
}

export interface DiscoveryResult {
  evidence: Evidence[];
  /** Every place looked at, e.g. `ghcr.io/o/r:sha256-<hex>.sig`, for the evidence of "nothing found". */
  searched: string[];
  /** The repositories searched (`host/name`), for short "nothing found" reasons. */
  repositories: string[];
}

/**
 * Collects every signature and attestation for `digest` from the image repository and every configured
 * repository, in both storage formats: legacy cosign tags (`.sig`, `.att`) and Sigstore bundle referrers.
 * Real projects changed format between releases, so every place is always read.
 */
export async function discoverEvidence(
  client: RegistrySource,
  digest: Digest,
  repositories: DiscoveryRepositories,
): Promise<DiscoveryResult> {
  const repos = distinctRepositories([
    repositories.image,
    ...(repositories.signature ?? []),
    ...(repositories.sbom ?? []),
    ...(repositories.provenance ?? []),
  ]);
  const perRepo = await Promise.all(repos.map((repo) => discoverInRepository(client, repo, digest)));
  return {
    evidence: perRepo.flatMap((found) => found.evidence),
    searched: perRepo.flatMap((found) => found.searched),
    repositories: perRepo.flatMap((found) => found.repositories),
  };
}

/** Looks for evidence of `digest` in one repository. */
export async function discoverInRepository(
  client: RegistrySource,
  repo: RepositoryRef,
  digest: Digest,
): Promise<DiscoveryResult> {
  const [signatures, attestations, bundles] = await Promise.all([
    fetchLegacyLayers(client, repo, digest, 'sig'),
    fetchLegacyLayers(client, repo, digest, 'att'),
    fetchBundleReferrers(client, repo, digest),
  ]);
  const name = formatRepository(repo);
  return {
    evidence: [...signatures, ...attestations, ...bundles],
    searched: [
      `${name}:${legacyTag(digest, 'sig')}`,
      `${name}:${legacyTag(digest, 'att')}`,
      `${name} referrers of ${digest}`,
    ],
    repositories: [name],
  };
}

function distinctRepositories(repos: RepositoryRef[]): RepositoryRef[] {
  const seen = new Map<string, RepositoryRef>();
  for (const repo of repos) seen.set(formatRepository(repo), repo);
  return [...seen.values()];
}
