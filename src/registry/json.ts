import { RegistryError } from '../errors.js';

/** Go's encoding/json (and so cosign and crane) refuses documents nested deeper than this. */
export const MAX_JSON_DEPTH = 10_000;
/**
 * Values (objects, arrays and their members) in one document. Real manifests, tag pages and bundles hold thousands;
 * a 127 MiB `[{},{},…]` holds 42 million, which JSON.parse would turn into gigabytes of heap.
 */
export const MAX_JSON_VALUES = 1_000_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * A cheap pass over JSON bytes before JSON.parse sees them: counts nesting and values (outside strings) and refuses
 * a document that would exhaust the stack or the heap. It does not validate the syntax; JSON.parse does that after.
 *
 * @throws RegistryError TOO_LARGE when nested deeper than MAX_JSON_DEPTH or holding more than `maxValues` values.
 */
export function scanJson(bytes: Uint8Array, what: string, maxValues = MAX_JSON_VALUES): void {
  let depth = 0;
  let values = 1;
  for (let i = 0; i < bytes.length; i++) {
    switch (bytes[i]) {
      case QUOTE:
        i = closingQuote(bytes, i);
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (++depth > MAX_JSON_DEPTH) {
          throw new RegistryError(
            'TOO_LARGE',
            `${what} is too large: expected JSON nested at most ${MAX_JSON_DEPTH} deep, got deeper`,
          );
        }
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        depth--;
        break;
      case COMMA:
        if (++values > maxValues) {
          throw new RegistryError(
            'TOO_LARGE',
            `${what} is too large: expected at most ${maxValues} JSON values, got more`,
          );
        }
        break;
    }
  }
}

/**
 * The offset of the quote that closes the string opened at `openingQuote` (the end of the bytes if none does).
 * Strings are most of a document's bytes (base64 payloads): indexOf skips them natively instead of byte by byte. A
 * quote is escaped when an odd number of backslashes precede it; each backslash run is counted once, so this stays
 * linear.
 */
function closingQuote(bytes: Uint8Array, openingQuote: number): number {
  let at = openingQuote;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at === -1) return bytes.length;
    let backslashes = 0;
    while (at - backslashes - 1 > openingQuote && bytes[at - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/**
 * Parses registry JSON after scanJson: UTF-8 (fatal on bad bytes), bounded nesting and size.
 *
 * @throws RegistryError TOO_LARGE (see scanJson), MALFORMED_RESPONSE for anything JSON.parse refuses.
 */
export function parseJson(bytes: Uint8Array, what: string, maxValues = MAX_JSON_VALUES): unknown {
  scanJson(bytes, what, maxValues);
  return parseJsonText(decodeJson(bytes, what), what);
}

/**
 * Like parseJson, but takes the bytes out of `holder` once decoded, so that a large document's bytes can be freed
 * while JSON.parse runs: at most two copies of it (text and parsed) are alive at once, not three.
 */
export function parseJsonReleasing(holder: { bytes?: Uint8Array }, what: string): unknown {
  const bytes = holder.bytes;
  if (bytes === undefined) throw new RegistryError('MALFORMED_RESPONSE', `expected JSON for ${what}, got nothing`);
  scanJson(bytes, what);
  const text = decodeJson(bytes, what);
  delete holder.bytes;
  return parseJsonText(text, what);
}

function decodeJson(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new RegistryError('MALFORMED_RESPONSE', `expected JSON for ${what}, got unparseable content`, {
      cause: error,
    });
  }
}

function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RegistryError('MALFORMED_RESPONSE', `expected JSON for ${what}, got unparseable content`, {
      cause: error,
    });
  }
}
