import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { CHECK_IDS, type CheckId } from '../model/check-result.js';
import type { VerifyBundleOptions } from '../commands/verify-bundle.js';
import { CUE_VERSION } from '../policy/cue.js';
import type { RawPolicyOptions } from './policy.js';
import { COMPLETION_SHELLS, type CompletionShell } from './completion.js';
import { addTopLevelHelp, ENVIRONMENT_AND_EXIT_CODES } from './help.js';

/** Raw options of `verify-release [version]` and `verify-release sbom [version]`, as commander parses them. */
export interface RawVerifyOptions {
  version?: string;
  image?: string;
  repo?: string;
  tag?: string;
  includePrereleases?: boolean;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  timeout?: number;
  requestTimeout?: number;
  insecureRegistry?: string[];
  signatureRepository?: string[];
  provenanceRepository?: string[];
  sbomRepository?: string[];
  trustedRoot?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  certificateGithubWorkflowRepository?: string;
  sourceUri?: string;
  sourceTag?: string;
  sourceBranch?: string;
  sourceVersionedTag?: string;
  builderId?: string;
  policy?: string[];
  sbomPolicy?: string[];
  policyMode: 'strict' | 'cosign';
  sbomOut?: string;
  profile?: string;
  versionBinding: boolean;
  checks?: CheckId[];
  maxBlobSize?: number;
  /** Verify from an OCI image layout written by `save` (no network). */
  layout?: string;
  trustedRootDigest?: string;
  format?: OutputFormat;
  provenanceOut?: string;
}

/** How the report is printed: `--format`, with `--json` as the short form of `--format json`. */
export type OutputFormat = 'text' | 'json' | 'markdown';

/** Raw options of `verify-release save [version]`. */
export interface RawSaveOptions extends RawVerifyOptions {
  output: string;
  withLayers?: boolean;
  force?: boolean;
  allowUnverified?: boolean;
}

/** Options of `verify-release [reference...]` only: which releases of one image's history, and which share of them. */
export interface RawBatchOptions {
  releases?: string;
  allReleases?: boolean;
  shard?: Shard;
}

/** `--shard i/n`: the i-th (1-based) of n shards, every n-th release of the expanded list. */
export interface Shard {
  index: number;
  count: number;
}

/** Raw options of `verify-release verify-bundle`: the command's options without the positional artifact. */
export type RawVerifyBundleOptions = Omit<VerifyBundleOptions, 'fileOrDigest' | 'env'>;

/** What each command does; main.ts supplies these so the program itself only parses. */
export interface CommandHandlers {
  verify(references: string[], options: RawVerifyOptions & RawBatchOptions): Promise<void>;
  sbom(reference: string | undefined, options: RawVerifyOptions): Promise<void>;
  provenance(reference: string | undefined, options: RawVerifyOptions): Promise<void>;
  save(reference: string | undefined, options: RawSaveOptions): Promise<void>;
  verifyBundle(fileOrDigest: string, options: RawVerifyBundleOptions): Promise<void>;
  version(options: { json?: boolean }): Promise<void>;
  policy(statements: string[], options: RawPolicyOptions): Promise<void>;
  completion(shell: CompletionShell): Promise<void>;
}

/**
 * Declares the commander program: `verify-release [reference...]` (default), `sbom [reference]`,
 * `provenance [reference]`, `save [reference]`, `verify-bundle`, `policy`, `version`.
 */
export function buildProgram(handlers: CommandHandlers, cliVersion: string): Command {
  const program = new Command('verify-release')
    .description(
      'Decide whether a container image release can be trusted: Sigstore signatures, SLSA provenance, CUE policies and the SBOM, in one command.',
    )
    .version(cliVersion, '-V, --cli-version', 'print the verify-release version')
    .showHelpAfterError(false);

  const verify = addBatchOptions(
    addVerifyOptions(
      program
        .command('verify', { isDefault: true })
        .description('verify releases (default command)')
        .argument(
          '[reference...]',
          'an image (ghcr.io/o/n, host:port/o/n:v1.1.2, o/n@sha256:…; no tag: its latest release) or a version of the default/--image/--repo image ("latest", v1.1.2); default "latest"',
        ),
    ),
  ).action((references: string[], options: RawVerifyOptions & RawBatchOptions) => handlers.verify(references, options));

  // sbom, provenance and save take verify's ~40 options too. They are declared when that command runs, when help is
  // shown or when the completion script is made, so that a verification does not build the 120 options it never
  // parses (~2 ms of a cold start).
  const declarations = new Map<Command, () => void>();
  const declareLater = (command: Command, declare: (command: Command) => void): Command => {
    declarations.set(command, () => {
      declarations.delete(command);
      declare(command);
      refuseRepeatedOptions(command);
    });
    return command;
  };
  const declareAll = (): void => {
    for (const declare of [...declarations.values()]) declare();
  };
  program.hook('preSubcommand', (_program, command) => {
    if (command.name() === 'completion') declareAll();
    else declarations.get(command)?.();
  });
  program.on('beforeAllHelp', declareAll);
  declaredLater.set(program, declareAll);

  // stdout carries the SBOM or the statement alone, so the report (text or JSON) goes to stderr.
  const declareStdoutCommand = (output: string) => (command: Command) => {
    addVerifyOptions(command);
    const json = command.options.find((option) => option.long === '--json');
    if (json) json.description = `print the report as JSON on stderr (stdout carries the ${output} only)`;
  };
  const sbom = declareLater(
    program
      .command('sbom')
      .description('print the verified CycloneDX SBOM of a release on stdout (nothing on stdout if it does not verify)')
      .argument('[reference]', 'one image reference or version, as for verify (default "latest")')
      .action((reference: string | undefined, options: RawVerifyOptions) => handlers.sbom(reference, options)),
    declareStdoutCommand('SBOM'),
  );

  const provenance = declareLater(
    program
      .command('provenance')
      .description(
        'print the verified SLSA provenance statement of a release on stdout (nothing on stdout if it does not verify)',
      )
      .argument('[reference]', 'one image reference or version, as for verify (default "latest")')
      .action((reference: string | undefined, options: RawVerifyOptions) => handlers.provenance(reference, options)),
    declareStdoutCommand('provenance statement'),
  );

  const save = declareLater(
    program
      .command('save')
      .description(
        'verify a release and save it with all its evidence as an OCI image layout, for verifying with --layout offline',
      )
      .argument('[reference]', 'one image reference or version, as for verify (default "latest")')
      .action((reference: string | undefined, options: RawSaveOptions) => handlers.save(reference, options)),
    (command) =>
      addVerifyOptions(command)
        .requiredOption('--output <dir>', 'the layout directory to create (atomically)')
        .option('--with-layers', 'also save the image layers (default: index, platform manifests and configs only)')
        .option('--force', 'replace an existing non-empty output directory')
        .option('--allow-unverified', 'save a release that does not verify (the exit code still says so)'),
  );

  // Help that teaches: the default command's options at the top level, examples, environment, exit codes.
  addTopLevelHelp(program, verify, CUE_VERSION);
  for (const command of [verify, sbom, provenance, save]) command.addHelpText('after', ENVIRONMENT_AND_EXIT_CODES);

  program
    .command('verify-bundle')
    .description('verify one Sigstore bundle (sigstore-conformance client protocol)')
    .requiredOption('--bundle <file>', 'the Sigstore bundle (JSON)')
    .option('--certificate-identity <identity>', 'expected certificate identity (exact)')
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer (exact)')
    .option('--key <file>', 'PEM public key (managed-key bundles)')
    .option('--trusted-root <file>', 'trusted_root.json (default: the Sigstore public-good root)')
    .option('--staging', 'refused: pass --trusted-root instead')
    .argument('<file-or-digest>', 'the artifact, or sha256:<hex>')
    .action((fileOrDigest: string, options: RawVerifyBundleOptions) => handlers.verifyBundle(fileOrDigest, options));

  program
    .command('version')
    .description('print the versions of verify-release, CUE, the Sigstore libraries and Node.js')
    .option('--json', 'as one JSON document')
    .action((options: { json?: boolean }) => handlers.version(options));

  program
    .command('policy')
    .description('evaluate CUE policies on in-toto statements offline (no signature is checked)')
    .option('--policy <file>', `CUE ${CUE_VERSION} policy (repeatable; each compiled once)`, collect)
    .addOption(
      new Option('--policy-mode <mode>', 'strict: constrained statement fields must exist; cosign: as cosign')
        .choices(['strict', 'cosign'])
        .default('strict'),
    )
    .option('--json', 'print the results as JSON on stdout')
    .argument('<statement...>', 'in-toto statement JSON, DSSE envelope, or Sigstore bundle with a DSSE envelope')
    .action((statements: string[], options: RawPolicyOptions) => handlers.policy(statements, options));

  program
    .command('completion')
    .description('print a shell completion script: source <(verify-release completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => handlers.completion(shell));

  for (const command of [program, ...program.commands]) {
    if (!declarations.has(command)) refuseRepeatedOptions(command);
  }
  return program;
}

const declaredLater = new WeakMap<Command, () => void>();

/** Declares the options {@link buildProgram} leaves to when a command runs: all of them, as help and completion need. */
export function declareAllOptions(program: Command): void {
  declaredLater.get(program)?.();
}

/** The names a mistyped subcommand is compared with (did-you-mean). */
export function commandNames(program: Command): string[] {
  return [...program.commands.map((command) => command.name()), 'help'];
}

/**
 * commander keeps the last value of a repeated option; a repeated single-valued flag is refused instead, so
 * `--image a --image b` never silently verifies b. Repeatable flags declare themselves by parsing with `collect`.
 */
function refuseRepeatedOptions(command: Command): void {
  for (const option of command.options) {
    if (!(option.required || option.optional) || option.variadic || option.parseArg === collect) continue;
    let first: string | undefined;
    command.on(`option:${option.name()}`, (value: string) => {
      if (first !== undefined) {
        command.error(
          `expected ${option.long ?? option.flags} once, got it twice (${JSON.stringify(first)} and ${JSON.stringify(value)})`,
          { exitCode: 2, code: 'verify-release.repeatedOption' },
        );
      }
      first = value;
    });
  }
}

/** `--releases`, `--all-releases` and `--shard`: only the default command verifies many releases. */
function addBatchOptions(command: Command): Command {
  return command
    .option(
      '--releases <range>',
      'verify every release of the image in this semver range, e.g. ">=v1.0.0" (prereleases with --include-prereleases)',
    )
    .option('--all-releases', "verify every release of the image's history")
    .option(
      '--shard <i/n>',
      'verify every n-th release of the expanded list, starting with the i-th (1 ≤ i ≤ n)',
      parseShard,
    );
}

// Large enough for any CI matrix or Indexed Job; small enough that a typo is caught.
const MAX_SHARDS = 10_000;

function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || index > count || count > MAX_SHARDS) {
    throw new InvalidArgumentError(`expected i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, got "${value}"`);
  }
  return { index, count };
}

function addVerifyOptions(command: Command): Command {
  return command
    .option('--version <tag>', 'pin a release: "latest" or a release tag such as v1.2.3 (same as a version reference)')
    .option(
      '--image <ref>',
      'image repository (default ghcr.io/natrontech/gcp-mysql-backup); host[:port]/name, or name@sha256:… to verify a digest',
    )
    .option('--repo <owner/name>', 'GitHub project: image ghcr.io/<owner>/<name> and its release conventions')
    .option(
      '--tag <tag>',
      'verify a non-release tag such as the rolling "latest" (bound to refs/heads/main); another tag needs --source-branch, --source-tag, an identity flag or --no-version-binding',
    )
    .option('--include-prereleases', 'let "latest" pick prereleases such as v2.0.0-rc.1')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'print only the verdict line (with --json, the report as usual)')
    .option('-v, --verbose', 'print each registry request, its status and timing on stderr (never credentials)')
    .option(
      '--timeout <seconds>',
      'deadline for the whole run, retries and waits included (default 300)',
      parseTimeout('--timeout'),
    )
    .option(
      '--request-timeout <seconds>',
      'per-request network timeout (default 30)',
      parseTimeout('--request-timeout'),
    )
    .option('--insecure-registry <host>', 'speak plain HTTP to this registry (loopback registries always are)', collect)
    .option(
      '--signature-repository <ref>',
      'also search this repository for signatures (default $COSIGN_REPOSITORY)',
      collect,
    )
    .option(
      '--provenance-repository <ref>',
      'also search this repository for provenance (default $COSIGN_REPOSITORY)',
      collect,
    )
    .option(
      '--sbom-repository <ref>',
      'also search this repository for SBOM attestations (default $COSIGN_REPOSITORY)',
      collect,
    )
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json or JSON Lines (default: public-good via TUF, embedded copy offline)',
    )
    .option('--certificate-identity <identity>', 'expected signer identity (exact)')
    .option('--certificate-identity-regexp <re>', 'expected signer identity (Go RE2, unanchored like cosign)')
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer (exact)')
    .option('--certificate-oidc-issuer-regexp <re>', 'expected OIDC issuer (Go RE2)')
    .option(
      '--certificate-github-workflow-repository <owner/name>',
      'repository every certificate must be issued to (default: the project, from --repo, --image or the profile)',
    )
    .option('--source-uri <uri>', 'provenance source, github.com/<owner>/<repo> (default from the project)')
    .option('--source-tag <tag>', 'provenance must come from exactly this tag')
    .option('--source-versioned-tag <tag>', 'provenance tag semver match (v1 any minor, v1.1 any patch, v1.1.2 exact)')
    .option('--source-branch <branch>', 'provenance must come from this branch')
    .option('--builder-id <id>', 'trusted builder workflow instead of the container generator allow-list')
    .option(
      '--policy <file>',
      `CUE ${CUE_VERSION} policy for the provenance (repeatable; replaces the bundled one)`,
      collect,
    )
    .option(
      '--sbom-policy <file>',
      `CUE ${CUE_VERSION} policy for the SBOM attestation (repeatable; replaces the bundled one)`,
      collect,
    )
    .addOption(
      new Option('--policy-mode <mode>', 'strict: constrained fields must exist; cosign: as cosign verify-attestation')
        .choices(['strict', 'cosign'])
        .default('strict'),
    )
    .option('--sbom-out <file>', 'write the verified SBOM (the attested predicate, byte for byte) to this file')
    .option('--profile <file>', 'project profile (JSON) with image, repositories, identities and policies')
    .option('--no-version-binding', 'do not require certificate refs and the provenance tag to be the verified version')
    .option('--checks <ids>', `comma-separated subset of: ${CHECK_IDS.join(', ')}`, parseChecks)
    .option('--max-blob-size <bytes>', 'largest blob read from the registry (default 64 MiB)', parsePositiveNumber)
    .option('--layout <dir>', 'verify from an OCI image layout written by `save`: no registry, no TUF')
    .option(
      '--trusted-root-digest <sha256:hex>',
      "the trusted root's sha256 (printed by `save`): with --layout, selects the layout's copy of the root",
    )
    .addOption(
      new Option('--format <format>', 'report format (--json is short for --format json)').choices([
        'text',
        'json',
        'markdown',
      ]),
    )
    .option('--provenance-out <file>', 'write the verified SLSA provenance statement (byte for byte) to this file');
}

// Repeatable flags collect into an array; no default, so help shows none.
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

// Node's timers hold at most 2^31-1 ms (about 24 days); a day is already far beyond any useful request timeout.
const MAX_TIMEOUT_SECONDS = 86_400;

function parseTimeout(flag: string): (value: string) => number {
  return (value) => {
    const seconds = parsePositiveNumber(value);
    if (seconds > MAX_TIMEOUT_SECONDS) {
      throw new InvalidArgumentError(`expected a ${flag} of at most ${MAX_TIMEOUT_SECONDS} seconds, got "${value}"`);
    }
    return seconds;
  };
}

function parseChecks(value: string): CheckId[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  const unknown = ids.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new InvalidArgumentError(`expected check ids from ${CHECK_IDS.join(', ')}, got "${value}"`);
  }
  // Report order is fixed, whatever order the user typed.
  return CHECK_IDS.filter((id) => ids.includes(id));
}
