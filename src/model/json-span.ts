import { type VerificationError, verificationError } from '../errors.js';

/**
 * A scanner for JSON text that finds where a member's value is, so that the value can be taken out byte for byte
 * (re-serialising a parsed value would not reproduce what was signed). It relies on the text being valid JSON:
 * parse it first.
 */

/** Start and end (exclusive) offsets of a JSON value inside a text. */
export interface TextSpan {
  start: number;
  end: number;
}

const malformed = (detail: string): VerificationError =>
  verificationError('BUNDLE_INVALID', `statement JSON: ${detail}`);

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, at: number): number {
  let i = at;
  while (i < text.length && WHITESPACE.has(text[i] ?? '')) i += 1;
  return i;
}

// Returns the offset just past the string literal that starts at `at` (which must be a `"`). indexOf finds each
// candidate quote natively (strings are most of a statement); one preceded by an odd backslash run is escaped.
function skipString(text: string, at: number): number {
  let quote = at;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) throw malformed(`expected a closing quote for the string at ${at}, got end of text`);
    let backslashes = 0;
    while (text[quote - backslashes - 1] === '\\') backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
}

// Returns the offset just past the JSON value that starts at `at`; strings are skipped whole so that brackets
// inside them do not count.
function skipValue(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return skipString(text, at);
  if (first !== '{' && first !== '[') {
    let i = at;
    while (i < text.length && !WHITESPACE.has(text[i] ?? '') && !',]}'.includes(text[i] ?? '')) i += 1;
    if (i === at) throw malformed(`expected a value at ${at}, got ${JSON.stringify(first ?? 'end of text')}`);
    return i;
  }
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') depth -= 1;
    i += 1;
    if (depth === 0) return i;
  }
  throw malformed(`expected the value at ${at} to close, got end of text`);
}

/**
 * Finds the span of the value of a top-level member of a JSON object text, e.g. `predicate` in an in-toto
 * statement, without re-serialising it. The text must be valid JSON (parse it first); a duplicated member is
 * refused because JSON parsers disagree on which one wins. Returns undefined when the member is absent.
 */
export function findTopLevelMemberSpan(text: string, member: string): TextSpan | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') throw malformed(`expected an object, got ${JSON.stringify(text[i] ?? 'end of text')}`);
  i = skipWhitespace(text, i + 1);
  let found: TextSpan | undefined;
  while (text[i] !== '}') {
    if (text[i] !== '"') throw malformed(`expected a member name at ${i}`);
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ':') throw malformed(`expected ':' at ${i}`);
    const start = skipWhitespace(text, i + 1);
    const end = skipValue(text, start);
    if (key === member) {
      if (found) throw malformed(`expected one ${JSON.stringify(member)} member, got several`);
      found = { start, end };
    }
    i = skipWhitespace(text, end);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
    else if (text[i] !== '}') throw malformed(`expected ',' or '}' at ${i}`);
  }
  return found;
}
