import { describe, expect, it } from 'vitest';
import { verifySigstoreBundle } from '../../../../src/sigstore/bundle/index.js';
import { A_TXT, conformanceBundle, conformanceRootJson, publicGood, readJson, REALWORLD, rootOf } from './fixtures.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a verification and returns the error it threw (fails the test when it did not throw). */
function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected verification to fail, it passed');
}

const HELLO = readFileSync(join(REALWORLD, 'sigstore-js/extracted/artifact-hello-world.txt'));
const OTHER_ROOT = Buffer.alloc(32, 7).toString('base64');

describe('1. inclusion proof must match the signed checkpoint', () => {
  it('passes the untouched v0.2 bundle', () => {
    expect(() =>
      verifySigstoreBundle(conformanceBundle('happy-path-v0.2'), publicGood(), { artifact: { bytes: A_TXT } }),
    ).not.toThrow();
  });

  it('rejects a proof rootHash that differs from the checkpoint', () => {
    const bundle = conformanceBundle('happy-path-v0.2');
    bundle.verificationMaterial.tlogEntries[0].inclusionProof.rootHash = OTHER_ROOT;
    const error = errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: A_TXT } }));
    expect(error).toMatchObject({
      code: 'TLOG_ERROR',
      message: 'transparency log: inclusion proof root hash differs from the signed checkpoint',
    });
  });

  it('rejects a proof treeSize that differs from the checkpoint', () => {
    const bundle = conformanceBundle('happy-path-v0.2');
    const proof = bundle.verificationMaterial.tlogEntries[0].inclusionProof;
    proof.treeSize = String(BigInt(proof.treeSize) + 1n);
    const error = errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: A_TXT } }));
    expect(error.code).toBe('TLOG_ERROR');
    expect(error.message).toMatch(/tree size .* differs from the signed checkpoint/);
  });
});

describe('2. the signer must be the one recorded in the Rekor entry', () => {
  it('rejects a hashedrekord body that records another certificate (real conformance data)', () => {
    const error = errorOf(() =>
      verifySigstoreBundle(conformanceBundle('incorrect-public-key_fail'), publicGood(), {
        artifact: { bytes: A_TXT },
      }),
    );
    expect(error).toMatchObject({ code: 'TLOG_ERROR' });
    expect(error.message).toContain("record the bundle's certificate");
  });

  it("rejects a dsse body whose verifier is another bundle's certificate", () => {
    const bundle = readJson(
      'sigstore-java/sigstore-java/src/test/resources/dev/sigstore/samples/bundles/bundle.dsse.sigstore',
    );
    const other = conformanceBundle('happy-path-v0.3').verificationMaterial.certificate.rawBytes as string;
    const entry = bundle.verificationMaterial.tlogEntries[0];
    const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString());
    const pem = `-----BEGIN CERTIFICATE-----\n${other.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
    body.spec.signatures[0].verifier = Buffer.from(pem).toString('base64');
    entry.canonicalizedBody = Buffer.from(JSON.stringify(body)).toString('base64');
    const error = errorOf(() => verifySigstoreBundle(bundle, publicGood(), {}));
    expect(error).toMatchObject({ code: 'TLOG_ERROR' });
    expect(error.message).toContain("record the bundle's certificate");
  });
});

describe('3. malformed DER is rejected before the library sees it', () => {
  it('rejects a certificate with a trailing byte', () => {
    const bundle = conformanceBundle('happy-path-v0.3');
    const der = Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64');
    bundle.verificationMaterial.certificate.rawBytes = Buffer.concat([der, Buffer.from([0])]).toString('base64');
    const error = errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: A_TXT } }));
    expect(error).toMatchObject({
      code: 'CERTIFICATE_ERROR',
      message: 'certificate: signing certificate: expected strict DER, got 1 trailing bytes',
    });
  });

  it('rejects an RFC3161 token with a non-minimal length', () => {
    const bundle = conformanceBundle('rekor2-happy-path');
    const ts = bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
    const der = Buffer.from(ts.signedTimestamp, 'base64');
    // 30 82 LL LL -> 30 83 00 LL LL: same value, one superfluous length byte.
    expect(der[1]).toBe(0x82);
    ts.signedTimestamp = Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), der.subarray(2)]).toString('base64');
    const error = errorOf(() =>
      verifySigstoreBundle(bundle, rootOf(conformanceRootJson('rekor2-happy-path')), { artifact: { bytes: A_TXT } }),
    );
    expect(error.code).toBe('TIMESTAMP_ERROR');
    expect(error.message).toContain('non-minimal length');
  });
});

describe('4. Rekor v2 logIndex must be the index the proof authenticates', () => {
  it('rejects a logIndex that differs from the inclusion proof', () => {
    const bundle = conformanceBundle('rekor2-happy-path');
    bundle.verificationMaterial.tlogEntries[0].logIndex = '734';
    const error = errorOf(() =>
      verifySigstoreBundle(bundle, rootOf(conformanceRootJson('rekor2-happy-path')), { artifact: { bytes: A_TXT } }),
    );
    expect(error).toMatchObject({
      code: 'TLOG_ERROR',
      message: "transparency log: expected logIndex 734 to equal the inclusion proof's index, got 735",
    });
  });
});

describe('5. keys are trusted only inside their validFor window (closed interval)', () => {
  // rekor2-happy-path: TSA time 2025-06-12T12:02:20Z, SCT a few seconds earlier.
  const TSA_TIME = '2025-06-12T12:02:20Z';
  const verify = (root: any) =>
    verifySigstoreBundle(conformanceBundle('rekor2-happy-path'), rootOf(root), { artifact: { bytes: A_TXT } });
  const v2Log = (root: any) => root.tlogs.find((t: any) => t.baseUrl.includes('log2025'));

  it('accepts a tlog key whose validity ends exactly at the verified time', () => {
    const root = conformanceRootJson('rekor2-happy-path');
    v2Log(root).publicKey.validFor.end = TSA_TIME;
    expect(() => verify(root)).not.toThrow();
  });

  it('rejects a tlog key that expired before the verified time (checkpoint-only entry)', () => {
    const root = conformanceRootJson('rekor2-happy-path');
    v2Log(root).publicKey.validFor.end = '2025-06-12T12:02:19Z';
    expect(errorOf(() => verify(root))).toMatchObject({ code: 'TLOG_ERROR' });
  });

  it('rejects a tlog key not yet valid at the verified time', () => {
    const root = conformanceRootJson('rekor2-happy-path');
    v2Log(root).publicKey.validFor.start = '2025-06-12T12:02:21Z';
    expect(errorOf(() => verify(root))).toMatchObject({ code: 'TLOG_ERROR' });
  });

  it('rejects a TSA outside its validity window', () => {
    const root = conformanceRootJson('rekor2-happy-path');
    for (const tsa of root.timestampAuthorities) tsa.validFor.end = '2025-06-12T12:02:19Z';
    expect(errorOf(() => verify(root))).toMatchObject({ code: 'TIMESTAMP_ERROR' });
  });

  it('rejects a CT log key outside its validity window', () => {
    const root = conformanceRootJson('rekor2-happy-path');
    for (const log of root.ctlogs)
      log.publicKey.validFor = { start: '2020-01-01T00:00:00Z', end: '2025-06-01T00:00:00Z' };
    expect(errorOf(() => verify(root))).toMatchObject({ code: 'SCT_ERROR' });
  });
});

describe('6. bundle structure', () => {
  it('rejects a v0.2 bundle without an inclusion proof (sigstore-java)', () => {
    const bundle = readJson(
      'sigstore-java/sigstore-java/src/test/resources/dev/sigstore/samples/bundles/bundle.v2.no.inclusion.sigstore',
    );
    const error = errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: Buffer.from('x') } }));
    expect(error).toMatchObject({
      code: 'BUNDLE_INVALID',
      message: 'bundle: expected tlogEntries[0].inclusionProof in a v0.2 bundle, got none',
    });
  });

  it('rejects an inclusion proof without a checkpoint, without crashing (CPython 3.12.5)', () => {
    const bundle = readJson('sigstore-python/test/assets/integration/Python-3.12.5.tgz.sigstore');
    const digest = {
      algorithm: 'sha256' as const,
      hex: '38dc4e2c261d49c661196066edbfb70fdb16be4a79cc8220c224dfeb5636d405',
    };
    const error = errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { digest } }));
    expect(error).toMatchObject({
      code: 'BUNDLE_INVALID',
      message: 'bundle: expected tlogEntries[0].inclusionProof.checkpoint, got none',
    });
  });

  it('rejects a DSSE envelope with two signatures (sigstore-go)', () => {
    const bundle = readJson('sigstore-go/pkg/testing/data/bundles/dsse-2sigs.sigstore.json');
    expect(errorOf(() => verifySigstoreBundle(bundle, publicGood(), {}))).toMatchObject({
      code: 'BUNDLE_INVALID',
      message: 'bundle: expected exactly 1 DSSE signature, got 2',
    });
  });

  it('rejects an unknown bundle mediaType', () => {
    const error = errorOf(() =>
      verifySigstoreBundle(conformanceBundle('bundle-unknown-version_fail'), publicGood(), {
        artifact: { bytes: A_TXT },
      }),
    );
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toContain('version=99.9');
  });

  it('takes only the leaf from a chain that also carries intermediate and root (sigstore-js 2022 bundle)', () => {
    const bundle = readJson('sigstore-js/extracted/bundles/client-valid__v1.messageSignature.withSigningCert.json');
    expect(bundle.verificationMaterial.x509CertificateChain.certificates.length).toBeGreaterThan(1);
    const result = verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: HELLO } });
    expect(result.signer?.identity).toBe('brian@dehamer.com');
  });

  it('ignores a forged intermediate in the chain: the path comes from the trusted root', () => {
    const bundle = readJson('sigstore-js/extracted/bundles/client-valid__v1.messageSignature.withSigningCert.json');
    bundle.verificationMaterial.x509CertificateChain.certificates.splice(1, 9, {
      rawBytes: Buffer.from('junk').toString('base64'),
    });
    expect(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: HELLO } })).not.toThrow();
  });

  it('rejects a leaf that expired 15 s before the integrated time (sigstore-js invalidExpiredCert)', () => {
    const bundle = readJson(
      'sigstore-js/extracted/bundles/client-invalid__v1.messageSignature.invalidExpiredCert.json',
    );
    expect(errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes: HELLO } })).code).toBe(
      'CERTIFICATE_ERROR',
    );
  });

  it('rejects a bundle with no verified time (inclusion proof but no SET and no TSA)', () => {
    const bundle = readJson('sigstore-python/test/assets/bundle_v3_no_signed_time.txt.sigstore.json');
    const bytes = readFileSync(join(REALWORLD, 'sigstore-python/test/assets/bundle_v3_no_signed_time.txt'));
    expect(errorOf(() => verifySigstoreBundle(bundle, publicGood(), { artifact: { bytes } })).code).toBe(
      'TIMESTAMP_ERROR',
    );
  });
});
