import { ASN1Obj } from '@sigstore/core';

/**
 * DER encoding of a parsed ASN.1 tree, written back to front into one buffer: each node's length is known once its
 * contents are written, so one walk suffices and nothing per node is kept or allocated.
 *
 * Hand-written because `@sigstore/core`'s `ASN1Obj.toDER` builds every node in its own growing 1 KiB buffers
 * (four allocations and copies per node), and `@sigstore/verify` re-encodes a certificate's to-be-signed part for
 * every SCT check: on a cold run that was a tenth of the time, most of it garbage collection. The rule is the
 * library's own: a node with children is its children's encodings, any other node its value; short-form lengths
 * below 128, minimal long form above. Tests compare it with the library's encoder on every vendored certificate.
 */
export function encodeDer(node: ASN1Obj): Buffer {
  const out = Buffer.allocUnsafe(sizeBound(node));
  const start = writeBackwards(node, out, out.length);
  return out.subarray(start);
}

// A header is the identifier octet, then one length octet or 0x80 | n and n octets; a length below 2^53 needs n <= 7.
const MAX_HEADER_BYTES = 9;

/** At least the node's encoded length: its value bytes and the largest possible header for every node. */
function sizeBound(node: ASN1Obj): number {
  const { subs } = node;
  if (subs.length === 0) return MAX_HEADER_BYTES + node.value.length;
  let size = MAX_HEADER_BYTES;
  for (let i = 0; i < subs.length; i++) size += sizeBound(subs[i] as ASN1Obj);
  return size;
}

/** Writes the node so that it ends at `end`; returns where it starts. */
function writeBackwards(node: ASN1Obj, out: Buffer, end: number): number {
  const { subs } = node;
  let at = end;
  if (subs.length === 0) {
    at -= node.value.length;
    out.set(node.value, at);
  } else {
    for (let i = subs.length - 1; i >= 0; i--) at = writeBackwards(subs[i] as ASN1Obj, out, at);
  }
  const length = end - at;
  if (length < 0x80) out[--at] = length;
  else {
    let lengthBytes = 0;
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256), lengthBytes++) out[--at] = rest % 256;
    out[--at] = 0x80 | lengthBytes;
  }
  out[--at] = node.tag.toDER();
  return at;
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
