import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionScript } from '../../../src/cli/completion.js';
import { buildProgram, declareAllOptions } from '../../../src/cli/program.js';

const nothing = (): Promise<void> => Promise.resolve();
const program = buildProgram(
  {
    verify: nothing,
    sbom: nothing,
    provenance: nothing,
    save: nothing,
    verifyBundle: nothing,
    version: nothing,
    policy: nothing,
    completion: nothing,
  },
  '0.0.0',
);
// As `verify-release completion` does (program.ts declares some commands' options only when they are needed).
declareAllOptions(program);

/** Every long option of every command, as the parser accepts them. */
function longOptions(command: Command): string[] {
  return command.options.flatMap((option) => (option.long !== undefined ? [option.long] : []));
}

/** How users load it: `source <(verify-release completion bash)`; here the script comes from the environment. */
const LOAD = `source <(printf '%s' "$COMPLETION_SCRIPT")`;

function inBash(command: string): string {
  return execFileSync('bash', ['-c', command], {
    env: { PATH: process.env.PATH, COMPLETION_SCRIPT: completionScript(program, 'bash') },
    encoding: 'utf8',
  });
}

/**
 * Sources the bash script in one real bash, then completes each of `lines` (the last word being completed) the way
 * bash's programmable completion calls the function, and returns each COMPREPLY.
 */
function bashComplete(...lines: string[][]): string[][] {
  const calls = lines.map((words) => {
    const assignment = words.map((word) => `'${word}'`).join(' ');
    return `COMP_WORDS=(${assignment}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _verify_release; echo "\${COMPREPLY[*]}"`;
  });
  return inBash([LOAD, ...calls].join('\n'))
    .split('\n')
    .slice(0, lines.length)
    .map((line) => line.split(' ').filter((word) => word.length > 0));
}

describe('bash completion', () => {
  it('loads in bash and registers for verify-release', () => {
    expect(inBash(`${LOAD} && complete -p verify-release`).trim()).toBe(
      'complete -o default -F _verify_release verify-release',
    );
  });

  it('completes commands, the default command’s options, choices and subcommand options', () => {
    expect(
      bashComplete(
        ['verify-release', 'ver'],
        ['verify-release', '--pol'],
        ['verify-release', '--policy-mode', ''],
        ['verify-release', 'sbom', 'v1.1.2', '--sbom-o'],
        ['verify-release', 'verify-bundle', '--b'],
        ['verify-release', 'completion', ''],
        // A value nobody can guess completes to nothing rather than to option names.
        ['verify-release', '--image', ''],
      ),
    ).toEqual([
      ['verify', 'verify-bundle', 'version'],
      ['--policy', '--policy-mode'],
      ['strict', 'cosign'],
      ['--sbom-out'],
      ['--bundle'],
      ['bash', 'zsh', 'fish'],
      [],
    ]);
  });

  it('offers every option the parser accepts, so it cannot fall out of sync', () => {
    const offered = bashComplete(...program.commands.map((command) => ['verify-release', command.name(), '--']));
    program.commands.forEach((command, i) => {
      expect(offered[i]).toEqual(expect.arrayContaining([...longOptions(command), '--help']));
    });
  });
});

// zsh and fish are not installed on the machines this suite runs on, so their scripts cannot be loaded here. What
// is checked instead: the zsh script's quoting and structure parse (bash -n; the constructs it uses — arrays,
// [[ ]], (( )), case, brace expansion — share zsh's grammar), and every fish line tokenizes under fish's quoting
// rules into a `complete` command; both list every command and option.
describe('zsh completion', () => {
  const script = completionScript(program, 'zsh');

  it('is a #compdef script whose quoting and structure parse', () => {
    expect(script.startsWith('#compdef verify-release\n')).toBe(true);
    expect(() => execFileSync('bash', ['-n', '-c', script])).not.toThrow();
    expect(script).toContain('compdef _verify_release verify-release');
  });

  it('lists every command and, per command, every option', () => {
    for (const command of program.commands) {
      expect(script).toContain(`'${command.name()}:`);
      const line = script.split('\n').find((text) => text.startsWith(`    ${command.name()}) _arguments`));
      for (const long of longOptions(command)) expect(line).toMatch(new RegExp(`[{'*,]${long}[\\[,}]`));
    }
    expect(script).toContain(`]:value:(strict cosign)'`);
    expect(script).toContain(`'1:completion:(bash zsh fish)'`);
  });
});

/** Splits a fish command line into words under fish's quoting: '…' with \\ and \' escapes, spaces between. */
function fishWords(line: string): string[] {
  const words: string[] = [];
  const token = /'((?:[^'\\]|\\[\\'])*)'|([^\s']+)/gy;
  let rest = line;
  while (rest.length > 0) {
    rest = rest.replace(/^\s+/, '');
    token.lastIndex = 0;
    const match = token.exec(rest);
    if (match === null) throw new Error(`fish: unbalanced quoting in ${line}`);
    words.push(match[1] !== undefined ? match[1].replace(/\\([\\'])/g, '$1') : match[2]!);
    rest = rest.slice(match[0].length);
  }
  return words;
}

describe('fish completion', () => {
  const lines = completionScript(program, 'fish')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'));

  it('is one `complete -c verify-release` command per line, each with balanced quoting', () => {
    for (const line of lines) expect(fishWords(line).slice(0, 3)).toEqual(['complete', '-c', 'verify-release']);
  });

  it('lists every command and, per command, every option under that command’s condition', () => {
    const parsed = lines.map(fishWords);
    for (const command of program.commands) {
      expect(parsed.some((words) => words.includes('-a') && words[words.indexOf('-a') + 1] === command.name())).toBe(
        true,
      );
      const ofCommand = parsed.filter((words) => {
        const condition = words[words.indexOf('-n') + 1] ?? '';
        return command.name() === 'verify'
          ? condition.startsWith('not __fish_seen_subcommand_from')
          : condition === `__fish_seen_subcommand_from ${command.name()}`;
      });
      for (const long of longOptions(command)) {
        expect(ofCommand.some((words) => words[words.indexOf('-l') + 1] === long.slice(2))).toBe(true);
      }
    }
  });
});
