import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { CHECK_IDS, type CheckId } from '../model/check-result.js';
import type { VerifyBundleOptions } from '../commands/verify-bundle.js';
import { CUE_VERSION } from '../policy/cue.js';
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
}

/** Raw options of `verify-release verify-bundle`: the command's options without the positional artifact. */
export type RawVerifyBundleOptions = Omit<VerifyBundleOptions, 'fileOrDigest' | 'env'>;

/** What each command does; main.ts supplies these so the program itself only parses. */
export interface CommandHandlers {
  verify(positionalVersion: string | undefined, options: RawVerifyOptions): Promise<void>;
  sbom(positionalVersion: string | undefined, options: RawVerifyOptions): Promise<void>;
  verifyBundle(fileOrDigest: string, options: RawVerifyBundleOptions): Promise<void>;
  completion(shell: CompletionShell): Promise<void>;
}

/** Declares the commander program: `verify-release [version]` (default), `sbom [version]`, `verify-bundle`. */
export function buildProgram(handlers: CommandHandlers, cliVersion: string): Command {
  const program = new Command('verify-release')
    .description(
      'Decide whether a container image release can be trusted: Sigstore signatures, SLSA provenance, CUE policies and the SBOM, in one command.',
    )
    .version(cliVersion, '-V, --cli-version', 'print the verify-release version')
    .showHelpAfterError(false);

  const verify = addVerifyOptions(
    program
      .command('verify', { isDefault: true })
      .description('verify a release (default command)')
      .argument('[version]', '"latest" (default) or a release tag such as v1.1.2'),
  ).action((version: string | undefined, options: RawVerifyOptions) => handlers.verify(version, options));

  const sbom = addVerifyOptions(
    program
      .command('sbom')
      .description('print the verified CycloneDX SBOM of a release on stdout (nothing on stdout if it does not verify)')
      .argument('[version]', '"latest" (default) or a release tag'),
  ).action((version: string | undefined, options: RawVerifyOptions) => handlers.sbom(version, options));
  // stdout carries the SBOM alone, so the report (text or JSON) goes to stderr.
  const sbomJson = sbom.options.find((option) => option.long === '--json');
  if (sbomJson) sbomJson.description = 'print the report as JSON on stderr (stdout carries the SBOM only)';

  // Help that teaches: the default command's options at the top level, examples, environment, exit codes.
  addTopLevelHelp(program, verify, CUE_VERSION);
  for (const command of [verify, sbom]) command.addHelpText('after', ENVIRONMENT_AND_EXIT_CODES);

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
    .command('completion')
    .description('print a shell completion script: source <(verify-release completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => handlers.completion(shell));

  return program;
}

function addVerifyOptions(command: Command): Command {
  return command
    .option(
      '--version <tag>',
      'pin a release: "latest" or a release tag such as v1.2.3 (same as the positional version)',
    )
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
    .option('--max-blob-size <bytes>', 'largest blob read from the registry (default 64 MiB)', parsePositiveNumber);
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
