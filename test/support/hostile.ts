/**
 * Bodies a hostile registry serves to exhaust memory or time (issue 7, item 5). Each is built once and served as
 * often as asked; the fault server streams them, the client must not hold more than one at a time.
 */

const encoder = new TextEncoder();

/** `{"tags":[…]}` of exactly `bytes` bytes, the array filled with `item` repeated (e.g. `{}`, `"v1"`). */
export function tagPage(bytes: number, item: string): Uint8Array {
  return fillArray('{"tags":[', ']}', bytes, item);
}

/** A JSON array of exactly `bytes` bytes filled with `item` (`[{},{},…]`), padded with spaces. */
export function filledArray(bytes: number, item: string): Uint8Array {
  return fillArray('[', ']', bytes, item);
}

/** `[[[…]]]` nested `depth` deep. */
export function nested(depth: number): Uint8Array {
  return encoder.encode(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

/** `{"tags":[]}` padded with whitespace to exactly `bytes` bytes: valid, empty, and big. */
export function paddedEmptyTagPage(bytes: number): Uint8Array {
  const head = encoder.encode('{"tags":[]}');
  const out = new Uint8Array(bytes).fill(0x20);
  out.set(head, 0);
  return out;
}

function fillArray(open: string, close: string, bytes: number, item: string): Uint8Array {
  const head = encoder.encode(open);
  const tail = encoder.encode(close);
  const first = encoder.encode(item);
  const next = encoder.encode(`,${item}`);
  // Spaces after the closing bracket are valid JSON whitespace and make the size exact.
  const out = new Uint8Array(bytes).fill(0x20);
  out.set(head, 0);
  out.set(first, head.length);
  let offset = head.length + first.length;
  while (offset + next.length + tail.length <= bytes) {
    out.set(next, offset);
    offset += next.length;
  }
  out.set(tail, offset);
  return out;
}
