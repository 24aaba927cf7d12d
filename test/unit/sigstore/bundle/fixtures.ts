import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TrustRoot, trustRootFromJson } from '../../../../src/sigstore/trust.js';
import { corpusDir } from '../../../support/corpus.js';

/** The shared real-world corpus (read-only). */
export const REALWORLD = corpusDir();
export const CONFORMANCE = join(REALWORLD, 'sigstore-conformance/test/assets/bundle-verify');
export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';

/** A fresh, mutable copy of a JSON file in the corpus. */
export function readJson(path: string): any {
  return JSON.parse(readFileSync(join(REALWORLD, path), 'utf8'));
}

export function conformanceBundle(name: string): any {
  return JSON.parse(readFileSync(join(CONFORMANCE, name, 'bundle.sigstore.json'), 'utf8'));
}

export function conformanceRootJson(name: string): any {
  return JSON.parse(readFileSync(join(CONFORMANCE, name, 'trusted_root.json'), 'utf8'));
}

/** The DER of every certificate authority certificate in the public-good root. */
export function publicGoodCertificates(): Buffer<ArrayBuffer>[] {
  const root = readJson('trusted-roots/public-good.trusted_root.json') as {
    certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[];
  };
  return root.certificateAuthorities.flatMap((authority) =>
    authority.certChain.certificates.map((certificate) => Buffer.from(certificate.rawBytes, 'base64')),
  );
}

export function publicGood(): TrustRoot {
  return trustRootFromJson(readJson('trusted-roots/public-good.trusted_root.json'), 'file');
}

export function rootOf(json: unknown): TrustRoot {
  return trustRootFromJson(json, 'file');
}

/** The conformance default artifact `a.txt`. */
export const A_TXT = readFileSync(join(CONFORMANCE, 'a.txt'));

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
