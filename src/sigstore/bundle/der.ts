import { VerificationError } from '../../errors.js';

type DerCode = 'CERTIFICATE_ERROR' | 'TIMESTAMP_ERROR' | 'BUNDLE_INVALID';

/** Recursion limit: real certificates and RFC3161 tokens nest far less deeply. */
const MAX_DEPTH = 64;

/**
 * Walks one DER element strictly and throws unless `bytes` is exactly one well-formed element: definite,
 * minimally encoded lengths, constructed contents made of whole elements, and no trailing bytes.
 * The library's ASN.1 parser is lenient (it half-parses trailing garbage and non-minimal lengths), so bytes are
 * checked here before they reach it.
 */
export function verifyStrictDer(bytes: Uint8Array, what: string, code: DerCode): void {
  const fail = (reason: string): never => {
    throw new VerificationError(code, `${what}: expected strict DER, got ${reason}`);
  };
  const end = walk(bytes, 0, bytes.length, 0, fail);
  if (end !== bytes.length) fail(`${bytes.length - end} trailing bytes`);
}

/** Walks the element at `offset` and returns the offset just after it. */
function walk(bytes: Uint8Array, offset: number, limit: number, depth: number, fail: (r: string) => never): number {
  if (depth > MAX_DEPTH) fail('nesting deeper than 64');
  let pos = offset;
  const byte = (): number => {
    if (pos >= limit) fail(`truncated element at byte ${pos}`);
    return bytes[pos++] as number;
  };
  const tag = byte();
  const constructed = (tag & 0x20) !== 0;
  if ((tag & 0x1f) === 0x1f) {
    // High tag number form: base-128 digits, the first may not be 0x80 (non-minimal).
    let digit = byte();
    if (digit === 0x80) fail(`non-minimal tag number at byte ${pos - 1}`);
    while (digit & 0x80) digit = byte();
  }
  const first = byte();
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    return fail(`indefinite length at byte ${pos - 1}`);
  } else {
    const count = first & 0x7f;
    if (count > 4) fail(`length of ${count} bytes at byte ${pos - 1}`);
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = byte();
      if (i === 0 && b === 0) fail(`non-minimal length at byte ${pos - 1}`);
      length = length * 256 + b;
    }
    if (length < 0x80) fail(`long-form length ${length} at byte ${pos - 1}`);
  }
  const contentEnd = pos + length;
  if (contentEnd > limit) fail(`length ${length} past the end of its container at byte ${pos}`);
  if (constructed) {
    while (pos < contentEnd) pos = walk(bytes, pos, contentEnd, depth + 1, fail);
  }
  return contentEnd;
}
