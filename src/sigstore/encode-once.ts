import { ASN1Obj, X509Certificate } from '@sigstore/core';
import type { SignedEntity, TrustMaterial } from '@sigstore/verify';
import { encodeDer } from './der-encoding.js';
import { useLibraryFastPaths } from './library-fast-paths.js';

/**
 * `@sigstore/verify` re-encodes a certificate's parsed ASN.1 tree to DER on every comparison (deduplicating the
 * chain, building paths) and its to-be-signed part on every signature check: most of a chain check's cost. Nothing
 * changes these trees after parsing (the library clones a certificate before it edits one), so each is encoded once
 * and the same bytes are returned after that. A performance measure only: the library sees what it would compute.
 */
function encodeOnce(certificate: X509Certificate): void {
  // The to-be-signed part for every signature check against an issuer, the whole certificate for comparisons.
  for (const node of [certificate.tbsCertificate, certificate.root]) {
    const der = encodeDer(node);
    node.toDER = () => der;
  }
}

/**
 * A certificate authority's signature checks (an intermediate by its root, a root by itself) give the same answer
 * for every bundle verified with the same material, and each is a P-384 verification on real roots: each is made
 * once. The answer depends only on the two parsed certificates, which nothing changes; a check that throws is
 * not remembered.
 */
function checkOnce(certificate: X509Certificate): void {
  const check = certificate.verify.bind(certificate);
  const answers = new Map<X509Certificate | undefined, boolean>();
  certificate.verify = (issuer?: X509Certificate) => {
    let answer = answers.get(issuer);
    if (answer === undefined) {
      answer = check(issuer);
      answers.set(issuer, answer);
    }
    return answer;
  };
}

/** The trust material with each certificate authority's chain encoded once and its signature checks made once. */
export function withCertificatesEncodedOnce(material: TrustMaterial): TrustMaterial {
  useLibraryFastPaths();
  for (const authority of material.certificateAuthorities) {
    for (const certificate of authority.certChain) {
      encodeOnce(certificate);
      checkOnce(certificate);
    }
  }
  return material;
}

/**
 * A copy of the parsed tree, for the library's one edit of a certificate: it clones the leaf to drop the SCT
 * extension before re-encoding the precertificate, and `clone()` re-parses the whole DER to do so. Every node and
 * list is new; the byte values are shared, which nothing writes to.
 */
function copyTree(node: ASN1Obj): ASN1Obj {
  return new ASN1Obj(node.tag, node.value, node.subs.map(copyTree));
}

/** The entity with its signing certificate, if any, encoded once and cloned without parsing. */
export function withLeafEncodedOnce<T extends Pick<SignedEntity, 'key'>>(entity: T): T {
  useLibraryFastPaths();
  if (entity.key.$case === 'certificate') {
    const leaf = entity.key.certificate;
    encodeOnce(leaf);
    leaf.clone = () => new X509Certificate(copyTree(leaf.root));
  }
  return entity;
}
