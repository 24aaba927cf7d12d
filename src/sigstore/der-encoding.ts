import { ASN1Obj } from '@sigstore/core';

/**
 * DER encoding of a parsed ASN.1 tree, written into one buffer sized up front.
 *
 * Hand-written because `@sigstore/core`'s `ASN1Obj.toDER` builds every node in its own growing 1 KiB buffers
 * (four allocations and copies per node), and `@sigstore/verify` re-encodes a certificate's to-be-signed part for
 * every SCT check: on a cold run that was a tenth of the time, most of it garbage collection. The rule is the
 * library's own: a node with children is its children's encodings, any other node its value; short-form lengths
 * below 128, minimal long form above. Tests compare it with the library's encoder on every vendored certificate.
 */
export function encodeDer(node: ASN1Obj): Buffer {
  const contentLengths = new Map<ASN1Obj, number>();
  const out = Buffer.allocUnsafe(measure(node, contentLengths));
  const end = write(node, out, 0, contentLengths);
  if (end !== out.length) throw new Error(`expected ${out.length} DER bytes, wrote ${end}`);
  return out;
}

/** The node's encoded length; records every node's content length on the way (one pass, however deep). */
function measure(node: ASN1Obj, contentLengths: Map<ASN1Obj, number>): number {
  let length = 0;
  if (node.subs.length === 0) length = node.value.length;
  else for (const sub of node.subs) length += measure(sub, contentLengths);
  contentLengths.set(node, length);
  return 1 + lengthOfLength(length) + length;
}

function lengthOfLength(length: number): number {
  if (length < 0x80) return 1;
  let bytes = 0;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes++;
  return 1 + bytes;
}

function write(node: ASN1Obj, out: Buffer, at: number, contentLengths: Map<ASN1Obj, number>): number {
  const length = contentLengths.get(node) ?? 0;
  let offset = at;
  out[offset++] = node.tag.toDER();
  const lengthBytes = lengthOfLength(length);
  if (lengthBytes === 1) out[offset++] = length;
  else {
    out[offset++] = 0x80 | (lengthBytes - 1);
    for (let shift = (lengthBytes - 2) * 8; shift >= 0; shift -= 8)
      out[offset++] = Math.floor(length / 2 ** shift) & 0xff;
  }
  if (node.subs.length === 0) {
    out.set(node.value, offset);
    return offset + node.value.length;
  }
  for (const sub of node.subs) offset = write(sub, out, offset, contentLengths);
  return offset;
}

let installed = false;

/**
 * Makes every `ASN1Obj.toDER` (the library's own calls included) use `encodeDer`: the same bytes, computed once
 * per call in a single buffer. Idempotent.
 */
export function useFastDerEncoding(): void {
  if (installed) return;
  installed = true;
  ASN1Obj.prototype.toDER = function toDER(this: ASN1Obj): Buffer {
    return encodeDer(this);
  };
}
