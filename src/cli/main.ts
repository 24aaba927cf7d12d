// First: configures zod before any module builds a schema.
import './zod-jitless.js';
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import {
  buildProgram,
  commandNames,
  type OutputFormat,
  type RawBatchOptions,
  type RawSaveOptions,
  type RawVerifyBundleOptions,
  type RawVerifyOptions,
} from './program.js';
import { planVerify, type VerifyPlan } from './references.js';
import { renderVersions, versions } from './version.js';
import { colorLevel } from './color.js';
import { EXIT, exitCodeForError, worstExitCode } from './exit-codes.js';
import { closeSession, openSession, verifyRelease } from '../pipeline/verify-release.js';
import { expandHistory, selectShard, verifyBatch, type BatchItem, type BatchOutcome } from '../pipeline/batch.js';
import {
  renderErrorLine,
  renderReportLine,
  renderSummaryLine,
  renderSummaryText,
  reportRow,
  type SummaryRow,
} from '../report/render/batch.js';
import { verifyBundleCommand } from '../commands/verify-bundle.js';
import { reportExitCode, withOutputFailure, type Report } from '../report/index.js';
import { CHECK_IDS, type CheckId } from '../model/check-result.js';
import { checkOutputPath, requireSbomChecks, writeFileAtomic } from './output.js';
import { renderJson } from '../report/render/json.js';
import { renderText, renderVerdict } from '../report/render/text.js';
import { renderMarkdown } from '../report/render/markdown.js';
import { saveRelease } from '../commands/save.js';
import type { RequestEvent } from '../registry/index.js';
import { describeError, UsageError, VerifyReleaseError } from '../errors.js';
import { printable } from '../model/printable.js';
import { runPolicy } from './policy.js';
import { completionScript } from './completion.js';
import { usageErrorLine } from './help.js';

/** Where the CLI writes; injectable so tests run the real program in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const CLI_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * Runs the CLI with `args` (without node and script) and returns the exit code. The only place that decides
 * exit codes; nothing below it writes to stdout or stderr.
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.verified;
  const program = buildProgram(
    {
      async verify(references, raw) {
        exitCode = await runVerify(references, raw, io, commandNames(program));
      },
      async sbom(reference, raw) {
        exitCode = await runSbom(reference, raw, io, commandNames(program));
      },
      async provenance(reference, raw) {
        exitCode = await runProvenance(reference, raw, io, commandNames(program));
      },
      async save(reference, raw) {
        exitCode = await runSave(reference, raw, io, commandNames(program));
      },
      async verifyBundle(fileOrDigest, raw) {
        exitCode = await runVerifyBundle(fileOrDigest, raw, io);
      },
      version(raw) {
        const found = versions(CLI_VERSION);
        io.stdout.write(raw.json ? `${JSON.stringify(found, null, 2)}\n` : renderVersions(found));
        return Promise.resolve();
      },
      async policy(statements, raw) {
        exitCode = await runPolicy(statements, raw, io.stdout);
      },
      completion(shell) {
        io.stdout.write(completionScript(program, shell));
        return Promise.resolve();
      },
    },
    CLI_VERSION,
  );
  // Subcommands copy their parent's settings when created, i.e. before these calls: configure each one, or errors
  // of the default command go to process.stderr in commander's own format.
  let usageMessage = '';
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        usageMessage = printable(usageErrorLine(text));
        write(`verify-release: ${usageMessage}\n`);
      },
    });
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --cli-version exit through here with code 0.
      if (error.exitCode === 0) return EXIT.verified;
      writeJsonError(args, io, 'USAGE', usageMessage);
      return EXIT.usage;
    }
    io.stderr.write(`verify-release: ${describeError(error)}\n`);
    writeJsonError(args, io, error instanceof VerifyReleaseError ? error.code : 'INTERNAL', describeError(error));
    return exitCodeForError(error);
  }
  return exitCode;
}

/**
 * With `--json`, a run that ends before its report still prints one JSON document on stdout, so that
 * `verify-release … --json | jq -e .verified` fails even in shells without pipefail (jq 1.6 passes empty input).
 * It is one line, so it is also a well-formed JSON Lines stream where a batch was asked for.
 */
function writeJsonError(args: string[], io: CliIo, code: string, message: string): void {
  // `sbom` keeps stdout for the SBOM alone (its --json report goes to stderr); verify-bundle has no JSON output.
  const formatAt = args.indexOf('--format');
  const json =
    args.includes('--json') || args.includes('--format=json') || (formatAt !== -1 && args[formatAt + 1] === 'json');
  if (!json || ['sbom', 'provenance', 'verify-bundle'].includes(args[0] ?? '')) return;
  io.stdout.write(`${JSON.stringify({ verified: false, error: { code, message } })}\n`);
}

async function runVerify(
  references: string[],
  raw: RawVerifyOptions & RawBatchOptions,
  io: CliIo,
  commands: string[],
): Promise<number> {
  const startedAt = Date.now();
  // Every check of the output rules that needs no network runs first: a run that cannot deliver its output is a
  // usage error (exit 2), not a verdict followed by a failure.
  const format = outputFormat(raw);
  const outputs = await prepareOutputs(raw, raw.checks ?? CHECK_IDS);
  return withProgress(io, raw, async (onProgress) => {
    const plan = await planRun(references, raw, io, commands, { startedAt, onProgress });
    if (plan.batch) return runBatch(plan, format, io);
    const result = await verifyRelease(plan.items[0]!.options);
    // Outputs are written before the report is printed, so the verdict printed is the one exited with.
    const { report, outputFailed } = await deliverOutputs(result, outputs);
    io.stdout.write(renderReport(report, format, raw, io.env, io.stdout.isTTY));
    return outputFailed ? EXIT.incomplete : reportExitCode(report);
  });
}

async function runSbom(
  reference: string | undefined,
  raw: RawVerifyOptions,
  io: CliIo,
  commands: string[],
): Promise<number> {
  const startedAt = Date.now();
  // The full verification by default: the SBOM of a release is handed out only when the release verifies.
  const checks = raw.checks ?? [...CHECK_IDS];
  requireSbomChecks(checks, '`sbom`');
  const format = outputFormat(raw);
  const outputs = await prepareOutputs(raw, checks);
  const result = await withProgress(io, raw, async (onProgress) => {
    const plan = await planRun(optional(reference), { ...raw, checks }, io, commands, { startedAt, onProgress });
    return verifyRelease(plan.items[0]!.options);
  });
  let { report, outputFailed } = await deliverOutputs(result, outputs);
  if (report.verified && !result.sbom) {
    // Not expected (a passed sbom check carries its SBOM), but the verdict must never claim an output it lacks.
    report = withOutputFailure(report, '`sbom`: no verified SBOM to print');
    outputFailed = true;
  }
  // stdout carries the SBOM only, and only when it verified; the verdict goes to stderr.
  io.stderr.write(renderReport(report, format, raw, io.env, io.stderr.isTTY));
  if (outputFailed) return EXIT.incomplete;
  if (!report.verified || !result.sbom) return reportExitCode(report);
  io.stdout.write(result.sbom.raw);
  return EXIT.verified;
}

/**
 * Verifies the releases of a batch over one session (registry client, trusted root, deadline) and prints, in the
 * order given, one block (text) or one JSON Lines record per release as each is done, then the summary. The exit
 * code is the worst of the releases' (see worstExitCode).
 */
async function runBatch(plan: VerifyPlan, format: OutputFormat, io: CliIo): Promise<number> {
  if (format === 'markdown') {
    throw new UsageError('expected --format text or json for several releases, got markdown (one release per run)');
  }
  const first = plan.items[0]!.options;
  const session = openSession(first);
  try {
    const items = plan.history ? await expandHistory(session, first, plan.history.range) : plan.items;
    const selected = selectShard(items, plan.shard);
    if (selected.length === 0) {
      throw new UsageError(
        `expected --shard ${plan.shard!.index}/${plan.shard!.count} to select a release, got none of ${items.length}: use at most ${items.length} shards`,
      );
    }
    const rows: SummaryRow[] = [];
    const colors = colorLevel(io.env, io.stdout.isTTY);
    await verifyBatch(selected, session, (outcome) => rows.push(deliverOutcome(outcome, format, io, colors)));
    const exitCode = worstExitCode(rows.map((row) => row.exitCode));
    io.stdout.write(format === 'json' ? renderSummaryLine(rows, exitCode) : renderSummaryText(rows, exitCode, colors));
    return exitCode;
  } finally {
    closeSession(session);
  }
}

/** Prints one release of a batch and returns its summary row. */
function deliverOutcome(
  outcome: BatchOutcome,
  format: OutputFormat,
  io: CliIo,
  colors: ReturnType<typeof colorLevel>,
): SummaryRow {
  if ('report' in outcome) {
    const { report } = outcome;
    io.stdout.write(format === 'json' ? renderReportLine(report) : `${renderText(report, { colorLevel: colors })}\n`);
    return reportRow(outcome.reference, report, reportExitCode(report));
  }
  const exitCode = exitCodeForError(outcome.error);
  const message = describeError(outcome.error);
  const code = outcome.error instanceof VerifyReleaseError ? outcome.error.code : 'INTERNAL';
  io.stderr.write(`verify-release: ${printable(outcome.reference)}: ${message}\n`);
  if (format === 'json') io.stdout.write(renderErrorLine(outcome.reference, code, message));
  return { ...unresolvedRow(outcome), exitCode };
}

function unresolvedRow(outcome: BatchItem): Omit<SummaryRow, 'exitCode'> {
  const { image, version, tag } = outcome.options;
  return {
    reference: outcome.reference,
    image: `${image.registry}/${image.repository}`,
    release: tag ?? image.tag ?? version ?? null,
    digest: image.digest ?? null,
    verified: false,
  };
}

async function runProvenance(
  reference: string | undefined,
  raw: RawVerifyOptions,
  io: CliIo,
  commands: string[],
): Promise<number> {
  // As `sbom`: the full verification by default, and the statement only for a release that verifies.
  const checks = raw.checks ?? [...CHECK_IDS];
  requireProvenanceChecks(checks, '`provenance`');
  const format = outputFormat(raw);
  const outputs = await prepareOutputs(raw, checks);
  const startedAt = Date.now();
  const result = await withProgress(io, raw, async (onProgress) => {
    const plan = await planRun(optional(reference), { ...raw, checks }, io, commands, { startedAt, onProgress });
    return verifyRelease(plan.items[0]!.options);
  });
  let { report, outputFailed } = await deliverOutputs(result, outputs);
  const statement = report.verified ? toStatementText(result.provenance?.statement) : undefined;
  if (report.verified && statement === undefined) {
    report = withOutputFailure(report, '`provenance`: no verified provenance statement to print');
    outputFailed = true;
  }
  // stdout carries the statement only, and only when the release verified; the verdict goes to stderr.
  io.stderr.write(renderReport(report, format, raw, io.env, io.stderr.isTTY));
  if (outputFailed) return EXIT.incomplete;
  if (!report.verified || statement === undefined) return reportExitCode(report);
  io.stdout.write(statement);
  return EXIT.verified;
}

/** The checks a release must pass before its provenance statement is handed out. */
const PROVENANCE_OUTPUT_CHECKS: readonly CheckId[] = ['signature', 'provenance'];

function requireProvenanceChecks(checks: readonly CheckId[], what: string): void {
  const missing = PROVENANCE_OUTPUT_CHECKS.filter((id) => !checks.includes(id));
  if (missing.length > 0) {
    throw new UsageError(
      `${what} hands out a verified provenance statement only: expected --checks to include signature and provenance, got ${checks.join(',')} (missing ${missing.join(', ')})`,
    );
  }
}

async function prepareProvenanceOut(path: string, checks: readonly CheckId[]): Promise<string> {
  requireProvenanceChecks(checks, '--provenance-out');
  return checkOutputPath(path, '--provenance-out');
}

/**
 * The statement as text that writes back to the same bytes: valid UTF-8 (the verifier parsed it as JSON), a byte
 * order mark kept. Undefined when there is none or it is not UTF-8, so nothing inexact is ever handed out.
 */
function toStatementText(statement: Uint8Array | undefined): string | undefined {
  if (statement === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(statement);
  } catch {
    return undefined;
  }
}

/** As deliverSbom, for the verified SLSA provenance statement (the DSSE payload as attested). */
async function deliverProvenance(
  result: Awaited<ReturnType<typeof verifyRelease>>,
  path: string,
): Promise<{ report: Report; outputFailed: boolean }> {
  const { report } = result;
  if (!report.verified) {
    return {
      report: { ...report, notices: [...report.notices, '--provenance-out: not written (the release did not verify)'] },
      outputFailed: false,
    };
  }
  const statement = toStatementText(result.provenance?.statement);
  if (statement === undefined) {
    return {
      report: withOutputFailure(report, `--provenance-out: no verified provenance statement to write to ${path}`),
      outputFailed: true,
    };
  }
  try {
    await writeFileAtomic(path, statement);
  } catch (error) {
    return {
      report: withOutputFailure(report, `--provenance-out: could not write ${path}: ${describeError(error)}`),
      outputFailed: true,
    };
  }
  return { report, outputFailed: false };
}

/**
 * `save`: verifies, writes the layout (see saveRelease), prints the report and, once written, the trusted root's
 * digest to pass as --trusted-root-digest. Exit 0 only for a verified release that was saved.
 */
async function runSave(
  reference: string | undefined,
  raw: RawSaveOptions,
  io: CliIo,
  commands: string[],
): Promise<number> {
  const format = outputFormat(raw);
  for (const [flag, given] of [
    ['--sbom-out', raw.sbomOut],
    ['--provenance-out', raw.provenanceOut],
  ] as const) {
    if (given !== undefined) {
      throw new UsageError(`expected no ${flag} with save (the layout holds the evidence): verify the layout for it`);
    }
  }
  const startedAt = Date.now();
  const result = await withProgress(io, raw, async (onProgress) => {
    const plan = await planRun(optional(reference), raw, io, commands, { startedAt, onProgress });
    return saveRelease({
      verify: plan.items[0]!.options,
      output: raw.output,
      withLayers: raw.withLayers ?? false,
      force: raw.force ?? false,
      allowUnverified: raw.allowUnverified ?? false,
    });
  });
  io.stdout.write(renderReport(result.report, format, raw, io.env, io.stdout.isTTY));
  if (result.saved !== undefined && format === 'text') {
    const { dir, trustedRootDigest } = result.saved;
    io.stdout.write(
      printable(
        `saved ${dir}; verify it with: verify-release --layout ${dir} --trusted-root-digest ${trustedRootDigest}`,
      ) + '\n',
    );
  }
  return result.failed ? EXIT.incomplete : reportExitCode(result.report);
}

/** `--format`, or `--json` as its short form; both, disagreeing, is a usage error. */
function outputFormat(raw: RawVerifyOptions): OutputFormat {
  if (raw.json && raw.format !== undefined && raw.format !== 'json') {
    throw new UsageError(`expected --json or --format ${raw.format}, not both`);
  }
  return raw.json ? 'json' : (raw.format ?? 'text');
}

/** The report in the chosen format; `--quiet` keeps only the verdict line of the text form. */
function renderReport(
  report: Report,
  format: OutputFormat,
  raw: RawVerifyOptions,
  env: NodeJS.ProcessEnv,
  isTTY?: boolean,
): string {
  if (format === 'json') return renderJson(report);
  if (format === 'markdown') return renderMarkdown(report);
  const options = { colorLevel: colorLevel(env, isTTY) };
  return raw.quiet ? renderVerdict(report, options) : renderText(report, options);
}

/** A command's optional single reference as planVerify's list. */
function optional(reference: string | undefined): string[] {
  return reference === undefined ? [] : [reference];
}

/** The files `--sbom-out` and `--provenance-out` name, checked before any network work. */
interface Outputs {
  sbomOut?: string;
  provenanceOut?: string;
}

async function prepareOutputs(raw: RawVerifyOptions, checks: readonly CheckId[]): Promise<Outputs> {
  return {
    ...(raw.sbomOut !== undefined && { sbomOut: await prepareSbomOut(raw.sbomOut, checks) }),
    ...(raw.provenanceOut !== undefined && { provenanceOut: await prepareProvenanceOut(raw.provenanceOut, checks) }),
  };
}

/** Writes every requested output of a verified release (see deliverSbom, deliverProvenance), before the report. */
async function deliverOutputs(
  result: Awaited<ReturnType<typeof verifyRelease>>,
  { sbomOut, provenanceOut }: Outputs,
): Promise<{ report: Report; outputFailed: boolean }> {
  let { report, outputFailed } = sbomOut
    ? await deliverSbom(result, sbomOut)
    : { report: result.report, outputFailed: false };
  if (provenanceOut) {
    const delivered = await deliverProvenance({ ...result, report }, provenanceOut);
    report = delivered.report;
    outputFailed ||= delivered.outputFailed;
  }
  return { report, outputFailed };
}

async function prepareSbomOut(path: string, checks: readonly CheckId[]): Promise<string> {
  requireSbomChecks(checks, '--sbom-out');
  return checkOutputPath(path, '--sbom-out');
}

/**
 * Writes the verified SBOM to `path` when the release verified (every selected check passed; the selection
 * includes signature and sbom, see requireSbomChecks), atomically. A failed write turns the report into NOT
 * VERIFIED with the reason; an unverified release writes nothing and says so.
 */
async function deliverSbom(
  result: Awaited<ReturnType<typeof verifyRelease>>,
  path: string,
): Promise<{ report: Report; outputFailed: boolean }> {
  const { report, sbom } = result;
  if (!report.verified) {
    return {
      report: { ...report, notices: [...report.notices, '--sbom-out: not written (the release did not verify)'] },
      outputFailed: false,
    };
  }
  if (!sbom) {
    return {
      report: withOutputFailure(report, `--sbom-out: no verified SBOM to write to ${path}`),
      outputFailed: true,
    };
  }
  try {
    await writeFileAtomic(path, sbom.raw);
  } catch (error) {
    return {
      report: withOutputFailure(report, `--sbom-out: could not write ${path}: ${describeError(error)}`),
      outputFailed: true,
    };
  }
  return { report, outputFailed: false };
}

async function runVerifyBundle(fileOrDigest: string, raw: RawVerifyBundleOptions, io: CliIo): Promise<number> {
  try {
    await verifyBundleCommand({ ...raw, fileOrDigest, env: io.env });
  } catch (error) {
    io.stderr.write(`verify-release: FAILED: ${describeError(error)}\n`);
    return exitCodeForError(error);
  }
  io.stderr.write('verify-release: OK\n');
  return EXIT.verified;
}

interface Progress {
  update: (message: string) => void;
  stop: () => void;
}

/** A step still running after this long gets a progress line; quicker steps stay silent. */
const PROGRESS_DELAY_MS = 1_000;

/**
 * Progress for a person watching: on a TTY stderr only (text and --json alike, stdout stays the report), not with
 * --quiet, and only for steps that last longer than a second.
 */
function startProgress(io: CliIo, raw: RawVerifyOptions): Progress | undefined {
  if (!io.stderr.isTTY || raw.quiet) return undefined;
  let pending: NodeJS.Timeout | undefined;
  return {
    update: (message) => {
      clearTimeout(pending);
      pending = setTimeout(() => io.stderr.write(`… ${printable(message)}\n`), PROGRESS_DELAY_MS);
      pending.unref();
    },
    stop: () => clearTimeout(pending),
  };
}

/** `--verbose`: one stderr line per HTTP exchange. The event carries no headers, so no credentials or tokens. */
function requestLogger(io: CliIo): (event: RequestEvent) => void {
  return ({ method, url, outcome, durationMs }) =>
    io.stderr.write(`verify-release: ${printable(`${method} ${url} ${outcome} ${durationMs} ms`)}\n`);
}

/**
 * Plans the run (see planVerify) with what the user asked to see meanwhile: the deadline counts from `startedAt`
 * (the command's start, so --timeout includes CUE's start-up), and with --verbose each registry request is logged.
 */
async function planRun(
  references: string[],
  raw: RawVerifyOptions & RawBatchOptions,
  io: CliIo,
  commands: string[],
  { startedAt, onProgress }: { startedAt: number; onProgress: ((message: string) => void) | undefined },
): Promise<VerifyPlan> {
  const plan = await planVerify(references, raw, io.env, commands, onProgress);
  const onRequest = raw.verbose ? requestLogger(io) : undefined;
  const items = plan.items.map((item) => ({
    ...item,
    options: {
      ...item.options,
      startedAt,
      ...(onRequest && { registry: { ...item.options.registry, onRequest } }),
    },
  }));
  return { ...plan, items };
}

/** Runs `work` with progress on stderr (see startProgress), stopped however it ends. */
async function withProgress<T>(
  io: CliIo,
  raw: RawVerifyOptions,
  work: (onProgress: ((message: string) => void) | undefined) => Promise<T>,
): Promise<T> {
  const progress = startProgress(io, raw);
  try {
    return await work(progress?.update);
  } finally {
    progress?.stop();
  }
}

/** The `verify-release` bin: runs the CLI on process.argv and sets the exit code. Never prints a stack trace. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`verify-release: internal error: ${describeError(reason)}\n`);
    process.exit(EXIT.incomplete);
  });
  let code: number;
  try {
    code = await runCli(argv.slice(2), io);
  } catch (error) {
    process.stderr.write(`verify-release: internal error: ${describeError(error)}\n`);
    code = EXIT.incomplete;
  }
  // Exit now rather than wait for work nobody needs any more (e.g. the CUE engine still starting after an early
  // failure). stdout and stderr writes to files and pipes are synchronous on POSIX, so nothing is lost.
  process.exit(code);
}
