/**
 * cue-wasm reports CUE's first error as a bare message, without a position (its Go side returns `err.Error()`).
 * These helpers find the position by re-compiling prefixes of the policy, and reduce the message to a fixed
 * phrase, so that an error never echoes the file's content (a token file given as a policy must not end up in CI
 * logs).
 */

/** 1-based line and column of an error in a policy. */
export interface SourcePosition {
  line: number;
  column: number;
  /** Set when the time budget ran out: the error is at or before `line`. */
  approximate?: true;
}

/** Compiles CUE text and returns its error message, or undefined when it compiles (incomplete values included). */
export type CompileError = (source: string) => string | undefined;

/**
 * Closes what `prefix` leaves open (strings, then brackets), so that a prefix cut inside a struct reports the
 * same error as the whole file rather than "expected '}', found 'EOF'". Comments and string contents are skipped.
 */
export function closeOpenBrackets(prefix: string, closeStrings = true): string {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < prefix.length; i += 1) {
    const char = prefix[i]!;
    if (quote !== undefined) {
      if (char === '\\') i += 1;
      else if (prefix.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      }
      continue;
    }
    if (char === '/' && prefix[i + 1] === '/') {
      const end = prefix.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (char === '"' || char === "'") {
      quote = prefix.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
      i += quote.length - 1;
    } else if (char === '{') stack.push('}');
    else if (char === '[') stack.push(']');
    else if (char === '(') stack.push(')');
    else if ((char === '}' || char === ']' || char === ')') && stack.at(-1) === char) stack.pop();
  }
  const closeQuote = quote === undefined || !closeStrings ? '' : quote.length === 3 ? `\n${quote}` : quote;
  return `${closeQuote}\n${stack.reverse().join('\n')}`;
}

// Smallest n in [low, high] with test(n) true, assuming test(high) is true (binary search). Stops early, with the
// smallest n known to pass, once `exhausted()` says the time budget is spent.
function smallest(low: number, high: number, test: (n: number) => boolean, exhausted: () => boolean): number {
  while (low < high && !exhausted()) {
    const middle = Math.floor((low + high) / 2);
    if (test(middle)) high = middle;
    else low = middle + 1;
  }
  return high;
}

// CUE appends "(and N more errors)" when parsing found several; the first error is what is located.
function normalize(message: string | undefined): string | undefined {
  return message?.replace(/ \(and \d+ more errors?\)$/, '');
}

/**
 * Appended to every prefix so that a prefix without the error fails fast instead of being evaluated (or, worse,
 * exported to JSON, which is what makes CUE v0.4.3 slow on large files): a stray `)` for a syntax error (parsing
 * stops there, before any evaluation), a conflict in a field of its own for an evaluation error (CUE reports the
 * file's own error first).
 */
const SYNTAX_SENTINELS = ['\n)\n', '\n]\n'];
const EVALUATION_SENTINEL = '\nverifyReleaseLocateSentinel: 1 & 2\n';

function pickSentinel(
  source: string,
  target: string | undefined,
  closeStrings: boolean,
  compile: CompileError,
): string {
  const closed = source + closeOpenBrackets(source, closeStrings);
  for (const sentinel of [...SYNTAX_SENTINELS, EVALUATION_SENTINEL]) {
    if (normalize(compile(sentinel)) === target) continue;
    if (normalize(compile(closed + sentinel)) === target) return sentinel;
  }
  return '';
}

/** Time spent locating one error at most; a policy is at most 1 MiB, and CUE v0.4.3 takes seconds on such a file. */
const LOCATE_BUDGET_MS = 10_000;

/**
 * Where `message` (the error of the whole `source`) arises: the shortest prefix of the source, completed by
 * {@link closeOpenBrackets}, that fails with the same message, first by lines, then by characters within the
 * line. Reports the start of the token that ends that prefix. Binary search: O(log n) compilations; past the time
 * budget (only ever reached by very large files) the search stops at the first line known to fail, column 1, and
 * says the position is approximate.
 */
export function locateError(
  source: string,
  message: string,
  compile: CompileError,
  budgetMs = LOCATE_BUDGET_MS,
): SourcePosition {
  const deadline = Date.now() + budgetMs;
  const exhausted = () => Date.now() > deadline;
  const lines = source.split('\n');
  const target = normalize(message);
  // An unterminated string or comment is the error itself: leave it open.
  const closeStrings = !/not terminated/.test(message);
  const sentinel = pickSentinel(source, target, closeStrings, compile);
  const fails = (prefix: string) =>
    normalize(compile(prefix + closeOpenBrackets(prefix, closeStrings) + sentinel)) === target;
  const line = smallest(1, lines.length, (n) => n === lines.length || fails(lines.slice(0, n).join('\n')), exhausted);
  const before = lines.slice(0, line - 1).join('\n') + (line > 1 ? '\n' : '');
  const text = lines[line - 1] ?? '';
  // An error at the end of the file (an unclosed struct, say) is reported just after its last character.
  if (/found 'EOF'/.test(message) && line === lines.length && !exhausted()) {
    return { line, column: text.length + 1 };
  }
  if (exhausted()) return { line, column: 1, approximate: true };
  const end = smallest(0, text.length, (n) => n === text.length || fails(before + text.slice(0, n)), exhausted);
  if (exhausted()) return { line, column: 1, approximate: true };
  let start = end;
  while (start > 0 && /[\p{L}\p{N}_$#]/u.test(text[start - 1]!)) start -= 1;
  if (start === end && end > 0) start = end - 1;
  return { line, column: Math.max(1, start + 1) };
}

/** Fixed phrases for CUE's error messages; anything from the file (labels, values, identifiers) is dropped. */
const PHRASES: [pattern: RegExp, phrase: (match: RegExpExecArray) => string][] = [
  [/expected ([^,]{1,40}), found '([A-Z]+|EOF)'/, (m) => `syntax error: expected ${grammar(m[1]!)}, found ${m[2]!}`],
  [
    /expected ([^,]{1,40}), found '([^']{1,3})'/,
    (m) => `syntax error: expected ${grammar(m[1]!)}, found ${/^[^\sa-z0-9']{1,3}$/.test(m[2]!) ? `'${m[2]!}'` : '…'}`,
  ],
  [/string literal not terminated/, () => 'syntax error: string literal not terminated'],
  [/comment not terminated/, () => 'syntax error: comment not terminated'],
  [/illegal character/, () => 'syntax error: illegal character'],
  [/missing ',' (?:in|before)/, () => "syntax error: missing ','"],
  [/reference "[^"]*" not found/, () => 'reference not found'],
  // A package path such as `encoding/yaml` is shown (lowercase words only, so no token can come through).
  [
    /builtin package "([^"]*)" undefined/,
    (m) =>
      /^[a-z][a-z0-9]{0,20}(?:\/[a-z][a-z0-9]{0,20}){0,3}$/.test(m[1]!)
        ? `unknown builtin package "${m[1]!}" (not in CUE v0.4.3)`
        : 'unknown builtin package (not in CUE v0.4.3)',
  ],
  [/conflicting values/, () => 'conflicting values'],
  [/out of bound/, () => 'value out of bound'],
  [/cycle/, () => 'reference cycle'],
  [/invalid (?:interpolation|operand|operation)/, () => 'invalid expression'],
  [/cannot use|invalid argument|call of non-function/, () => 'invalid expression'],
  [/import/, () => 'invalid import'],
];

const GRAMMAR_WORDS = new Set(['label', 'or', 'operand', 'expression', 'value', 'declaration', 'identifier', 'string']);

// Grammar words and quoted tokens only (e.g. `label or ':'`, `'}'`, `'IDENT'`); anything else is replaced, so no
// word of the file can come through.
function grammar(text: string): string {
  const words = text.split(' ');
  return words.every((word) => GRAMMAR_WORDS.has(word) || /^'[^a-z0-9']{1,8}'$/.test(word)) ? text : '…';
}

/** A short message for a broken policy that contains nothing from the file. */
export function sanitizeCueError(message: string): string {
  const first = message.split('\n')[0] ?? '';
  for (const [pattern, phrase] of PHRASES) {
    const match = pattern.exec(first);
    if (match) return phrase(match);
  }
  return 'invalid CUE';
}
