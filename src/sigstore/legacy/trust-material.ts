import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import type { TrustRoot } from '../trust.js';
import { withCertificatesEncodedOnce } from '../encode-once.js';
import { libraryParse } from '../library-fast-paths.js';

/**
 * The `@sigstore/verify` trust material of an already validated trusted root (`trustRootFromJson` checked that
 * every key and certificate parses), for the checks made outside the bundle verifier.
 */
export function toLegacyTrustMaterial(trust: TrustRoot): TrustMaterial {
  return withCertificatesEncodedOnce(libraryParse(() => toTrustMaterial(TrustedRoot.fromJSON(trust.json))));
}
