/**
 * Proves the test Sigstore mints real evidence: every fixture is checked with plain @sigstore/verify 3.1.1 over
 * the instance's own trusted root, and every tamper is rejected by it (or, for intoto 0.0.1, by the SET and body
 * checks @sigstore/verify does not have).
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { json, pem, X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../../src/model/digest.js';
import {
  cosignSignStatement,
  cyclonedxStatement,
  SLSA_CONTAINER_GENERATOR,
  slsaProvenanceStatement,
} from '../../support/statements.js';
import {
  createTestSigstore,
  GITHUB_ACTIONS_ISSUER,
  type GithubIdentity,
  type LegacyLayer,
  type Tamper,
  type TestSigstore,
} from '../../support/test-sigstore/index.js';

const digest = sha256Digest(Buffer.from('image index of natrontech/gcp-mysql-backup v1.1.2'));
const release: GithubIdentity = {
  repository: 'natrontech/gcp-mysql-backup',
  workflowPath: '.github/workflows/release.yml',
  ref: 'refs/tags/v1.1.2',
};
const generator: GithubIdentity = {
  ...release,
  jobWorkflow: {
    repository: 'slsa-framework/slsa-github-generator',
    path: '.github/workflows/generator_container_slsa3.yml',
    ref: 'refs/tags/v2.1.0',
  },
};
const releaseSan = 'https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2';
const exact = (san: string) => ({
  subjectAlternativeName: `^${san.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
  extensions: { issuer: GITHUB_ACTIONS_ISSUER },
});

let sigstore: TestSigstore;
let verifier: Verifier;

beforeAll(async () => {
  sigstore = await createTestSigstore({ now: new Date('2026-06-25T10:20:00Z') });
  verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)));
});

/** Runs `fn` and returns the sigstore error code it threw, or 'ok'. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

type CosignBundle = { SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number; logIndex: number; logID: string } };

/** A legacy layer as a v0.1 bundle (sigstore-go's oci-image-verification conversion, B.11). */
function legacyToBundle(layer: LegacyLayer): ReturnType<typeof bundleFromJSON> {
  const cosign = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'] ?? 'null') as CosignBundle | null;
  const certificate = pem.toDER(layer.annotations['dev.sigstore.cosign/certificate'] ?? '');
  const tlogEntries = cosign
    ? [
        {
          logIndex: String(cosign.Payload.logIndex),
          logId: { keyId: Buffer.from(cosign.Payload.logID, 'hex').toString('base64') },
          kindVersion: JSON.parse(Buffer.from(cosign.Payload.body, 'base64').toString()) as { kind: string; apiVersion: string },
          integratedTime: String(cosign.Payload.integratedTime),
          inclusionPromise: { signedEntryTimestamp: cosign.SignedEntryTimestamp },
          canonicalizedBody: cosign.Payload.body,
        },
      ].map(({ kindVersion, ...e }) => ({ ...e, kindVersion: { kind: kindVersion.kind, version: kindVersion.apiVersion } }))
    : [];
  const signature = layer.annotations['dev.cosignproject.cosign/signature'] ?? '';
  const content =
    signature === ''
      ? { dsseEnvelope: JSON.parse(Buffer.from(layer.payload).toString()) as object }
      : {
          messageSignature: {
            messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(layer.payload).digest('base64') },
            signature,
          },
        };
  return bundleFromJSON({
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: certificate.toString('base64') }] },
      tlogEntries,
    },
    ...content,
  });
}

const verifyLegacy = (layer: LegacyLayer, san = releaseSan) =>
  verifier.verify(toSignedEntity(legacyToBundle(layer), Buffer.from(layer.payload)), exact(san));
const verifyBundle = (bundle: object, san = releaseSan) =>
  verifier.verify(toSignedEntity(bundleFromJSON(bundle)), exact(san));

describe('trusted root', () => {
  it('is a trusted_root.json that @sigstore/protobuf-specs parses, with intermediate and root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'test-sigstore-'));
    const path = await sigstore.writeTrustedRoot(dir);
    const root = TrustedRoot.fromJSON(JSON.parse(await readFile(path, 'utf8')));
    expect(root.mediaType).toBe('application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    expect(root.certificateAuthorities[0]?.certChain?.certificates).toHaveLength(2);
    expect(root.tlogs[0]?.baseUrl).toBe('https://rekor.verify-release.test');
  });
});

describe('bundles (cosign v3 --new-bundle-format)', () => {
  it('signs an image as a v0.3 DSSE bundle over the cosign sign/v1 statement', async () => {
    const bundle = await sigstore.bundleSignature({ digest, identity: release, annotations: { repo: release.repository } });
    const signer = verifyBundle(bundle);
    expect(signer.identity?.subjectAlternativeName).toBe(releaseSan);
    const json = bundle as { mediaType: string; dsseEnvelope: { payload: string }; verificationMaterial: Record<string, unknown> };
    expect(json.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(Object.keys(json.verificationMaterial)).toContain('certificate');
    expect(JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString())).toEqual(
      cosignSignStatement({ digest, annotations: { repo: release.repository } }),
    );
  });

  it('attests an SBOM with SET and inclusion proof whose checkpoint verifies', async () => {
    const statement = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest });
    const bundle = (await sigstore.bundleAttestation({ statement, identity: release })) as {
      verificationMaterial: { tlogEntries: { kindVersion: object; inclusionProof?: { checkpoint: { envelope: string } } }[] };
    };
    expect(verifyBundle(bundle).identity?.extensions?.issuer).toBe(GITHUB_ACTIONS_ISSUER);
    const [entry] = bundle.verificationMaterial.tlogEntries;
    expect(entry?.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(entry?.inclusionProof?.checkpoint.envelope).toMatch(/^rekor\.verify-release\.test - \d+\n/);
  });

  it.each<[Tamper, string]>([
    ['payload', 'TLOG_BODY_ERROR'],
    ['signature', 'TLOG_BODY_ERROR'],
    ['tlog-body-mismatch', 'TLOG_BODY_ERROR'],
    ['set-bitflip', 'TLOG_INCLUSION_PROMISE_ERROR'],
    ['set-untrusted-key', 'TLOG_INCLUSION_PROMISE_ERROR'],
    ['no-tlog', 'TIMESTAMP_ERROR'],
    ['cert-expired-before-log', 'CERTIFICATE_ERROR'],
    ['cert-not-yet-valid', 'CERTIFICATE_ERROR'],
    ['wrong-ca', 'CERTIFICATE_ERROR'],
    ['sct-untrusted-key', 'CERTIFICATE_ERROR'],
    ['no-sct', 'CERTIFICATE_ERROR'],
    ['cert-swap', 'SIGNATURE_ERROR'],
  ])('tamper %s is rejected with %s', async (tamper, code) => {
    const bundle = await sigstore.bundleSignature({ digest, identity: release, tamper });
    expect(outcome(() => verifyBundle(bundle))).toBe(code);
  });

  it('tamper no-inclusion-proof gives a v0.3 bundle the bundle schema rejects', async () => {
    const bundle = await sigstore.bundleSignature({ digest, identity: release, tamper: 'no-inclusion-proof' });
    expect(outcome(() => verifyBundle(bundle))).toMatch(/invalid bundle/);
  });

  it('rejects a wrong SAN and a foreign issuer', async () => {
    const bundle = await sigstore.bundleSignature({ digest, identity: release });
    expect(outcome(() => verifyBundle(bundle, releaseSan.replace('v1.1.2', 'v1.1.3')))).toBe('UNTRUSTED_SIGNER_ERROR');
    const foreign = await sigstore.bundleSignature({ digest, identity: { ...release, issuer: 'https://accounts.google.com' } });
    expect(outcome(() => verifyBundle(foreign))).toBe('UNTRUSTED_SIGNER_ERROR');
  });
});

describe('legacy layers (cosign .sig / .att)', () => {
  it('signs the simple-signing payload, logged as hashedrekord, verifiable as a v0.1 bundle', async () => {
    const layer = await sigstore.signImage({ digest, repository: 'ghcr.io/natrontech/gcp-mysql-backup', identity: release });
    expect(layer.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    expect(Object.keys(layer.annotations)).toEqual([
      'dev.cosignproject.cosign/signature',
      'dev.sigstore.cosign/bundle',
      'dev.sigstore.cosign/certificate',
      'dev.sigstore.cosign/chain',
    ]);
    expect(outcome(() => verifyLegacy(layer))).toBe('ok');
    const payload = JSON.parse(Buffer.from(layer.payload).toString()) as { critical: { image: Record<string, string> } };
    expect(payload.critical.image['docker-manifest-digest']).toBe(digest);
  });

  it('attests with a generator identity: SAN from the reusable workflow, extensions from the caller', async () => {
    const statement = slsaProvenanceStatement({
      image: 'ghcr.io/natrontech/gcp-mysql-backup',
      digest,
      sourceRepository: release.repository,
      ref: release.ref,
      sha: 'a'.repeat(40),
    });
    const layer = await sigstore.attestLegacy({ statement, identity: { ...generator, sha: 'a'.repeat(40) } });
    expect(layer.annotations.predicateType).toBe('https://slsa.dev/provenance/v0.2');
    expect(layer.annotations['dev.cosignproject.cosign/signature']).toBe('');
    const signer = verifyLegacy(layer, `${SLSA_CONTAINER_GENERATOR}@refs/tags/v2.1.0`);
    const ext = (n: number) =>
      signer.identity?.oids?.find((o) => o.oid?.id.join('.') === `1.3.6.1.4.1.57264.1.${n}`)?.value.toString('utf8');
    expect(ext(5)).toBe('natrontech/gcp-mysql-backup');
    expect(ext(3)).toBe('a'.repeat(40));
    const body = JSON.parse(
      Buffer.from((JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'] ?? '') as CosignBundle).Payload.body, 'base64').toString(),
    ) as { kind: string; spec: { envelopeHash: { value: string } } };
    expect(body.kind).toBe('dsse');
    expect(body.spec.envelopeHash.value).toBe(createHash('sha256').update(layer.payload).digest('hex'));
  });

  it('logs intoto 0.0.1 like cosign v2: SET and body hashes verify, chain and signature verify without tlog', async () => {
    const statement = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest });
    const layer = await sigstore.attestLegacy({ statement, identity: release, rekorKind: 'intoto' });
    const cosign = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'] ?? '') as CosignBundle;
    const rekorKey = createPublicKey({
      key: Buffer.from((sigstore.trustedRoot as { tlogs: { publicKey: { rawBytes: string } }[] }).tlogs[0]?.publicKey.rawBytes ?? '', 'base64'),
      format: 'der',
      type: 'spki',
    });
    const set = Buffer.from(json.canonicalize(cosign.Payload), 'utf8');
    expect(verifySignature('sha256', set, rekorKey, Buffer.from(cosign.SignedEntryTimestamp, 'base64'))).toBe(true);
    const body = JSON.parse(Buffer.from(cosign.Payload.body, 'base64').toString()) as {
      kind: string;
      apiVersion: string;
      spec: { content: { hash: { value: string }; payloadHash: { value: string } } };
    };
    expect([body.kind, body.apiVersion]).toEqual(['intoto', '0.0.1']);
    expect(body.spec.content.hash.value).toBe(createHash('sha256').update(layer.payload).digest('hex'));
    const envelope = JSON.parse(Buffer.from(layer.payload).toString()) as { payload: string };
    expect(body.spec.content.payloadHash.value).toBe(
      createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('hex'),
    );
    const entity = toSignedEntity(legacyToBundle(layer));
    expect(outcome(() => verifier.verify(entity, exact(releaseSan)))).toBe('TLOG_BODY_ERROR');
    const noTlog = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)), { tlogThreshold: 0 });
    expect(outcome(() => noTlog.verify({ ...entity, tlogEntries: [] }, exact(releaseSan)))).toBe('ok');
  });

  it.each<[Tamper, string]>([
    ['payload', 'TLOG_BODY_ERROR'],
    ['signature', 'TLOG_BODY_ERROR'],
    ['set-bitflip', 'TLOG_INCLUSION_PROMISE_ERROR'],
    ['set-untrusted-key', 'TLOG_INCLUSION_PROMISE_ERROR'],
    ['cert-expired-before-log', 'CERTIFICATE_ERROR'],
    ['wrong-ca', 'CERTIFICATE_ERROR'],
    ['no-tlog', 'TIMESTAMP_ERROR'],
  ])('.sig tamper %s is rejected with %s', async (tamper, code) => {
    const layer = await sigstore.signImage({ digest, repository: 'ghcr.io/natrontech/gcp-mysql-backup', identity: release, tamper });
    expect(outcome(() => verifyLegacy(layer))).toBe(code);
  });

  it('.att tamper payload breaks both the DSSE payload hash and the envelope hash', async () => {
    const statement = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest });
    const layer = await sigstore.attestLegacy({ statement, identity: release, tamper: 'payload' });
    expect(outcome(() => verifyLegacy(layer))).toBe('TLOG_BODY_ERROR');
    const cosign = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'] ?? '') as CosignBundle;
    const body = JSON.parse(Buffer.from(cosign.Payload.body, 'base64').toString()) as { spec: { envelopeHash: { value: string } } };
    expect(body.spec.envelopeHash.value).not.toBe(createHash('sha256').update(layer.payload).digest('hex'));
  });
});

describe('chosen times', () => {
  it('back-dates certificate validity and integratedTime to signedAt', async () => {
    const signedAt = new Date('2025-02-24T12:00:00Z');
    const layer = await sigstore.signImage({ digest, repository: 'ghcr.io/x/y', identity: release, signedAt });
    const cert = X509Certificate.parse(layer.annotations['dev.sigstore.cosign/certificate'] ?? '');
    expect(cert.notBefore.toISOString()).toBe('2025-02-24T12:00:00.000Z');
    expect(cert.notAfter.toISOString()).toBe('2025-02-24T12:10:00.000Z');
    const cosign = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'] ?? '') as CosignBundle;
    expect(cosign.Payload.integratedTime).toBe(signedAt.getTime() / 1000 + 5);
    expect(outcome(() => verifyLegacy(layer))).toBe('ok');
  });
});
