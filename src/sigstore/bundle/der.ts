import { type VerificationStep, verificationError } from '../../errors.js';

type DerCode = Extract<VerificationStep, 'CERTIFICATE_ERROR' | 'TIMESTAMP_ERROR' | 'BUNDLE_INVALID'>;

/** Recursion limit: real certificates and RFC3161 tokens nest far less deeply. */
const MAX_DEPTH = 64;

/**
 * What a DER structure must look like, as far as verify-release needs it: each element's identifier octet (class,
 * constructed bit and tag number in one byte), in order, optional elements allowed to be absent. A schema without
 * `fields`, `each` or `encapsulates` checks its element's tag only (ASN.1 ANY, or parts nobody reads).
 */
export interface DerSchema {
  /** Name for messages, e.g. `TSTInfo.genTime`. */
  name: string;
  /** The identifier octets accepted (a CHOICE lists several). */
  tags: readonly number[];
  optional?: boolean;
  /** A constructed element's children in order; nothing else may follow them. */
  fields?: readonly DerSchema[];
  /** A constructed element whose every child (SEQUENCE OF / SET OF) has this shape. */
  each?: DerSchema;
  /** A primitive element (OCTET STRING) whose contents are exactly one DER element of this shape. */
  encapsulates?: DerSchema;
}

/** One element as walked: identifier octet (the first byte), where its contents are, and its children. */
interface DerNode {
  tag: number;
  offset: number;
  contentStart: number;
  end: number;
  children?: DerNode[];
}

type Fail = (reason: string) => never;

/**
 * Walks one DER element strictly and throws unless `bytes` is exactly one well-formed element: definite,
 * minimally encoded lengths, constructed contents made of whole elements, and no trailing bytes. With a `schema`,
 * every element it describes must also have the expected tag, in the expected place: a SET where a SEQUENCE
 * belongs is malformed DER even if its contents parse.
 * The library's ASN.1 parser is lenient (it half-parses trailing garbage and non-minimal lengths, and navigates by
 * position without looking at tags), so bytes are checked here before they reach it.
 *
 * @throws VerificationError with `code`, naming `what` and the first problem.
 */
export function verifyStrictDer(bytes: Uint8Array, what: string, code: DerCode, schema?: DerSchema): void {
  const fail: Fail = (reason) => {
    throw verificationError(code, `${what}: expected strict DER, got ${reason}`);
  };
  const root = walkElement(bytes, 0, bytes.length, fail);
  if (schema) match(bytes, root, schema, schema.name, fail);
}

/** Walks the one element that must fill `bytes[start, end)` exactly. */
function walkElement(bytes: Uint8Array, start: number, end: number, fail: Fail): DerNode {
  const node = walk(bytes, start, end, 0, fail);
  if (node.end !== end) fail(`${end - node.end} trailing bytes`);
  return node;
}

/** Walks the element at `offset`. */
function walk(bytes: Uint8Array, offset: number, limit: number, depth: number, fail: Fail): DerNode {
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
  const contentStart = pos;
  const end = contentStart + length;
  if (end > limit) fail(`length ${length} past the end of its container at byte ${pos}`);
  if (!constructed) return { tag, offset, contentStart, end };
  const children: DerNode[] = [];
  while (pos < end) {
    const child = walk(bytes, pos, end, depth + 1, fail);
    children.push(child);
    pos = child.end;
  }
  return { tag, offset, contentStart, end, children };
}

const hex = (tag: number): string => `0x${tag.toString(16).padStart(2, '0')}`;

/** Checks `node` against `schema`; `path` names it in messages. */
function match(bytes: Uint8Array, node: DerNode, schema: DerSchema, path: string, fail: Fail): void {
  if (!schema.tags.includes(node.tag)) {
    fail(`tag ${hex(node.tag)} at byte ${node.offset} where ${path} (${schema.tags.map(hex).join(' or ')}) belongs`);
  }
  if (schema.encapsulates) {
    const inner = walkElement(bytes, node.contentStart, node.end, fail);
    match(bytes, inner, schema.encapsulates, `${path}.${schema.encapsulates.name}`, fail);
    return;
  }
  const children = node.children ?? [];
  if (schema.each) {
    const each = schema.each;
    children.forEach((child, i) => match(bytes, child, each, `${path}[${i}]`, fail));
    return;
  }
  if (!schema.fields) return;
  let next = 0;
  for (const field of schema.fields) {
    const child = children[next];
    if (child && field.tags.includes(child.tag)) {
      match(bytes, child, field, `${path}.${field.name}`, fail);
      next++;
    } else if (!field.optional) {
      const got = child ? `tag ${hex(child.tag)} at byte ${child.offset}` : `the end of ${path}`;
      fail(`${got} where ${path}.${field.name} (${field.tags.map(hex).join(' or ')}) belongs`);
    }
  }
  const extra = children[next];
  if (extra) fail(`an unexpected element (tag ${hex(extra.tag)}) at byte ${extra.offset} in ${path}`);
}
