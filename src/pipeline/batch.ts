import { RegistryError } from '../errors.js';
import { formatRepository } from '../model/reference.js';
import { toReleaseTags } from '../release/index.js';
import type { VerifyReleaseOptions } from './options.js';
import type { Report } from '../report/index.js';
import { verifyRelease, type Session } from './verify-release.js';

/** One release of a batch: what the command line called it, and how to verify it. */
export interface BatchItem {
  reference: string;
  options: VerifyReleaseOptions;
}

/**
 * A release's report (its SBOM is not kept: a batch hands none out, and reports waiting for an earlier release stay
 * small), or what stopped it (a usage error such as a tag beside a version).
 */
export type BatchOutcome =
  { reference: string; report: Report } | { reference: string; error: unknown; options: VerifyReleaseOptions };

/** Releases verified at once. The registry client caps requests in flight on its own; this bounds reports held. */
export const BATCH_CONCURRENCY = 4;

/**
 * The releases in one image's history, newest first (semver precedence), as batch items of `base`'s image: all of
 * them, or those satisfying `range` (a semver range; `v` prefixes allowed). Prereleases only when
 * `base.includePrereleases`.
 *
 * @throws RegistryError NOT_FOUND when no release matches; the client's errors when the tags cannot be listed.
 */
export async function expandHistory(
  session: Session,
  base: VerifyReleaseOptions,
  range: string | undefined,
): Promise<BatchItem[]> {
  const repo = { registry: base.image.registry, repository: base.image.repository };
  const includePrerelease = base.includePrereleases ?? false;
  const tags = toReleaseTags(await session.client.listTags(repo), includePrerelease);
  let selected = tags;
  if (range !== undefined) {
    // semver's ranges build their parser and cache when loaded: only a run with a range loads them.
    const { default: satisfies } = await import('semver/functions/satisfies.js');
    selected = tags.filter((tag) => satisfies(tag, range, { includePrerelease }));
  }
  if (selected.length === 0) {
    const wanted = range === undefined ? 'any release' : `a release in the range ${JSON.stringify(range)}`;
    const newest = tags.length > 0 ? `newest releases: ${tags.slice(0, 3).join(', ')}` : 'no release tags';
    throw new RegistryError('NOT_FOUND', `expected ${wanted} in ${formatRepository(repo)}, got none; ${newest}`);
  }
  return selected.map((tag) => ({ reference: tag, options: { ...base, version: tag } }));
}

/** Every `count`-th item starting with the `index`-th (1-based): shards of one list are disjoint and cover it. */
export function selectShard<T>(items: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (shard === undefined) return [...items];
  return items.filter((_item, position) => position % shard.count === shard.index - 1);
}

/**
 * Verifies `items` at most {@link BATCH_CONCURRENCY} at a time over one session, and hands each outcome to `deliver`
 * in the order of `items` as soon as it and every earlier one are done, so output is streamed and deterministic.
 * A release's own trouble never stops the others.
 */
export async function verifyBatch(
  items: readonly BatchItem[],
  session: Session,
  deliver: (outcome: BatchOutcome) => void,
): Promise<void> {
  const done: (BatchOutcome | undefined)[] = [];
  let started = 0;
  let delivered = 0;
  const worker = async (): Promise<void> => {
    while (started < items.length) {
      const position = started++;
      const { reference, options } = items[position]!;
      done[position] = await verifyRelease(options, session).then(
        ({ report }) => ({ reference, report }),
        (error: unknown) => ({ reference, error, options }),
      );
      for (let next = done[delivered]; next !== undefined; next = done[delivered]) {
        done[delivered++] = undefined;
        deliver(next);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, items.length) }, worker));
}
