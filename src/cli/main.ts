import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { buildProgram, type RawVerifyBundleOptions, type RawVerifyOptions } from './program.js';
import { toVerifyReleaseOptions } from './options.js';
import { colorLevel } from './color.js';
import { EXIT, exitCodeForError } from './exit-codes.js';
import { verifyRelease } from '../pipeline/verify-release.js';
import { verifyBundleCommand } from '../commands/verify-bundle.js';
import { reportExitCode } from '../report/index.js';
import { renderJson } from '../report/render/json.js';
import { renderText } from '../report/render/text.js';
import { describeError, UsageError } from '../errors.js';

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
      async verify(version, raw) {
        exitCode = await runVerify(version, raw, io);
      },
      async sbom(version, raw) {
        exitCode = await runSbom(version, raw, io);
      },
      async verifyBundle(fileOrDigest, raw) {
        exitCode = await runVerifyBundle(fileOrDigest, raw, io);
      },
    },
    CLI_VERSION,
  );
  // Subcommands copy their parent's settings when created, i.e. before these calls: configure each one, or errors
  // of the default command go to process.stderr in commander's own format.
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`verify-release: ${text.replace(/^error: /, '').trim()}\n`),
    });
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --cli-version exit through here with code 0.
      return error.exitCode === 0 ? EXIT.verified : EXIT.usage;
    }
    io.stderr.write(`verify-release: ${describeError(error)}\n`);
    return exitCodeForError(error);
  }
  return exitCode;
}

async function runVerify(version: string | undefined, raw: RawVerifyOptions, io: CliIo): Promise<number> {
  const options = await toVerifyReleaseOptions(version, raw, io.env, progressWriter(io, raw));
  const { report, sbom } = await verifyRelease(options);
  io.stdout.write(
    raw.json ? renderJson(report) : renderText(report, { colorLevel: colorLevel(io.env, io.stdout.isTTY) }),
  );
  if (raw.sbomOut !== undefined && sbom) await writeOutput(raw.sbomOut, sbom.raw);
  return reportExitCode(report);
}

async function runSbom(version: string | undefined, raw: RawVerifyOptions, io: CliIo): Promise<number> {
  const checks = raw.checks ?? ['resolve', 'sbom', 'sbom-policy'];
  const options = await toVerifyReleaseOptions(version, { ...raw, checks }, io.env, progressWriter(io, raw));
  const { report, sbom } = await verifyRelease(options);
  // stdout carries the SBOM only, and only when it verified; the verdict goes to stderr.
  const code = reportExitCode(report);
  io.stderr.write(
    raw.json ? renderJson(report) : renderText(report, { colorLevel: colorLevel(io.env, io.stderr.isTTY) }),
  );
  if (code !== EXIT.verified || !sbom) return code === EXIT.verified ? EXIT.failed : code;
  io.stdout.write(sbom.raw);
  if (raw.sbomOut !== undefined) await writeOutput(raw.sbomOut, sbom.raw);
  return EXIT.verified;
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
  return (message) => io.stderr.write(`… ${message}\n`);
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${describeError(error)}`, { cause: error });
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
