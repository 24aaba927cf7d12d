import { UsageError } from '../errors.js';
import { parseReference, type Reference } from '../model/reference.js';
import type { PolicyEngine } from '../policy/cue.js';
import { startPolicyEngineThread } from '../policy/worker-engine.js';
import type { BatchItem } from '../pipeline/batch.js';
import { toVerifyReleaseOptions } from './options.js';
import type { RawBatchOptions, RawVerifyOptions, Shard } from './program.js';

/** What `verify-release [reference...]` was asked to verify. */
export interface VerifyPlan {
  /**
   * The output form, decided by the command line alone (never by how many releases a registry lists): several
   * references, `--releases`, `--all-releases` or `--shard` make a batch (blocks or JSON Lines, and a summary).
   */
  batch: boolean;
  /** The releases named; with `history`, the one image whose releases are listed (a network step, later). */
  items: BatchItem[];
  /** `--releases <range>` (range set) or `--all-releases` (range undefined). */
  history?: { range: string | undefined };
  /** Applies to the listed releases; a list of references is already sharded here. */
  shard?: Shard;
}

/**
 * Classifies the references, checks how they combine with the flags, and builds each release's options (profile,
 * expectations, policies read and compiled on one shared CUE engine) before any network work; one release's policies
 * compile beside its network work instead. Throws UsageError.
 */
export async function planVerify(
  references: readonly string[],
  raw: RawVerifyOptions & RawBatchOptions,
  env: NodeJS.ProcessEnv,
  commands: readonly string[],
  onProgress?: (message: string) => void,
): Promise<VerifyPlan> {
  const [parsed, withLayout] = takeLayout(
    references.map((text) => parseReference(text) ?? refuseUnknown(text, commands)),
    raw,
  );
  raw = withLayout;
  const history = await toHistory(parsed, raw);
  const batch = parsed.length > 1 || history !== undefined || raw.shard !== undefined;
  for (const [flag, given] of [
    ['--sbom-out', raw.sbomOut],
    ['--provenance-out', raw.provenanceOut],
  ] as const) {
    if (batch && given !== undefined) {
      throw new UsageError(`expected ${flag} with one release, got several (a list of references or a batch flag)`);
    }
  }
  const selected = history === undefined ? shardReferences(parsed, raw.shard) : parsed;

  let engine: PolicyEngine | undefined;
  const startEngine = (): PolicyEngine => (engine ??= startPolicyEngineThread());
  const items: BatchItem[] = [];
  for (const reference of selected.length > 0 ? selected : [undefined]) {
    const [version, rawForReference] = forReference(reference, raw);
    const options = await toVerifyReleaseOptions(version, rawForReference, env, onProgress, startEngine);
    items.push({ reference: reference?.text ?? raw.version ?? raw.tag ?? 'latest', options });
  }
  // One release compiles its policies beside its network work (verifyRelease); a batch, whose releases share their
  // requests, compiles them all first, so a broken policy is a usage error before any network work.
  if (batch) await Promise.all(items.flatMap((item) => item.options.policiesCompiled ?? []));
  return {
    batch,
    items,
    ...(history && { history }),
    ...(history && raw.shard && { shard: raw.shard }),
  };
}

/** The positional version and the options one reference stands for. */
function forReference(reference: Reference | undefined, raw: RawVerifyOptions): [string | undefined, RawVerifyOptions] {
  if (reference === undefined) return [undefined, raw];
  switch (reference.kind) {
    case 'version':
      return [reference.version, raw];
    case 'image':
      if (raw.image !== undefined) {
        throw new UsageError(
          `expected the image once, as a reference or as --image, got ${JSON.stringify(reference.text)} and --image ${JSON.stringify(raw.image)}`,
        );
      }
      // As --image: the project (identities, policies) is the image's owner/name unless --repo or --profile says.
      return [undefined, { ...raw, image: reference.text }];
    case 'layout':
      // takeLayout has turned every layout reference into --layout.
      throw new UsageError(`expected one OCI image layout, got ${JSON.stringify(reference.text)} again`);
  }
}

/**
 * `oci-layout://<dir>` is `--layout <dir>`: where every other reference is read from, so
 * `verify-release oci-layout://rel v1.1.2` is `verify-release --layout rel v1.1.2`. At most one layout per run.
 */
function takeLayout<T extends RawVerifyOptions>(parsed: readonly Reference[], raw: T): [Reference[], T] {
  const layouts = parsed.filter((reference) => reference.kind === 'layout');
  const [layout, ...others] = layouts;
  if (layout === undefined) return [[...parsed], raw];
  if (others.length > 0 || raw.layout !== undefined) {
    throw new UsageError(
      `expected one OCI image layout, got ${[...layouts.map((l) => JSON.stringify(l.text)), ...(raw.layout !== undefined ? [`--layout ${JSON.stringify(raw.layout)}`] : [])].join(' and ')}`,
    );
  }
  return [parsed.filter((reference) => reference.kind !== 'layout'), { ...raw, layout: layout.dir }];
}

/** `--releases`/`--all-releases`: one image's history, so no version of it may be named too. */
async function toHistory(
  parsed: readonly Reference[],
  raw: RawBatchOptions & RawVerifyOptions,
): Promise<VerifyPlan['history']> {
  if (raw.releases === undefined && !raw.allReleases) return undefined;
  if (raw.releases !== undefined && raw.allReleases) {
    throw new UsageError('expected --releases <range> or --all-releases, not both');
  }
  const flag = raw.allReleases ? '--all-releases' : '--releases';
  const images = parsed.filter((reference) => reference.kind === 'image');
  const versions = parsed.filter((reference) => reference.kind !== 'image');
  if (versions.length > 0 || raw.version !== undefined || raw.tag !== undefined) {
    const named = versions[0]?.text ?? raw.version ?? raw.tag;
    throw new UsageError(
      `${flag} picks the releases of one image: expected no version, --version or --tag beside it, got ${JSON.stringify(named)}`,
    );
  }
  const [image, ...others] = images;
  if (others.length > 0) {
    throw new UsageError(
      `${flag} lists one image's releases: expected at most one image reference, got ${images.length}`,
    );
  }
  if (image !== undefined && (image.image.tag !== undefined || image.image.digest !== undefined)) {
    throw new UsageError(
      `${flag} lists one image's releases: expected an image without tag or digest, got ${JSON.stringify(image.text)}`,
    );
  }
  if (raw.releases !== undefined) {
    // semver's ranges build their parser and cache when loaded: only batches with a range load them.
    const { default: validRange } = await import('semver/ranges/valid.js');
    if (validRange(raw.releases) === null) {
      throw new UsageError(
        `expected --releases to be a semver range such as ">=v1.0.0" or "1.x", got ${JSON.stringify(raw.releases)}`,
      );
    }
  }
  return { range: raw.releases };
}

function shardReferences(parsed: readonly Reference[], shard: Shard | undefined): Reference[] {
  if (shard === undefined) return [...parsed];
  const total = Math.max(parsed.length, 1);
  const selected = parsed.filter((_reference, position) => position % shard.count === shard.index - 1);
  if (selected.length === 0 && !(parsed.length === 0 && shard.index === 1)) {
    throw new UsageError(
      `expected --shard ${shard.index}/${shard.count} to select a release, got none of ${total}: use at most ${total} shards`,
    );
  }
  return selected;
}

/** A bare word that is neither a version nor an image: most likely a mistyped subcommand (or `latest`). */
function refuseUnknown(text: string, commands: readonly string[]): never {
  const suggestion = closest(text, [...commands, 'latest']);
  throw new UsageError(
    `expected a command, an image reference (host/name[:tag][@sha256:…]) or a version (latest, v1.2.3), got ${JSON.stringify(text)}${suggestion === undefined ? '' : `: did you mean ${JSON.stringify(suggestion)}?`}`,
  );
}

/** The candidate within two edits (optimal string alignment distance) of `text`, the closest first. */
function closest(text: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(text.toLowerCase(), name);
    if (distance <= Math.min(2, Math.floor(name.length / 2)) && (best === undefined || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between a's first i and b's first j characters.
  const rows = Array.from({ length: a.length + 1 }, (_row, i) =>
    Array.from({ length: b.length + 1 }, (_cell, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const previous = rows[i - 1]!;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}
