import type { Command, Option } from 'commander';

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** What completion needs to know about one option, read from commander's declaration. */
interface OptionSpec {
  /** Every spelling, e.g. `-q` and `--quiet`. */
  names: string[];
  description: string;
  /** What its value completes to: nothing (a flag), file names, fixed choices, or free text. */
  value: 'none' | 'file' | 'text' | readonly string[];
  repeatable: boolean;
}

interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** Fixed choices of the first positional argument (`completion <shell>`), if any. */
  argumentChoices: readonly string[];
}

/** Names that go into a script unquoted: commands and flags are ours, but the script must not depend on that. */
const SAFE_WORD = /^-{0,2}[A-Za-z0-9][A-Za-z0-9-]*$/;

function safeWord(word: string): string {
  if (!SAFE_WORD.test(word)) throw new Error(`completion: unexpected command or option name ${JSON.stringify(word)}`);
  return word;
}

function optionSpec(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((name): name is string => name !== undefined).map(safeWord);
  let value: OptionSpec['value'] = 'none';
  if (option.required || option.optional) {
    if (option.argChoices) value = option.argChoices.map(safeWord);
    else value = /<(file|file-or-digest)>/.test(option.flags) ? 'file' : 'text';
  }
  // Repeatable options collect into an array (program.ts `collect`), so their parser takes the previous value too;
  // commander's own parser for choices does as well, but only ever keeps one.
  const repeatable = option.parseArg !== undefined && option.parseArg.length >= 2 && !option.argChoices;
  return { names, description: option.description, value, repeatable };
}

/** Reads the program's commands and options, so the scripts stay in sync with what the parser accepts. */
function describeProgram(program: Command): { defaultCommand: string; commands: CommandSpec[] } {
  const help = program.createHelp();
  const commands = program.commands.map((command) => ({
    name: safeWord(command.name()),
    description: command.description(),
    options: help.visibleOptions(command).map(optionSpec),
    argumentChoices: (command.registeredArguments[0]?.argChoices ?? []).map(safeWord),
  }));
  // The first command is the default one (program.ts declares `verify` first, with isDefault).
  return { defaultCommand: commands[0]?.name ?? '', commands };
}

/** The completion script for `shell`, generated from the commander program. */
export function completionScript(program: Command, shell: CompletionShell): string {
  const described = describeProgram(program);
  switch (shell) {
    case 'bash':
      return bashScript(described);
    case 'zsh':
      return zshScript(described);
    case 'fish':
      return fishScript(described);
  }
}

function flagsTaking(options: OptionSpec[], value: (spec: OptionSpec) => boolean): string {
  return options
    .filter(value)
    .flatMap((option) => option.names)
    .join('|');
}

function bashScript({ defaultCommand, commands }: ReturnType<typeof describeProgram>): string {
  const names = commands.map((command) => command.name);
  const perCommand = commands.map((command) => {
    const cases: string[] = [];
    const files = flagsTaking(command.options, (option) => option.value === 'file');
    if (files) cases.push(`        ${files}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;`);
    for (const option of command.options) {
      if (Array.isArray(option.value)) {
        cases.push(
          `        ${option.names.join('|')}) COMPREPLY=($(compgen -W "${option.value.join(' ')}" -- "$cur")); return 0 ;;`,
        );
      }
    }
    const text = flagsTaking(command.options, (option) => option.value === 'text');
    if (text) cases.push(`        ${text}) return 0 ;;`);
    const words = command.argumentChoices.join(' ');
    return [
      `    ${command.name})`,
      ...(cases.length > 0 ? ['      case "$prev" in', ...cases, '      esac'] : []),
      `      options="${command.options.flatMap((option) => option.names).join(' ')}"`,
      `      arguments="${words}"`,
      '      ;;',
    ].join('\n');
  });
  return `# verify-release completion for bash. Load it with: source <(verify-release completion bash)
_verify_release() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command="" given="" options="" arguments="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${names.join('|')}) command="\${COMP_WORDS[i]}"; given=1; break ;;
    esac
  done
  case "\${command:-${defaultCommand}}" in
${perCommand.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  elif [[ -z "$given" ]]; then
    COMPREPLY=($(compgen -W "${names.join(' ')} latest" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$arguments" -- "$cur"))
  fi
  return 0
}
complete -o default -F _verify_release verify-release
`;
}

/** Text inside a single-quoted zsh word and an `_arguments` description: quotes, brackets and colons escaped. */
function zshDescription(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[[\]:\\]/g, '\\$&')
    .replace(/'/g, `'\\''`);
}

function zshOption(option: OptionSpec): string {
  let action = '';
  if (option.value === 'file') action = ':file:_files';
  else if (option.value === 'text') action = ':value: ';
  else if (Array.isArray(option.value)) action = `:value:(${option.value.join(' ')})`;
  const description = `[${zshDescription(option.description)}]${action}`;
  const repeat = option.repeatable ? '*' : '';
  if (option.names.length === 1) return `'${repeat}${option.names[0]}${description}'`;
  const exclusive = option.repeatable ? '' : `(${option.names.join(' ')})`;
  return `'${exclusive}${repeat}'{${option.names.join(',')}}'${description}'`;
}

function zshScript({ defaultCommand, commands }: ReturnType<typeof describeProgram>): string {
  const specs = commands.map((command) => {
    const positional =
      command.argumentChoices.length > 0 ? ` '1:${command.name}:(${command.argumentChoices.join(' ')})'` : '';
    return `    ${command.name}) _arguments -s ${command.options.map(zshOption).join(' ')}${positional} ;;`;
  });
  const described = commands.map((command) => `    '${command.name}:${zshDescription(command.description)}'`);
  return `#compdef verify-release
# verify-release completion for zsh. Load it with: source <(verify-release completion zsh)
_verify_release() {
  local -a commands
  commands=(
${described.join('\n')}
  )
  if (( CURRENT == 2 )) && [[ $words[CURRENT] != -* ]]; then
    _describe command commands
    return
  fi
  local command=$words[2]
  if (( \${commands[(I)$command:*]} )); then
    shift words
    (( CURRENT-- ))
  else
    command=${defaultCommand}
  fi
  case $command in
${specs.join('\n')}
  esac
}
compdef _verify_release verify-release
`;
}

/** A single-quoted fish word. */
function fishQuote(text: string): string {
  return `'${text.replace(/\s+/g, ' ').replace(/[\\']/g, '\\$&')}'`;
}

function fishScript({ defaultCommand, commands }: ReturnType<typeof describeProgram>): string {
  const others = commands
    .map((command) => command.name)
    .filter((name) => name !== defaultCommand)
    .join(' ');
  const lines = [
    '# verify-release completion for fish. Load it with: verify-release completion fish | source',
    'complete -c verify-release -f',
    ...commands.map(
      (command) =>
        `complete -c verify-release -n '__fish_use_subcommand' -a ${command.name} -d ${fishQuote(command.description)}`,
    ),
  ];
  for (const command of commands) {
    const condition =
      command.name === defaultCommand
        ? `'not __fish_seen_subcommand_from ${others}'`
        : `'__fish_seen_subcommand_from ${command.name}'`;
    for (const option of command.options) {
      const flags = option.names
        .map((name) => (name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`))
        .join(' ');
      let value = '';
      if (option.value === 'file') value = ' -r -F';
      else if (option.value === 'text') value = ' -x';
      else if (Array.isArray(option.value)) value = ` -x -a ${fishQuote(option.value.join(' '))}`;
      lines.push(`complete -c verify-release -n ${condition} ${flags}${value} -d ${fishQuote(option.description)}`);
    }
    if (command.argumentChoices.length > 0) {
      lines.push(`complete -c verify-release -n ${condition} -a ${fishQuote(command.argumentChoices.join(' '))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
