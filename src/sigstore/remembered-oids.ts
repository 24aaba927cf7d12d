import { ASN1Obj } from '@sigstore/core';

let installed = false;

/**
 * Makes `ASN1Obj.toOID` (the library's own calls included) decode each node's OID once. `@sigstore/core` finds a
 * certificate's extension by decoding every extension's OID again on each lookup: about 700 decodings of a few dozen
 * OIDs per verified release. Nothing changes a parsed node (the library clones a certificate before it edits one,
 * and a clone's nodes are new), so the answer is the same; a node that is not an OID still throws, every time.
 * Idempotent.
 */
export function useRememberedOids(): void {
  if (installed) return;
  installed = true;
  // The library's method, called on each node as the library would.
  const decode = Object.getOwnPropertyDescriptor(ASN1Obj.prototype, 'toOID')?.value as (this: ASN1Obj) => string;
  const decoded = new WeakMap<ASN1Obj, string>();
  ASN1Obj.prototype.toOID = function toOID(this: ASN1Obj): string {
    let oid = decoded.get(this);
    if (oid === undefined) {
      oid = decode.call(this);
      decoded.set(this, oid);
    }
    return oid;
  };
}
