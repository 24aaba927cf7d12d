/**
 * Proves the test Sigstore mints real bundles: each is checked with plain @sigstore/verify 3.1.1 over the
 * instance's own trusted root, and every tamper is rejected by it.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosignSignStatement, cyclonedxStatement } from '../../support/statements.js';
import {
  createTestSigstore,
  GITHUB_ACTIONS_ISSUER,
  type Tamper,
  type TestSigstore,
} from '../../support/test-sigstore/index.js';
import {
  createReferenceVerifier,
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
const verifyBundle = (bundle: object, san = releaseSan) => reference.verifyBundle(bundle, san);

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
    const bundle = await sigstore.bundleSignature({
      digest,
      identity: release,
      annotations: { repo: release.repository },
    });
    const signer = verifyBundle(bundle);
    expect(signer.identity?.subjectAlternativeName).toBe(releaseSan);
    const json = bundle as {
      mediaType: string;
      dsseEnvelope: { payload: string };
      verificationMaterial: Record<string, unknown>;
    };
    expect(json.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(Object.keys(json.verificationMaterial)).toContain('certificate');
    expect(JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString())).toEqual(
      cosignSignStatement({ digest, annotations: { repo: release.repository } }),
    );
  });

  it('attests an SBOM with SET and inclusion proof whose checkpoint verifies', async () => {
    const statement = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest });
    const bundle = (await sigstore.bundleAttestation({ statement, identity: release })) as {
      verificationMaterial: {
        tlogEntries: {
          kindVersion: object;
          inclusionProof?: { logIndex: string; hashes: string[]; checkpoint: { envelope: string } };
        }[];
      };
    };
    expect(verifyBundle(bundle).identity?.extensions?.issuer).toBe(GITHUB_ACTIONS_ISSUER);
    const [entry] = bundle.verificationMaterial.tlogEntries;
    expect(entry?.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(entry?.inclusionProof?.checkpoint.envelope).toMatch(/^rekor\.verify-release\.test - \d+\n/);
    // A real audit path, not the single-entry tree protobuf JSON would shrink to nothing.
    expect(entry?.inclusionProof?.hashes.length).toBeGreaterThan(0);
    expect(Number(entry?.inclusionProof?.logIndex)).toBeGreaterThan(0);
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
    const foreign = await sigstore.bundleSignature({
      digest,
      identity: { ...release, issuer: 'https://accounts.google.com' },
    });
    expect(outcome(() => verifyBundle(foreign))).toBe('UNTRUSTED_SIGNER_ERROR');
  });
});
