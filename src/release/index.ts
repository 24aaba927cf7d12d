import { RegistryError, UsageError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { formatRepository, type ImageReference } from '../model/reference.js';
import type { FetchedManifest, RegistrySource, RepositoryRef } from '../registry/index.js';
import { fetchPlatforms } from './platforms.js';
import {
  findPinnedRelease,
  isReleaseTag,
  selectLatestRelease,
  toReleaseTags,
  verifyReleaseVersion,
} from './release-tag.js';

export {
  findPinnedRelease,
  isReleaseTag,
  selectLatestRelease,
  toReleaseTags,
  verifyReleaseVersion,
} from './release-tag.js';

/** What to resolve. Precedence: a digest in `image`, then `tag`, then a tag in `image`, then `version`. */
export interface ResolveOptions {
  client: RegistrySource;
  image: ImageReference;
  /** `latest` (default: the newest release tag) or a release version (`v1.2.3` or `1.2.3`); else UsageError. */
  version?: string;
  /** A tag to resolve as it is, release or not (e.g. the rolling `latest`). */
  tag?: string;
  /** Let `latest` pick prereleases such as `v2.0.0-rc.1`. Default false. */
  includePrereleases?: boolean;
}

/** The one digest every later stage verifies, with what it was resolved from. */
export interface ResolvedTarget {
  /** `host/name`. */
  image: string;
  registry: string;
  repository: string;
  /** The release tag, when the target is a release (`v1.10.0`). */
  version?: string;
  /** The tag that was resolved, if any. */
  tag?: string;
  /** The digest of what the registry serves for the tag: the index for multi-platform images, never a child. */
  digest: Digest;
  mediaType: string;
  /** `os/architecture[/variant]`; `unknown/unknown` for attestation manifests in an index. */
  platforms: string[];
}

const NEWEST_SHOWN = 3;

/**
 * Resolves the image to verify: finds the release tag (or takes the given tag or digest), then fetches its manifest,
 * whose bytes are hashed and checked, so the digest returned is the content's and not merely the registry's claim.
 *
 * @throws RegistryError NOT_FOUND when there is no release, the pinned version or the tag does not exist;
 *   UsageError when the reference and options disagree.
 */
export async function resolveRelease(options: ResolveOptions): Promise<ResolvedTarget> {
  const { client, image } = options;
  const repo: RepositoryRef = { registry: image.registry, repository: image.repository };
  // A version that is not a release would resolve a tag with no version to bind to.
  if (options.version !== undefined) verifyReleaseVersion(options.version);

  if (image.digest !== undefined) {
    // The digest is the target whatever a version or tag says, so one given beside it would go unchecked; a release
    // tag belongs in the reference (`name:v1.2.3@sha256:…`), where it binds the identities.
    if (options.version !== undefined && options.version !== 'latest') {
      throw new UsageError(
        `expected a version or a digest for ${formatRepository(repo)}, got version "${options.version}" and ${image.digest}`,
      );
    }
    if (options.tag !== undefined) {
      throw new UsageError(
        `expected a tag or a digest for ${formatRepository(repo)}, got tag "${options.tag}" and ${image.digest}`,
      );
    }
    // The tag in the reference is kept for the report and the version binding only.
    const manifest = await client.getManifest(repo, image.digest);
    return toTarget(client, repo, manifest, { tag: image.tag });
  }
  if (options.tag !== undefined && image.tag !== undefined && options.tag !== image.tag) {
    throw new UsageError(
      `expected one tag for ${formatRepository(repo)}, got "${image.tag}" in the reference and "${options.tag}" as option`,
    );
  }
  const given = options.tag ?? image.tag;
  if (given !== undefined && options.version !== undefined && options.version !== 'latest') {
    throw new UsageError(
      `expected a tag or a version for ${formatRepository(repo)}, got tag "${given}" and version "${options.version}"`,
    );
  }
  const tag = given ?? (await findReleaseTag(client, repo, options));
  const manifest = await client.getManifest(repo, tag);
  return toTarget(client, repo, manifest, { tag, version: isReleaseTag(tag) ? tag : undefined });
}

async function findReleaseTag(client: RegistrySource, repo: RepositoryRef, options: ResolveOptions): Promise<string> {
  const version = options.version ?? 'latest';
  const includePrereleases = options.includePrereleases ?? false;
  const tags = await client.listTags(repo);
  if (version === 'latest') {
    const latest = selectLatestRelease(tags, includePrereleases);
    if (latest === undefined) {
      throw new RegistryError(
        'NOT_FOUND',
        `no release tags were found in ${formatRepository(repo)}: expected tags like v1.2.3 or 1.2.3, got none among ${tags.length} tags`,
      );
    }
    return latest;
  }
  const pinned = findPinnedRelease(tags, version);
  if (pinned === undefined) {
    const newest = toReleaseTags(tags, includePrereleases).slice(0, NEWEST_SHOWN);
    const hint = newest.length > 0 ? `newest releases: ${newest.join(', ')}` : 'no release tags were found';
    throw new RegistryError('NOT_FOUND', `release ${version} not found in ${formatRepository(repo)}; ${hint}`);
  }
  return pinned;
}

async function toTarget(
  client: RegistrySource,
  repo: RepositoryRef,
  manifest: FetchedManifest,
  { tag, version }: { tag: string | undefined; version?: string | undefined },
): Promise<ResolvedTarget> {
  return {
    image: formatRepository(repo),
    registry: repo.registry,
    repository: repo.repository,
    ...(version !== undefined && { version }),
    ...(tag !== undefined && { tag }),
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    platforms: await fetchPlatforms(client, repo, manifest),
  };
}
