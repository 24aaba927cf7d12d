import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySigstoreBundle } from '../../../../src/sigstore/bundle/index.js';
import {
  conformanceBundle,
  conformanceRootJson,
  publicGood,
  readJson,
  REALWORLD,
  rootOf,
  sha256Hex,
} from './fixtures.js';

const JAVA = 'sigstore-java/sigstore-java/src/test/resources/dev/sigstore/samples/bundles';

describe('Rekor v2 hashedrekord over DSSE (digest = sha256(PAE))', () => {
  it('verifies the conformance rekor2-dsse-happy-path bundle', () => {
    const result = verifySigstoreBundle(
      conformanceBundle('rekor2-dsse-happy-path'),
      rootOf(conformanceRootJson('rekor2-dsse-happy-path')),
      {},
    );
    expect(result.tlogEntries).toEqual([expect.objectContaining({ kind: 'hashedrekord', version: '0.0.2' })]);
    expect(result.tlogEntries[0]?.integratedTime).toBeUndefined();
    expect(result.dsse?.payloadType).toBe('application/vnd.in-toto+json');
    expect(result.verifiedTimes).toHaveLength(1);
  });

  it('verifies the production log2025-1 sigstore-java bundle and binds its subject', () => {
    const artifact = readFileSync(join(REALWORLD, JAVA, 'artifact.txt'));
    const result = verifySigstoreBundle(readJson(`${JAVA}/bundle.dsse.rekor-v2.sigstore`), publicGood(), {
      artifact: { bytes: artifact },
    });
    expect(result.signer?.identity).toBe('untrusted-sa@sigstore-conformance.iam.gserviceaccount.com');
    expect(() =>
      verifySigstoreBundle(readJson(`${JAVA}/bundle.dsse.rekor-v2.sigstore`), publicGood(), {
        artifact: { digest: { algorithm: 'sha256', hex: sha256Hex(Buffer.from('another artifact')) } },
      }),
    ).toThrow(/to be a subject of the in-toto statement/);
  });

  it('rejects the same bundle when its payload is changed (PAE digest no longer matches the log)', () => {
    const bundle = conformanceBundle('rekor2-dsse-happy-path');
    bundle.dsseEnvelope.payload = Buffer.from('{"_type":"tampered"}').toString('base64');
    expect(() => verifySigstoreBundle(bundle, rootOf(conformanceRootJson('rekor2-dsse-happy-path')), {})).toThrow(
      /transparency log/,
    );
  });
});

describe('digest-only message signatures (prehashed verification)', () => {
  const artifact = readFileSync(join(REALWORLD, JAVA, 'artifact.txt'));
  it.each([
    ['PKIX_ECDSA_P384_SHA_384.sigstore.json', 'sha384'],
    ['PKIX_ECDSA_P521_SHA_512.sigstore.json', 'sha512'],
    ['PKIX_RSA_PKCS1V15_2048_SHA256.sigstore.json', 'sha256'],
    ['PKIX_RSA_PKCS1V15_4096_SHA256.sigstore.json', 'sha256'],
  ] as const)('%s verifies from its %s digest alone', async (file, algorithm) => {
    const { createHash } = await import('node:crypto');
    const hex = createHash(algorithm).update(artifact).digest('hex');
    expect(() =>
      verifySigstoreBundle(readJson(`${JAVA}/${file}`), publicGood(), { artifact: { digest: { algorithm, hex } } }),
    ).not.toThrow();
  });

  it('rejects a digest that is not the signed one', () => {
    const bundle = conformanceBundle('happy-path-v0.3');
    const hex = sha256Hex(Buffer.from('not a.txt'));
    expect(() =>
      verifySigstoreBundle(bundle, publicGood(), { artifact: { digest: { algorithm: 'sha256', hex } } }),
    ).toThrow(expect.objectContaining({ code: 'SIGNATURE_ERROR' }));
  });

  it('rejects a message signature without any artifact', () => {
    expect(() => verifySigstoreBundle(conformanceBundle('happy-path-v0.3'), publicGood(), {})).toThrow(
      /expected the artifact or its digest/,
    );
  });
});
