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

/** The kinds of evidence a check looks for; hints point at a repository flag only for the kinds that failed. */
export type EvidenceKind = 'signature' | 'provenance' | 'sbom';

const REPOSITORY_FLAGS: Record<EvidenceKind, string> = {
  signature: '--signature-repository',
  provenance: '--provenance-repository',
  sbom: '--sbom-repository',
};

export interface HintInput {
  client: RegistrySource;
  image: RepositoryRef;
  digest: Digest;
  /** The target manifest, parsed; used to look at an index's platform manifests. */
  manifest: unknown;
  /** Repositories already searched. */
  searched: RepositoryRef[];
  /** The kinds whose checks failed (default all): a repository hint names only the flags that could fix them. */
  failing?: readonly EvidenceKind[];
}

/**
 * When evidence does not count (none found, or not for this digest, repository or signer), looks where users
 * commonly went wrong (cosign#3552, pbs-exporter ≤ v0.8.0):
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
        const where = (await findArtifacts(client, image, candidate.digest, take, false))?.where;
        return where !== undefined
          ? `unverified artifacts found at ${where}: this is a platform manifest of ${formatRepository(image)}:${tag}, verify that index instead`
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
      const where = (await findArtifacts(client, image, child.digest, take, false))?.where;
      return where !== undefined
        ? `unverified artifacts found at ${where}: for the ${child.platform} platform manifest, not the index that was verified`
        : undefined;
    }),
  );
  return found.filter((hint): hint is string => hint !== undefined);
}

async function unconfiguredRepositoryHints(
  { client, image, digest, searched, failing = ['signature', 'provenance', 'sbom'] }: HintInput,
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
      const found = await findArtifacts(client, repo, digest, take, true);
      // Only the flags that could fix a failing check: a `.sig` cannot be the missing SBOM.
      const flags = failing.filter((kind) => found?.kinds.includes(kind)).map((kind) => REPOSITORY_FLAGS[kind]);
      return found !== undefined && flags.length > 0
        ? `unverified artifacts found at ${found.where}, a repository that was not searched: pass ${flags.join('/')} ${formatRepository(repo)}`
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

/** What each place can hold: a `.sig` tag signatures, an `.att` tag attestations, a referrer any of them. */
const KINDS_AT: Record<'sig' | 'att' | 'referrers', EvidenceKind[]> = {
  sig: ['signature'],
  att: ['provenance', 'sbom'],
  referrers: ['signature', 'provenance', 'sbom'],
};

/**
 * Where evidence-like artifacts for `digest` exist in `repo`, and which kinds of evidence they can be, by existence
 * probes only (a `.sig` or `.att` tag, or a referrer): nothing is downloaded past a manifest listing and nothing is
 * verified, so the answer is "something is there", never "evidence verifies". Stops at the first place found unless
 * `everyKind`. Undefined when nothing was found, the budget ran out, or a probe failed.
 */
async function findArtifacts(
  client: RegistrySource,
  repo: RepositoryRef,
  digest: Digest,
  take: () => boolean,
  everyKind: boolean,
): Promise<{ where: string; kinds: EvidenceKind[] } | undefined> {
  const name = formatRepository(repo);
  try {
    const tags: string[] = [];
    const kinds = new Set<EvidenceKind>();
    // Both legacy tags when the kinds matter: a repository holding signatures and attestations can fix either.
    for (const suffix of ['sig', 'att'] as const) {
      if ((!everyKind && tags.length > 0) || !take()) break;
      if (await client.hasManifest(repo, legacyTag(digest, suffix))) {
        tags.push(tags.length === 0 ? `${name}:${legacyTag(digest, suffix)}` : `.${suffix}`);
        for (const kind of KINDS_AT[suffix]) kinds.add(kind);
      }
    }
    if (tags.length > 0) return { where: tags.join(' and '), kinds: [...kinds] };
    if (await client.hasReferrers(repo, digest, take)) {
      return { where: `${name} (referrers of ${digest})`, kinds: KINDS_AT.referrers };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
