// First: configures zod before any module builds a schema.
import './zod-jitless.js';
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import {
  buildProgram,
  commandNames,
  type RawBatchOptions,
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
import { renderText } from '../report/render/text.js';
import { describeError, UsageError, VerifyReleaseError } from '../errors.js';
import { printable } from '../model/printable.js';

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
      async verifyBundle(fileOrDigest, raw) {
        exitCode = await runVerifyBundle(fileOrDigest, raw, io);
      },
      version(raw) {
        const found = versions(CLI_VERSION);
        io.stdout.write(raw.json ? `${JSON.stringify(found, null, 2)}\n` : renderVersions(found));
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
        usageMessage = printable(text.replace(/^error: /, '').trim());
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
  if (!args.includes('--json') || args[0] === 'sbom' || args[0] === 'verify-bundle') return;
  io.stdout.write(`${JSON.stringify({ verified: false, error: { code, message } })}\n`);
}

async function runVerify(
  references: string[],
  raw: RawVerifyOptions & RawBatchOptions,
  io: CliIo,
  commands: string[],
): Promise<number> {
  // Every check of the output rules that needs no network runs first: a run that cannot deliver its output is a
  // usage error (exit 2), not a verdict followed by a failure.
  const sbomOut = raw.sbomOut !== undefined ? await prepareSbomOut(raw.sbomOut, raw.checks ?? CHECK_IDS) : undefined;
  const plan = await planVerify(references, raw, io.env, commands, progressWriter(io, raw));
  if (plan.batch) return runBatch(plan, raw, io);
  const result = await verifyRelease(plan.items[0]!.options);
  // Outputs are written before the report is printed, so the verdict printed is the one exited with.
  const { report, outputFailed } = sbomOut ? await deliverSbom(result, sbomOut) : { report: result.report };
  io.stdout.write(
    raw.json ? renderJson(report) : renderText(report, { colorLevel: colorLevel(io.env, io.stdout.isTTY) }),
  );
  return outputFailed ? EXIT.incomplete : reportExitCode(report);
}

async function runSbom(
  reference: string | undefined,
  raw: RawVerifyOptions,
  io: CliIo,
  commands: string[],
): Promise<number> {
  // The full verification by default: the SBOM of a release is handed out only when the release verifies.
  const checks = raw.checks ?? [...CHECK_IDS];
  requireSbomChecks(checks, '`sbom`');
  const sbomOut = raw.sbomOut !== undefined ? await prepareSbomOut(raw.sbomOut, checks) : undefined;
  const references = reference === undefined ? [] : [reference];
  const plan = await planVerify(references, { ...raw, checks }, io.env, commands, progressWriter(io, raw));
  const result = await verifyRelease(plan.items[0]!.options);
  let { report, outputFailed } = sbomOut ? await deliverSbom(result, sbomOut) : { report: result.report };
  if (report.verified && !result.sbom) {
    // Not expected (a passed sbom check carries its SBOM), but the verdict must never claim an output it lacks.
    report = withOutputFailure(report, '`sbom`: no verified SBOM to print');
    outputFailed = true;
  }
  // stdout carries the SBOM only, and only when it verified; the verdict goes to stderr.
  io.stderr.write(
    raw.json ? renderJson(report) : renderText(report, { colorLevel: colorLevel(io.env, io.stderr.isTTY) }),
  );
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
async function runBatch(plan: VerifyPlan, raw: RawVerifyOptions & RawBatchOptions, io: CliIo): Promise<number> {
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
    await verifyBatch(selected, session, (outcome) => rows.push(deliverOutcome(outcome, raw, io, colors)));
    const exitCode = worstExitCode(rows.map((row) => row.exitCode));
    io.stdout.write(raw.json ? renderSummaryLine(rows, exitCode) : renderSummaryText(rows, exitCode, colors));
    return exitCode;
  } finally {
    closeSession(session);
  }
}

/** Prints one release of a batch and returns its summary row. */
function deliverOutcome(
  outcome: BatchOutcome,
  raw: RawVerifyOptions,
  io: CliIo,
  colors: ReturnType<typeof colorLevel>,
): SummaryRow {
  if ('report' in outcome) {
    const { report } = outcome;
    io.stdout.write(raw.json ? renderReportLine(report) : `${renderText(report, { colorLevel: colors })}\n`);
    return reportRow(outcome.reference, report, reportExitCode(report));
  }
  const exitCode = exitCodeForError(outcome.error);
  const message = describeError(outcome.error);
  const code = outcome.error instanceof VerifyReleaseError ? outcome.error.code : 'INTERNAL';
  io.stderr.write(`verify-release: ${printable(outcome.reference)}: ${message}\n`);
  if (raw.json) io.stdout.write(renderErrorLine(outcome.reference, code, message));
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

function progressWriter(io: CliIo, raw: RawVerifyOptions): ((message: string) => void) | undefined {
  if (!io.stderr.isTTY || raw.json) return undefined;
  return (message) => io.stderr.write(`… ${printable(message)}\n`);
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
