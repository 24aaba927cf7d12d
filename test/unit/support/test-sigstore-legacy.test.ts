/**
 * Proves the legacy cosign layers are real: `.sig` and dsse `.att` layers verify with plain @sigstore/verify 3.1.1
 * after the v0.1 bundle conversion; intoto 0.0.1 layers, which it does not support, are checked by hand (SET, body
 * hashes) plus @sigstore/verify without the tlog.
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { json, X509Certificate } from '@sigstore/core';
import { toSignedEntity } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { cyclonedxStatement, SLSA_CONTAINER_GENERATOR, slsaProvenanceStatement } from '../../support/statements.js';
import {
  createTestSigstore,
  type GithubIdentity,
  type LegacyLayer,
  type Tamper,
  type TestSigstore,
} from '../../support/test-sigstore/index.js';
import {
  cosignRekorBundle,
  createReferenceVerifier,
  exactPolicy,
  legacyToBundle,
  outcome,
  type ReferenceVerifier,
} from '../../support/test-sigstore/reference-verify.js';

import { digest, release, releaseSan } from './release-fixture.js';

let sigstore: TestSigstore;
let reference: ReferenceVerifier;

beforeAll(async () => {
  sigstore = await createTestSigstore({ now: new Date('2026-06-25T10:20:00Z') });
  reference = createReferenceVerifier(sigstore.trustedRoot);
});
const generator: GithubIdentity = {
  ...release,
  jobWorkflow: {
    repository: 'slsa-framework/slsa-github-generator',
    path: '.github/workflows/generator_container_slsa3.yml',
    ref: 'refs/tags/v2.1.0',
  },
};
const verifyLegacy = (layer: LegacyLayer, san = releaseSan) => reference.verifyLegacy(layer, san);

describe('legacy layers (cosign .sig / .att)', () => {
  it('signs the simple-signing payload, logged as hashedrekord, verifiable as a v0.1 bundle', async () => {
    const layer = await sigstore.signImage({
      digest,
      repository: 'ghcr.io/natrontech/gcp-mysql-backup',
      identity: release,
    });
    expect(layer.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    expect(Object.keys(layer.annotations)).toEqual([
      'dev.cosignproject.cosign/signature',
      'dev.sigstore.cosign/bundle',
      'dev.sigstore.cosign/certificate',
      'dev.sigstore.cosign/chain',
    ]);
    expect(outcome(() => verifyLegacy(layer))).toBe('ok');
    const payload = JSON.parse(Buffer.from(layer.payload).toString()) as {
      critical: { image: Record<string, string> };
    };
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
    const body = JSON.parse(Buffer.from(cosignRekorBundle(layer)?.Payload.body ?? '', 'base64').toString()) as {
      kind: string;
      spec: { envelopeHash: { value: string } };
    };
    expect(body.kind).toBe('dsse');
    expect(body.spec.envelopeHash.value).toBe(createHash('sha256').update(layer.payload).digest('hex'));
  });

  it('logs intoto 0.0.1 like cosign v2: SET and body hashes verify, chain and signature verify without tlog', async () => {
    const statement = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest });
    const layer = await sigstore.attestLegacy({ statement, identity: release, rekorKind: 'intoto' });
    const cosign = cosignRekorBundle(layer)!;
    const rekorKey = createPublicKey({
      key: Buffer.from(
        (sigstore.trustedRoot as { tlogs: { publicKey: { rawBytes: string } }[] }).tlogs[0]?.publicKey.rawBytes ?? '',
        'base64',
      ),
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
    expect(outcome(() => reference.verifier.verify(entity, exactPolicy(releaseSan)))).toBe('TLOG_BODY_ERROR');
    const noTlog = createReferenceVerifier(sigstore.trustedRoot, { tlogThreshold: 0 }).verifier;
    expect(outcome(() => noTlog.verify({ ...entity, tlogEntries: [] }, exactPolicy(releaseSan)))).toBe('ok');
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
    const layer = await sigstore.signImage({
      digest,
      repository: 'ghcr.io/natrontech/gcp-mysql-backup',
      identity: release,
      tamper,
    });
    expect(outcome(() => verifyLegacy(layer))).toBe(code);
  });

  it('.att tamper payload breaks both the DSSE payload hash and the envelope hash', async () => {
    const statement = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest });
    const layer = await sigstore.attestLegacy({ statement, identity: release, tamper: 'payload' });
    expect(outcome(() => verifyLegacy(layer))).toBe('TLOG_BODY_ERROR');
    const cosign = cosignRekorBundle(layer)!;
    const body = JSON.parse(Buffer.from(cosign.Payload.body, 'base64').toString()) as {
      spec: { envelopeHash: { value: string } };
    };
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
    const cosign = cosignRekorBundle(layer)!;
    expect(cosign.Payload.integratedTime).toBe(signedAt.getTime() / 1000 + 5);
    expect(outcome(() => verifyLegacy(layer))).toBe('ok');
  });
});
