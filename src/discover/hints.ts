import type { RegistrySource, RepositoryRef } from '../registry/index.js';
import { formatRepository } from '../model/reference.js';
import type { Digest } from '../model/digest.js';
import { toReleaseTags } from '../release/release-tag.js';
import { legacyTag } from './legacy-tags.js';

/** Platforms that are not images (BuildKit attestation manifests) carry no signatures of their own. */
const NOT_AN_IMAGE = 'unknown/unknown';

/** How many recent tags to open when looking for the index that contains a platform manifest. */
const RECENT_TAGS = 10;

/** Real indexes list a handful of platforms; a hint is not worth thousands of requests for a hostile one. */
const MAX_PLATFORM_MANIFESTS = 16;

/**
 * Requests all hints of one run may make together. A hint is a guess about a mistake, so it costs a small, fixed
 * amount whatever the registry holds: existence probes (HEAD of `.sig`/`.att`/fallback tags, the first page of a
 * referrers or tag listing, GET of a candidate index), never a layer.
 */
export const HINT_REQUEST_BUDGET = 40;

export interface HintInput {
  client: RegistrySource;
  image: RepositoryRef;
  digest: Digest;
  /** The target manifest, parsed; used to look at an index's platform manifests. */
  manifest: unknown;
  /** Repositories already searched. */
  searched: RepositoryRef[];
}

/**
 * When no evidence was found, looks where users commonly went wrong (cosign#3552, pbs-exporter ≤ v0.8.0):
 * signatures on a platform manifest while the index was given (or the reverse), and evidence in the owner's
 * conventional `signatures`/`sbom` repositories that were not configured. Best effort within HINT_REQUEST_BUDGET
 * requests: what it finds exists but was not verified, and the hint says so; a failure here only loses a hint.
 */
export async function findHints(input: HintInput): Promise<string[]> {
  let remaining = HINT_REQUEST_BUDGET;
  const take = (): boolean => remaining-- > 0;
  // The cheapest and most common mistakes first, so they are looked at before the budget runs out.
  const repositoryHints = await unconfiguredRepositoryHints(input, take);
  const [platformHints, indexHints] = await Promise.all([
    platformManifestHints(input, take),
    containingIndexHints(input, take),
  ]);
  return [...platformHints, ...indexHints, ...repositoryHints];
}

// The reverse of platformManifestHints: a platform manifest was given, but projects sign the multi-arch index
// (gcp-mysql-backup's SECURITY.md: "only the multi-arch image is signed").
async function containingIndexHints(
  { client, image, digest, manifest }: HintInput,
  take: () => boolean,
): Promise<string[]> {
  if (childManifests(manifest).length > 0 || !take()) return [];
  try {
    const tags = await client.listTags(image, { maxPages: 1 });
    const recent = [...toReleaseTags(tags, true).slice(0, RECENT_TAGS), ...(tags.includes('latest') ? ['latest'] : [])];
    const hints = await Promise.all(
      recent.map(async (tag) => {
        if (!take()) return undefined;
        const candidate = await client.findManifest(image, tag);
        if (!candidate || !childManifests(candidate.json).some((child) => child.digest === digest)) return undefined;
        const where = await findArtifacts(client, image, candidate.digest, take);
        return where !== undefined
          ? `unverified artifacts found at ${where}: this is a platform manifest of ${formatRepository(image)}:${tag}, whose index ${candidate.digest} has signatures or attestations; verify the index instead`
          : undefined;
      }),
    );
    return [...new Set(hints.filter((hint): hint is string => hint !== undefined))];
  } catch {
    return [];
  }
}

async function platformManifestHints({ client, image, manifest }: HintInput, take: () => boolean): Promise<string[]> {
  const children = childManifests(manifest).slice(0, MAX_PLATFORM_MANIFESTS);
  const found = await Promise.all(
    children.map(async (child) => {
      const where = await findArtifacts(client, image, child.digest, take);
      return where !== undefined
        ? `unverified artifacts found at ${where}: they are for the ${child.platform} platform manifest ${child.digest}, and the index digest was verified`
        : undefined;
    }),
  );
  return found.filter((hint): hint is string => hint !== undefined);
}

async function unconfiguredRepositoryHints(
  { client, image, digest, searched }: HintInput,
  take: () => boolean,
): Promise<string[]> {
  const owner = image.repository.split('/')[0];
  if (!owner || owner === image.repository) return [];
  const known = new Set(searched.map(formatRepository));
  const conventional: RepositoryRef[] = ['signatures', 'sbom']
    .map((name) => ({ registry: image.registry, repository: `${owner}/${name}` }))
    .filter((repo) => !known.has(formatRepository(repo)));
  const found = await Promise.all(
    conventional.map(async (repo) => {
      const where = await findArtifacts(client, repo, digest, take);
      return where !== undefined
        ? `unverified artifacts found at ${where}, in a repository that was not searched; pass --signature-repository/--sbom-repository/--provenance-repository ${formatRepository(repo)}`
        : undefined;
    }),
  );
  return found.filter((hint): hint is string => hint !== undefined);
}

interface ChildManifest {
  digest: Digest;
  platform: string;
}

function childManifests(manifest: unknown): ChildManifest[] {
  const entries = (manifest as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: { digest?: unknown; platform?: { os?: string; architecture?: string } }) => {
    const platform = `${entry.platform?.os ?? 'unknown'}/${entry.platform?.architecture ?? 'unknown'}`;
    if (typeof entry.digest !== 'string' || platform === NOT_AN_IMAGE) return [];
    return [{ digest: entry.digest as Digest, platform }];
  });
}

/**
 * Where evidence-like artifacts for `digest` exist in `repo`, by existence probes only (a `.sig` or `.att` tag, or a
 * referrer): nothing is downloaded past a manifest listing and nothing is verified, so the answer is "something is
 * there", never "evidence verifies". Undefined when nothing was found, the budget ran out, or a probe failed.
 */
async function findArtifacts(
  client: RegistrySource,
  repo: RepositoryRef,
  digest: Digest,
  take: () => boolean,
): Promise<string | undefined> {
  const name = formatRepository(repo);
  try {
    for (const suffix of ['sig', 'att'] as const) {
      if (!take()) return undefined;
      if (await client.hasManifest(repo, legacyTag(digest, suffix))) return `${name}:${legacyTag(digest, suffix)}`;
    }
    if (await client.hasReferrers(repo, digest, take)) return `${name} (referrers of ${digest})`;
  } catch {
    return undefined;
  }
  return undefined;
}
