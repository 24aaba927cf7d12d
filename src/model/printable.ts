/**
 * The one sanitizer for text that came from untrusted data (registry answers, certificates, bundles, statements)
 * on its way to a terminal. C0 and C1 controls (newline, carriage return, ESC and so every ANSI sequence, DEL) and
 * the bidirectional formatting characters (embeddings, overrides, isolates, the LRM/RLM/ALM marks, line and
 * paragraph separators) could make such data draw lines, colours or a reordered "VERIFIED" of its own; each is
 * shown escaped, `\uXXXX` (`\n`, `\t`, `\r` for the common ones), so it is visible and inert.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set less the C0 controls, which `JSON.stringify` escapes in strings and uses for layout outside them. */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

const escapeOne = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with every control and bidirectional formatting character escaped (idempotent). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => SHORT[char] ?? escapeOne(char));
}

/** Whether `text` can be written to a terminal as it is. */
export function isPrintable(text: string): boolean {
  return !new RegExp(UNPRINTABLE.source).test(text);
}

/**
 * JSON text (from `JSON.stringify`) with the characters it leaves raw (DEL, C1 controls, the bidirectional
 * formatting characters, U+2028/U+2029) written as `\uXXXX` escapes: the same JSON value, safe on a terminal.
 * `JSON.stringify` already escapes C0 controls, and emits these characters only inside strings.
 */
export function printableJson(json: string): string {
  return json.replace(RAW_IN_JSON, escapeOne);
}
