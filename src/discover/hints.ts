import type { RegistryClient, RepositoryRef } from '../registry/index.js';
import { formatRepository } from '../model/reference.js';
import type { Digest } from '../model/digest.js';
import { toReleaseTags } from '../release/release-tag.js';
import { discoverInRepository } from './index.js';

/** Platforms that are not images (BuildKit attestation manifests) carry no signatures of their own. */
const NOT_AN_IMAGE = 'unknown/unknown';

/** How many recent tags to open when looking for the index that contains a platform manifest. */
const RECENT_TAGS = 10;

/** Real indexes list a handful of platforms; a hint is not worth thousands of requests for a hostile one. */
const MAX_PLATFORM_MANIFESTS = 16;

export interface HintInput {
  client: RegistryClient;
  image: RepositoryRef;
  digest: Digest;
  /** The target manifest, parsed; used to look at an index's platform manifests. */
  manifest: unknown;
  /** Repositories already searched. */
  searched: RepositoryRef[];
}

/**
 * When no evidence was found, looks where users commonly went wrong (cosign#3552, pbs-exporter ≤ v0.8.0):
 * signatures on a platform manifest while the index was given, and evidence in the owner's conventional
 * `signatures`/`sbom` repositories that were not configured. Best effort: a failure here only loses a hint.
 */
export async function findHints(input: HintInput): Promise<string[]> {
  const [platformHints, indexHints, repositoryHints] = await Promise.all([
    platformManifestHints(input),
    containingIndexHints(input),
    unconfiguredRepositoryHints(input),
  ]);
  return [...platformHints, ...indexHints, ...repositoryHints];
}

// The reverse of platformManifestHints: a platform manifest was given, but projects sign the multi-arch index
// (gcp-mysql-backup's SECURITY.md: "only the multi-arch image is signed").
async function containingIndexHints({ client, image, digest, manifest }: HintInput): Promise<string[]> {
  if (childManifests(manifest).length > 0) return [];
  try {
    const tags = await client.listTags(image);
    const recent = [...toReleaseTags(tags, true).slice(0, RECENT_TAGS), ...(tags.includes('latest') ? ['latest'] : [])];
    const hints = await Promise.all(
      recent.map(async (tag) => {
        const candidate = await client.findManifest(image, tag);
        if (!candidate || !childManifests(candidate.json).some((child) => child.digest === digest)) return undefined;
        const found = await quietlyDiscover(client, image, candidate.digest);
        return found > 0
          ? `this is a platform manifest of ${formatRepository(image)}:${tag}, whose index ${candidate.digest} carries the evidence; verify the index instead`
          : undefined;
      }),
    );
    return [...new Set(hints.filter((hint): hint is string => hint !== undefined))];
  } catch {
    return [];
  }
}

async function platformManifestHints({ client, image, manifest }: HintInput): Promise<string[]> {
  const children = childManifests(manifest).slice(0, MAX_PLATFORM_MANIFESTS);
  const signed = await Promise.all(
    children.map(async (child) => ((await quietlyDiscover(client, image, child.digest)) > 0 ? child : undefined)),
  );
  return signed
    .filter((child): child is ChildManifest => child !== undefined)
    .map(
      (child) =>
        `evidence exists for the ${child.platform} platform manifest ${child.digest}; the index digest was verified`,
    );
}

async function unconfiguredRepositoryHints({ client, image, digest, searched }: HintInput): Promise<string[]> {
  const owner = image.repository.split('/')[0];
  if (!owner || owner === image.repository) return [];
  const known = new Set(searched.map(formatRepository));
  const conventional: RepositoryRef[] = ['signatures', 'sbom']
    .map((name) => ({ registry: image.registry, repository: `${owner}/${name}` }))
    .filter((repo) => !known.has(formatRepository(repo)));
  const found = await Promise.all(
    conventional.map(async (repo) => ((await quietlyDiscover(client, repo, digest)) > 0 ? repo : undefined)),
  );
  return found
    .filter((repo): repo is RepositoryRef => repo !== undefined)
    .map(
      (repo) =>
        `evidence for this digest exists in ${formatRepository(repo)}, which was not searched; pass --signature-repository/--sbom-repository/--provenance-repository ${formatRepository(repo)}`,
    );
}

interface ChildManifest {
  digest: Digest;
  platform: string;
}

function childManifests(manifest: unknown): ChildManifest[] {
  const entries = (manifest as { manifests?: unknown }).manifests;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: { digest?: unknown; platform?: { os?: string; architecture?: string } }) => {
    const platform = `${entry.platform?.os ?? 'unknown'}/${entry.platform?.architecture ?? 'unknown'}`;
    if (typeof entry.digest !== 'string' || platform === NOT_AN_IMAGE) return [];
    return [{ digest: entry.digest as Digest, platform }];
  });
}

async function quietlyDiscover(client: RegistryClient, repo: RepositoryRef, digest: Digest): Promise<number> {
  try {
    return (await discoverInRepository(client, repo, digest)).evidence.length;
  } catch {
    return 0;
  }
}
