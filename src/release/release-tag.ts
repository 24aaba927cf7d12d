import semverEq from 'semver/functions/eq.js';
import semverPrerelease from 'semver/functions/prerelease.js';
import semverRcompare from 'semver/functions/rcompare.js';
import semverValid from 'semver/functions/valid.js';
import { UsageError } from '../errors.js';

// Only plain release spellings count: `1.2.3`, `v1.2.3`, optionally `-prerelease`; no build metadata (`+` is not
// allowed in docker tags anyway) and none of semver's loose forms.
const RELEASE_TAG = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Whether a tag looks like a release: `v1.2.3` or `1.2.3`, with an optional semver prerelease. */
export function isReleaseTag(tag: string): boolean {
  return RELEASE_TAG.test(tag) && semverValid(tag) !== null;
}

/**
 * The release tags among `tags`, newest first by semver precedence (v1.10.0 before v1.2.0); prereleases only when
 * asked for. Equal versions spelled both ways sort by spelling, so the order is stable.
 */
export function toReleaseTags(tags: readonly string[], includePrereleases: boolean): string[] {
  return tags
    .filter((tag) => isReleaseTag(tag) && (includePrereleases || semverPrerelease(tag) === null))
    .sort((a, b) => semverRcompare(a, b) || (a < b ? 1 : a > b ? -1 : 0));
}

/** The newest release tag, or undefined when there is none. */
export function selectLatestRelease(tags: readonly string[], includePrereleases: boolean): string | undefined {
  return toReleaseTags(tags, includePrereleases)[0];
}

/**
 * The tag for a pinned version: the exact tag if it exists, otherwise the release tag with the same version in the
 * other spelling (`1.2.3` finds `v1.2.3` and back). A pinned prerelease is found whatever `includePrereleases` says.
 */
export function findPinnedRelease(tags: readonly string[], version: string): string | undefined {
  if (tags.includes(version)) return version;
  if (!isReleaseTag(version)) return undefined;
  return toReleaseTags(tags, true).find((tag) => semverEq(tag, version));
}

/**
 * A version to verify (`--version`, the positional version) must be `latest` or a release spelling (`v1.2.3`,
 * `1.2.3`, with an optional prerelease): only those bind the certificates and the provenance to `refs/tags/<version>`.
 * Anything else (`v1.1`, `v1`, `V1.1.2`) is a usage error that points at `--tag`.
 */
export function verifyReleaseVersion(version: string): void {
  if (version === 'latest' || isReleaseTag(version)) return;
  throw new UsageError(
    `expected a version "latest" or a release like v1.2.3 or 1.2.3, got ${JSON.stringify(version)}; to verify a tag that is not a release, pass --tag ${JSON.stringify(version)} with the ref it must be built from (see --help)`,
  );
}
