import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { describeError, UsageError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { parseImageReference } from '../model/reference.js';
import { LayoutSource } from '../layout/reader.js';
import { RecordingSource } from '../layout/recorder.js';
import { writeLayout } from '../layout/writer.js';
import { RegistryClient, startDeadline, DEFAULT_RUN_TIMEOUT_MS, type RegistrySource } from '../registry/index.js';
import { withOutputFailure, type Report } from '../report/index.js';
import type { VerifyReleaseOptions } from '../pipeline/options.js';
import { verifyRelease } from '../pipeline/verify-release.js';

export interface SaveOptions {
  /** The verification to run (and save the release of), as for `verify`. */
  verify: VerifyReleaseOptions;
  /** The layout directory to create. */
  output: string;
  /** Image layers too; otherwise the index, platform manifests and configs only. */
  withLayers?: boolean;
  /** Replace an existing non-empty output directory. */
  force?: boolean;
  /** Write a release that does not verify (its report still says so). */
  allowUnverified?: boolean;
}

export interface SaveResult {
  /** The verification's report; its notices say whether and why the layout was not written. */
  report: Report;
  /** Set when the layout was written. */
  saved?: { dir: string; trustedRootDigest: Digest };
  /** The layout could not be written or did not reproduce the verification (exit 3). */
  failed: boolean;
}

/**
 * `verify-release save`: verifies the release, then writes it, with every piece of evidence the verification read
 * and the trusted root it used, as an OCI image layout; then verifies again from what it wrote (with the layout's
 * own copy of the root, by digest) and keeps the layout only when that gives the same report. The layout is built in
 * a temporary directory beside `output` and renamed into place, so `output` is never half-written.
 *
 * @throws UsageError for an output that exists and is not an empty directory (without `force`), or an unwritable
 *   parent, before any network work.
 */
export async function saveRelease(options: SaveOptions): Promise<SaveResult> {
  const output = await prepareOutput(options.output, options.force ?? false);
  let recorder: RecordingSource | undefined;
  const online = await verifyRelease({
    ...options.verify,
    observeSource: (source) => (recorder = new RecordingSource(source)),
  });
  const { report } = online;
  const notWritten = (reason: string, failed: boolean): SaveResult => ({
    report: failed
      ? withOutputFailure(report, `save: ${output} not written: ${reason}`)
      : { ...report, notices: [...report.notices, `save: ${output} not written: ${reason}`] },
    failed,
  });
  const digest = report.target.digest;
  if (recorder === undefined || digest === null) return notWritten('the release could not be resolved', false);
  if (!report.verified && !options.allowUnverified) {
    return notWritten('the release did not verify (--allow-unverified writes it anyway)', false);
  }

  let trustedRoot: Uint8Array;
  try {
    trustedRoot = await trustedRootBytes(options.verify, online.trustRoot?.json);
  } catch (error) {
    return notWritten(`could not copy the trusted root: ${describeError(error)}`, true);
  }

  const temporary = await fsp.mkdtemp(join(dirname(output), `.${basename(output)}.save-`));
  try {
    const { trustedRootDigest } = await writeLayout(temporary, {
      recorded: recorder,
      source: extraReads(options.verify),
      image: parseImageReference(report.target.image),
      target: {
        digest: digest as Digest,
        ...(report.target.version !== null && { version: report.target.version }),
        ...(report.target.tag !== null && { tag: report.target.tag }),
      },
      withLayers: options.withLayers ?? false,
      trustedRoot,
    });
    // Verified again from disk alone: a layout that would not give the same report is not handed out.
    const { trustedRootPath: _path, observeSource: _observe, offlineTrust: _offline, ...rest } = options.verify;
    const again = await verifyRelease({ ...rest, layout: temporary, trustedRootDigest });
    const difference = firstDifference(report, again.report);
    if (difference !== undefined) {
      return notWritten(`verifying the saved layout gave a different report (${difference})`, true);
    }
    await moveIntoPlace(temporary, output);
    return {
      report: { ...report, notices: [...report.notices, `save: wrote ${output} (trusted root ${trustedRootDigest})`] },
      saved: { dir: output, trustedRootDigest },
      failed: false,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return notWritten(describeError(error), true);
  } finally {
    await fsp.rm(temporary, { recursive: true, force: true });
  }
}

/** Refuses (UsageError) an output that is a file, a non-empty directory without `force`, or in an unwritable place. */
async function prepareOutput(path: string, force: boolean): Promise<string> {
  const absolute = resolve(path);
  const parent = dirname(absolute);
  try {
    if (!(await fsp.stat(parent)).isDirectory()) throw new Error(`${parent} is not a directory`);
    await fsp.access(parent, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--output ${path}: expected a writable directory ${parent}, got ${describeError(error)}`);
  }
  const existing = await fsp.stat(absolute).catch(() => undefined);
  if (existing === undefined) return absolute;
  if (!existing.isDirectory()) throw new UsageError(`--output ${path}: expected a directory, got a file`);
  if (!force && (await fsp.readdir(absolute)).length > 0) {
    throw new UsageError(
      `--output ${path}: expected an empty or new directory, got a non-empty one (--force replaces it)`,
    );
  }
  return absolute;
}

/** The bytes of the root the verification used: the --trusted-root file as it is, else the TUF or embedded root. */
async function trustedRootBytes(options: VerifyReleaseOptions, loaded: unknown): Promise<Uint8Array> {
  if (options.trustedRootPath !== undefined) return fsp.readFile(options.trustedRootPath);
  if (loaded === undefined) throw new Error('expected the trusted root to be loaded, got none');
  return new TextEncoder().encode(`${JSON.stringify(loaded)}\n`);
}

/** Reads beyond the verification's (platform manifests, configs, layers) from where it read: registry or layout. */
function extraReads(options: VerifyReleaseOptions): RegistrySource {
  if (options.layout !== undefined) return new LayoutSource(options.layout, options.registry);
  const deadline = startDeadline(options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
  return new RegistryClient({ ...options.registry, ...(options.env && { env: options.env }), deadline });
}

/** The first way two reports differ in what they decide (target, checks, verdict); notices may differ. */
function firstDifference(online: Report, offline: Report): string | undefined {
  if (JSON.stringify(online.target) !== JSON.stringify(offline.target)) return 'target';
  for (const [index, check] of online.checks.entries()) {
    if (JSON.stringify(check) !== JSON.stringify(offline.checks[index])) {
      return `${check.id}: ${offline.checks[index]?.status ?? 'missing'}`;
    }
  }
  if (online.checks.length !== offline.checks.length || online.verified !== offline.verified) return 'verdict';
  return undefined;
}

/** Renames the finished layout over `output`; an existing directory is moved aside first and removed after. */
async function moveIntoPlace(temporary: string, output: string): Promise<void> {
  const existing = await fsp.stat(output).catch(() => undefined);
  if (existing === undefined) {
    await fsp.rename(temporary, output);
    return;
  }
  const aside = `${temporary}.old`;
  await fsp.rename(output, aside);
  try {
    await fsp.rename(temporary, output);
  } catch (error) {
    await fsp.rename(aside, output);
    throw error;
  }
  await fsp.rm(aside, { recursive: true, force: true });
}
