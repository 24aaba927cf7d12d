import type { CheckResult } from '../model/check-result.js';
import { formatRepository } from '../model/reference.js';
import {
  DEFAULT_RUN_TIMEOUT_MS,
  isDeadlineError,
  RegistryClient,
  startDeadline,
  type Deadline,
  type RegistrySource,
} from '../registry/index.js';
import { blobPath } from '../layout/format.js';
import { LayoutSource } from '../layout/reader.js';
import { resolveRelease, type ResolvedTarget } from '../release/index.js';
import { discoverEvidence, type DiscoveryResult } from '../discover/index.js';
import { findHints, type EvidenceKind } from '../discover/hints.js';
import { loadTrustRoot, type TrustRoot } from '../sigstore/trust.js';
import {
  checkResult,
  resolvedResult,
  runChecks,
  selectProvenance,
  selectSbom,
  type CheckContext,
} from '../checks/index.js';
import type { EvidenceOutcome } from '../checks/outcome.js';
import { startPolicyEngineThread } from '../policy/worker-engine.js';
import { buildReport, type Report, type ReportTarget } from '../report/index.js';
import { describeError, UsageError } from '../errors.js';
import type { VerifyReleaseOptions } from './options.js';
import { verifyAllEvidence } from './verify-evidence-all.js';

export interface VerifyReleaseResult {
  report: Report;
  /** The verified SBOM (CycloneDX predicate), byte-exact as attested, when the sbom check passed. */
  sbom?: { document: unknown; raw: string };
  /** The verified SLSA provenance statement (the DSSE payload, byte-exact as attested), when provenance passed. */
  provenance?: { statement: Uint8Array };
  /** The trusted root the run verified with, once it was loaded. */
  trustRoot?: TrustRoot;
}

/** A stage that could not complete: the report to return instead of running the checks. */
class StageFailure extends Error {
  constructor(readonly report: Report) {
    super('stage failed');
  }
}

/**
 * Resolves the release, discovers its evidence, verifies it and evaluates every selected check:
 * resolve → discover → verify → evaluate → report.
 * Never throws for registry or verification trouble: those become `error`/`fail` checks in the report.
 * Throws only for usage errors (bad options, unreadable policy or trusted-root files).
 */
export async function verifyRelease(options: VerifyReleaseOptions, session?: Session): Promise<VerifyReleaseResult> {
  const run = startRun(options, session);
  try {
    if (!options.policiesCompiled) return await runStages(run);
    // A batch's releases share one session: its requests are not this release's to stop, so its policies are
    // compiled before its stages, as the CLI's batches compile every release's policies before any network work.
    if (session !== undefined) {
      await options.policiesCompiled;
      return await runStages(run);
    }
    return await policiesFirst(run, options.policiesCompiled);
  } finally {
    if (session === undefined) closeSession(run);
  }
}

/**
 * Runs the stages beside the policies' compilation. A policy that does not compile is a usage error that wins
 * whenever it comes: the registry requests stop and no verdict is given, even if the network failed first.
 */
async function policiesFirst(run: Run, compiled: Promise<void>): Promise<VerifyReleaseResult> {
  compiled.catch(() => run.stopRequests.abort());
  const stages = runStages(run).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const outcome = await Promise.race([stages, compiled.then(() => stages)]);
  await compiled;
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

async function runStages(run: Run): Promise<VerifyReleaseResult> {
  const { options } = run;
  let target: ResolvedTarget | undefined;
  try {
    target = await resolve(run);
    run.step = 'trusted root';
    const trust = await run.deadline.race(run.trust); // usage errors (bad --trusted-root) propagate
    const discovery = await discover(run, target, trust);
    const outcomes = verify(run, discovery, trust);
    const context = evaluationContext(run, target, discovery, outcomes);
    run.step = 'checks';
    const checks = await run.deadline.race(runChecks(options.checks, context));
    const hints = await hintsFor(run, target, checks);
    return report(target, checks, trust, context, hints);
  } catch (error) {
    if (error instanceof StageFailure) return { report: error.report };
    // Out of time after resolving: nothing undecided is a pass (exit 3), and the reason names the step.
    if (target !== undefined && isDeadlineError(error)) {
      const resolved = target;
      const checks = options.checks.map((id) =>
        id === 'resolve' ? resolvedResult(resolved) : checkResult(id, 'error', why(run, error)),
      );
      return { report: buildReport(toReportTarget(resolved), checks) };
    }
    throw error;
  }
}

/** A stage's one-line reason: the deadline's, naming the step that was running, or the error's own. */
function why(run: Run, error: unknown): string {
  return isDeadlineError(error) || run.deadline.signal.aborted
    ? `${run.deadline.error.message} while running step "${run.step}"`
    : describeError(error);
}

/**
 * What the releases of one run share (src/pipeline/batch.ts): one registry client (or layout), so tokens,
 * credentials, JSON documents and the limits on requests and blob bytes are per run; the trusted root, loaded once;
 * and the deadline.
 */
export interface Session {
  client: RegistrySource;
  trust: Promise<TrustRoot>;
  /** The whole run's deadline (cosign's --timeout): the client's requests and waits, and every stage, end by it. */
  deadline: Deadline;
  /** Ends the client's requests early (a broken policy decided a one-release run). */
  stopRequests: AbortController;
}

interface Run extends Session {
  options: VerifyReleaseOptions;
  policyEngine: CheckContext['policyEngine'];
  progress: (message: string) => void;
  /** The step running now, for the deadline's reason. */
  step: string;
}

/** Starts what takes long and does not depend on the release: CUE (~1 s, on its own thread) and the trusted root. */
function startRun(options: VerifyReleaseOptions, session: Session | undefined): Run {
  const needsPolicy = options.checks.includes('provenance-policy') || options.checks.includes('sbom-policy');
  const policyEngine = needsPolicy ? (options.policyEngine ?? startPolicyEngineThread()) : undefined;
  return {
    ...(session ?? openSession(options)),
    options,
    policyEngine,
    progress: options.onProgress ?? (() => undefined),
    step: 'resolve',
  };
}

/** Loads the trusted root and starts the deadline and the registry client, from the run-wide fields of `options`. */
export function openSession(options: VerifyReleaseOptions): Session {
  const { layout, trustedRootDigest } = options;
  // The layout's own copy of the root only by its digest, given from outside the layout.
  const rootPath =
    options.trustedRootPath ??
    (layout !== undefined && trustedRootDigest !== undefined ? blobPath(layout, trustedRootDigest) : undefined);
  // Loaded once the run's first request is on its way: reading and checking the root is CPU work that the
  // registry's round trips can hide.
  const trust = nextTurn().then(() =>
    loadTrustRoot({
      ...(rootPath !== undefined ? { path: rootPath } : {}),
      ...(trustedRootDigest !== undefined ? { digest: trustedRootDigest } : {}),
      ...(options.env ? { env: options.env } : {}),
      // From a layout nothing goes to the network, TUF included.
      ...(options.offlineTrust || layout !== undefined ? { offline: true } : {}),
      keyless: true,
    }),
  );
  // Attach a handler now: a bad --trusted-root must not become an unhandled rejection while we resolve.
  trust.catch(() => undefined);
  const deadline = startDeadline(options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, Date.now, options.startedAt);
  const stopRequests = new AbortController();
  // The client's requests end at the deadline, or earlier when the run stops them.
  const requestDeadline: Deadline = { ...deadline, signal: AbortSignal.any([deadline.signal, stopRequests.signal]) };
  const source: RegistrySource =
    layout !== undefined
      ? new LayoutSource(layout, {
          ...(options.registry.maxBlobBytes !== undefined && { maxBlobBytes: options.registry.maxBlobBytes }),
          ...(options.registry.maxTotalBlobBytes !== undefined && {
            maxTotalBlobBytes: options.registry.maxTotalBlobBytes,
          }),
        })
      : new RegistryClient({
          ...options.registry,
          ...(options.env ? { env: options.env } : {}),
          deadline: requestDeadline,
        });
  return {
    client: options.observeSource ? options.observeSource(source) : source,
    trust,
    deadline,
    stopRequests,
  };
}

/** Resolves after the event loop's next turn, once the I/O already under way has been started. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function closeSession(session: Session): void {
  session.deadline.stop();
}

async function resolve(run: Run): Promise<ResolvedTarget> {
  const { options } = run;
  const imageName = formatRepository(options.image);
  run.step = 'resolve';
  run.progress(`resolving ${imageName}`);
  try {
    return await resolveRelease({
      client: run.client,
      image: options.image,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      includePrereleases: options.includePrereleases ?? false,
    });
  } catch (error) {
    // A tag that cannot be one, or a reference and options that disagree: the command line is wrong (exit 2).
    if (error instanceof UsageError) throw error;
    // A bad --trusted-root is a usage error whether or not the registry answered (exit 2, not 3).
    if (options.trustedRootPath) await run.trust;
    const checks = options.checks.map((id) =>
      id === 'resolve'
        ? checkResult(id, 'error', why(run, error))
        : checkResult(id, 'skip', 'release could not be resolved'),
    );
    throw new StageFailure(buildReport(unresolvedTarget(imageName, options), checks));
  }
}

async function discover(run: Run, target: ResolvedTarget, trust: TrustRoot): Promise<DiscoveryResult> {
  run.step = 'discover';
  run.progress(`discovering signatures and attestations for ${target.digest}`);
  const { signature, sbom, provenance } = run.options.repositories;
  try {
    return await discoverEvidence(run.client, target.digest, {
      image: { registry: target.registry, repository: target.repository },
      signature,
      sbom,
      provenance,
    });
  } catch (error) {
    const reason = isDeadlineError(error) ? why(run, error) : `could not read evidence: ${describeError(error)}`;
    const checks = run.options.checks.map((id) =>
      id === 'resolve' ? resolvedResult(target) : checkResult(id, 'error', reason),
    );
    throw new StageFailure(buildReport(toReportTarget(target), checks, notices(trust)));
  }
}

function verify(run: Run, discovery: DiscoveryResult, trust: TrustRoot): EvidenceOutcome[] {
  run.step = 'verify';
  run.progress(`verifying ${discovery.evidence.length} signatures and attestations`);
  return verifyAllEvidence(discovery.evidence, trust);
}

/** What the checks look at. */
function evaluationContext(
  run: Run,
  target: ResolvedTarget,
  discovery: DiscoveryResult,
  outcomes: EvidenceOutcome[],
): CheckContext {
  const expectations = run.options.expectations({
    ...(target.version !== undefined ? { version: target.version } : {}),
    ...(target.tag !== undefined ? { tag: target.tag } : {}),
  });
  return { target, discovery, outcomes, expectations, policyEngine: run.policyEngine };
}

/** The checks whose failure a hint can explain, by the kind of evidence each needs. */
const EVIDENCE_KIND_OF: Partial<Record<CheckResult['id'], EvidenceKind>> = {
  signature: 'signature',
  provenance: 'provenance',
  'provenance-policy': 'provenance',
  sbom: 'sbom',
  'sbom-policy': 'sbom',
};

/**
 * Hints, once per run (extra registry reads, within a fixed budget): only when a check failed for want of evidence
 * that counts, i.e. evidence may exist for another digest, in another repository or by another signer.
 */
async function hintsFor(run: Run, target: ResolvedTarget, checks: CheckResult[]): Promise<string[]> {
  const failing = [
    ...new Set(checks.flatMap((check) => (check.status === 'fail' ? (EVIDENCE_KIND_OF[check.id] ?? []) : []))),
  ];
  if (failing.length === 0) return [];
  run.step = 'hints';
  const hints = await collectHints(run.client, target, run.options, failing);
  // Hints swallow their own errors; a deadline that passed meanwhile still ends the run.
  if (run.deadline.signal.aborted) throw run.deadline.error;
  return hints;
}

function report(
  target: ResolvedTarget,
  checks: CheckResult[],
  trust: TrustRoot,
  context: CheckContext,
  hints: string[],
): VerifyReleaseResult {
  const sbomPassed = checks.some((check) => check.id === 'sbom' && check.status === 'pass');
  const sbom = sbomPassed ? selectSbom(context).sbom : undefined;
  const provenancePassed = checks.some((check) => check.id === 'provenance' && check.status === 'pass');
  const accepted = provenancePassed ? selectProvenance(context).accepted : undefined;
  const allNotices = [...notices(trust), ...context.expectations.notices, ...hints];
  return {
    report: buildReport(toReportTarget(target), checks, allNotices),
    ...(sbom ? { sbom } : {}),
    ...(accepted ? { provenance: { statement: accepted.content.bytes } } : {}),
    trustRoot: trust,
  };
}

async function collectHints(
  client: RegistrySource,
  target: ResolvedTarget,
  options: VerifyReleaseOptions,
  failing: EvidenceKind[],
): Promise<string[]> {
  const image = { registry: target.registry, repository: target.repository };
  let manifest: unknown;
  try {
    manifest = (await client.getManifest(image, target.digest)).json;
  } catch {
    manifest = {};
  }
  const { signature, sbom, provenance } = options.repositories;
  return findHints({
    client,
    image,
    digest: target.digest,
    manifest,
    searched: [image, ...signature, ...sbom, ...provenance],
    failing,
  });
}

function notices(trust: TrustRoot): string[] {
  return trust.notice ? [trust.notice] : [];
}

function toReportTarget(target: ResolvedTarget): ReportTarget {
  return {
    image: target.image,
    version: target.version ?? null,
    tag: target.tag ?? null,
    digest: target.digest,
    mediaType: target.mediaType,
    platforms: target.platforms,
  };
}

function unresolvedTarget(image: string, options: VerifyReleaseOptions): ReportTarget {
  return {
    image,
    version: options.tag ? null : (options.version ?? 'latest'),
    tag: options.tag ?? null,
    digest: options.image.digest ?? null,
    mediaType: null,
    platforms: [],
  };
}
