import { Help, type Command, type Option } from 'commander';

/** The jobs people come for, runnable as written (the default image is gcp-mysql-backup): [what, command]. */
const EXAMPLES: readonly (readonly [string, string])[] = [
  ['verify-release', 'verify the newest release of the default image'],
  ['verify-release v1.1.2', 'verify a pinned release'],
  ['verify-release --repo acme/app v2.0.0', 'another project with the same release conventions'],
  ['verify-release --json | jq -e .verified', 'in a pipeline: jq exits non-zero unless verified'],
  [
    `verify-release --json | jq -r '.checks[] | select(.status != "pass") | .reason'`,
    'why it did not verify, one line per check',
  ],
  ['verify-release sbom v1.1.2 > sbom.cdx.json', 'extract the SBOM, only if the release verifies'],
  ['source <(verify-release completion bash)', 'shell completion (also zsh, fish)'],
];

/** Every environment variable the CLI reads (README "Environment variables"). */
const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['COSIGN_REPOSITORY', 'also search this repository for signatures and attestations (as cosign)'],
  ['DOCKER_CONFIG', 'directory of config.json with registry credentials (default ~/.docker)'],
  ['GITHUB_TOKEN, GH_TOKEN', 'token for ghcr.io when config.json has none (anonymous otherwise)'],
  ['GITHUB_ACTOR', 'user name sent with that token (default "token")'],
  ['TUF_ROOT', 'cache of the Sigstore trusted root (default ~/.cache/verify-release/tuf, or under $XDG_CACHE_HOME)'],
  ['NO_COLOR', 'any non-empty value turns colour off'],
  ['FORCE_COLOR', '0 turns colour off, 1-3 turn it on even when not a terminal'],
  ['TERM', '"dumb" turns colour off'],
];

/** The meaning of each exit code (src/cli/exit-codes.ts). */
const EXIT_CODES: readonly (readonly [string, string])[] = [
  ['0', 'verified: every selected check passed'],
  ['1', 'a check failed: do not trust this release'],
  ['2', 'usage or configuration error'],
  ['3', 'could not complete: network, registry error, not found'],
];

/**
 * Flags people bring from cosign, slsa-verifier and `gh attestation` that commander's spelling-based suggestion
 * cannot map, with what to type instead.
 */
const FAMILIAR_FLAGS: Readonly<Record<string, string>> = {
  '--output': '--json',
  '-o': '--json',
  '--format': '--json',
  '--owner': '--repo <owner/name>',
  '--source': '--source-uri',
  '--type': '--checks provenance or --checks sbom',
  '--output-file': '--sbom-out <file>',
};

function section(title: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([term]) => term.length));
  return `${title}:\n${rows.map(([term, meaning]) => `  ${term.padEnd(width)}  ${meaning}`).join('\n')}`;
}

/** Environment variables and exit codes: shown by every command that verifies a release. */
export const ENVIRONMENT_AND_EXIT_CODES = `\n${section('Environment variables', ENVIRONMENT)}\n\n${section('Exit codes', EXIT_CODES)}`;

/**
 * Top-level help teaches the default command: its options (so `verify-release --help` lists them, not only -V and
 * -h), examples for the main jobs, the environment variables read and the exit codes.
 */
export function addTopLevelHelp(program: Command, defaultCommand: Command, cueVersion: string): void {
  program.configureHelp({
    visibleOptions(this: Help, command: Command): Option[] {
      const own = Help.prototype.visibleOptions.call(this, command);
      if (command !== program) return own;
      return [...defaultCommand.options.filter((option) => !option.hidden), ...own];
    },
  });
  const examples = EXAMPLES.map(([command, what]) => `  # ${what}\n  ${command}`).join('\n');
  program.addHelpText(
    'after',
    `\nThe options above are those of \`verify\`, the default command.\n\nExamples:\n${examples}\n${ENVIRONMENT_AND_EXIT_CODES}\n\nCUE policies are evaluated with CUE ${cueVersion} (cue-wasm).`,
  );
}

/**
 * One line for a commander usage error: its "(Did you mean …?)" line joined to the message, and a suggestion for
 * flags from other tools that spelling cannot find (`--output json` → `--json`).
 */
export function usageErrorLine(text: string): string {
  const line = text
    .replace(/^error: /, '')
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(' ')
    .replace('(Did you mean', '(did you mean');
  const unknown = /^unknown option '([^']+)'$/.exec(line)?.[1];
  const familiar = unknown !== undefined ? FAMILIAR_FLAGS[unknown] : undefined;
  if (familiar !== undefined) return `${line} (did you mean ${familiar}?)`;
  // `--version` pins a release here, as the design has it; people often mean the tool's own version.
  if (line.startsWith("option '--version <tag>' argument missing")) {
    return `${line}: --version pins a release (e.g. --version v1.1.2); verify-release's own version is \`verify-release version\` or -V`;
  }
  return line;
}
