import { afterAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/model/digest.js';
import { sha256Digest } from '../../src/model/digest.js';
import type { Evidence, LegacyLayerEvidence, VerifiedEvidence } from '../../src/model/evidence.js';
import {
  verifyIdentity,
  verifySigstoreBundle,
  verifyStatementSubject,
  verifySimpleSigningClaim,
  verifyEvidence,
  trustRootFromJson,
} from '../../src/sigstore/index.js';
import type { TrustRoot } from '../../src/sigstore/index.js';
import {
  loadCases,
  readCaseLayers,
  readCorpusFile,
  readCorpusJson,
  type RealworldCase,
} from '../support/oci-layout.js';

/**
 * Every legacy-format case of the real-world corpus, reached the way verify-release reaches it: the discovery input
 * (layers of a `.att`/`.sig` manifest, or what a referrer would hold) → verifyEvidence → verifyIdentity → claims.
 */
const cases = loadCases();
const roots = new Map<string, TrustRoot>();
const outcomes: string[] = [];

function trustOf(testCase: RealworldCase): TrustRoot {
  const path = testCase.trustedRoot.split(' ')[0] ?? testCase.trustedRoot;
  let root = roots.get(path);
  if (!root) {
    root = trustRootFromJson(readCorpusJson(path), 'file');
    roots.set(path, root);
  }
  return root;
}

/** The full per-evidence pipeline for a case; returns the error code, or 'OK'. */
function run(testCase: RealworldCase, evidence: Evidence): string {
  try {
    const verified: VerifiedEvidence = verifyEvidence(evidence, trustOf(testCase));
    verifyIdentity(verified.signer, { identity: testCase.identity ?? '', issuer: testCase.issuer ?? '' });
    const digest = testCase.subjectDigest as Digest;
    if (verified.content.type === 'in-toto') verifyStatementSubject(verified.content.statement, digest);
    else verifySimpleSigningClaim(verified.content.payload, digest);
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? `UNTYPED ${String(error)}`;
  }
}

function expectOutcome(testCase: RealworldCase, results: string[]): void {
  outcomes.push(`${testCase.id}: expected ${testCase.expected}, got ${results.join(',')}`);
  if (testCase.expected === 'valid') expect(results).toContain('OK');
  else {
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result).not.toBe('OK');
      expect(result).not.toMatch(/^UNTYPED/);
    }
  }
}

afterAll(() => {
  console.log(`legacy corpus outcomes:\n  ${outcomes.join('\n  ')}`);
});

describe('legacy .att layers (slsa-verifier cosign save layouts and derived tampered copies)', () => {
  const groups = ['slsa-verifier container (legacy .att)', 'derived (made for this project from real data)'];
  const selected = cases.filter((testCase) => groups.includes(testCase.group));

  it('finds all 18 cases', () => {
    expect(selected).toHaveLength(18);
  });

  it.each(selected.map((testCase) => [testCase.id, testCase] as const))('%s', (_id, testCase) => {
    expectOutcome(
      testCase,
      readCaseLayers(testCase).map((layer) => run(testCase, layer)),
    );
  });

  it.each([
    ['derived/container-att-v2.1.0-payload-tampered', 'TLOG_ERROR'],
    ['derived/container-att-v2.1.0-cert-swapped', 'TLOG_ERROR'],
    ['derived/container-att-v2.1.0-rekor-bundle-swapped', 'TLOG_ERROR'],
    ['derived/container-att-v1.9.0-intoto001-payload-tampered', 'TLOG_ERROR'],
    ['slsa-verifier/generator_container_slsa3/v2.1.0/wrong-identity', 'IDENTITY_MISMATCH'],
    ['slsa-verifier/generator_container_slsa3/v2.1.0/wrong-issuer', 'IDENTITY_MISMATCH'],
    ['slsa-verifier/generator_container_slsa3/v2.1.0/wrong-image-digest', 'CLAIM_MISMATCH'],
  ])('%s fails for the intended reason (%s)', (id, code) => {
    const testCase = cases.find((c) => c.id === id) as RealworldCase;
    expect(readCaseLayers(testCase).map((layer) => run(testCase, layer))).toEqual([code]);
  });

  it('the intoto 0.0.1 attestations reach their SLSA statement with verified times and tlog entries', () => {
    const testCase = cases.find((c) => c.id === 'slsa-verifier/generator_container_slsa3/v1.4.0') as RealworldCase;
    const [layer] = readCaseLayers(testCase) as [LegacyLayerEvidence];
    const verified = verifyEvidence(layer, trustOf(testCase));
    expect(verified.tlogEntries).toEqual([
      { logIndex: '10957770', integratedTime: 1673455977, kind: 'intoto', version: '0.0.1' },
    ]);
    expect(verified.verifiedTimes).toEqual([new Date(1673455977 * 1000).toISOString()]);
    expect(verified.content.type === 'in-toto' && verified.content.statement.predicateType).toBe(
      'https://slsa.dev/provenance/v0.2',
    );
  });
});

describe('legacy .sig layers', () => {
  it('sigstore-rs/extracted/legacy-rekord-2021: crypto is sound but the 2021 cert has no SCT, so it fails closed', () => {
    const testCase = cases.find((c) => c.id === 'sigstore-rs/extracted/legacy-rekord-2021') as RealworldCase;
    const dir = 'sigstore-rs/extracted/legacy-rekord-2021-kubewarden-disallow-service-nodeport';
    const descriptor = readCorpusJson(`${dir}/layer.json`) as {
      mediaType: string;
      digest: Digest;
      annotations: Record<string, string>;
    };
    const payload = new Uint8Array(readCorpusFile(`${dir}/simplesigning-payload.json`));
    expect(sha256Digest(payload)).toBe(descriptor.digest);
    const layer: LegacyLayerEvidence = {
      format: 'legacy-sig',
      location: {
        repository: 'realworld.invalid/corpus',
        via: 'tag',
        manifestDigest: descriptor.digest,
        layerIndex: 0,
      },
      mediaType: descriptor.mediaType,
      annotations: descriptor.annotations,
      payload,
      layerDigest: descriptor.digest,
    };
    const result = run(testCase, layer);
    expectOutcome(testCase, [result]);
    expect(result).toBe('SCT_ERROR');
  });

  it('sigstore-go/extracted/minder-server-cosign-sig: the converted .sig bundle verifies digest-only', () => {
    // The simple-signing payload of this real signature was never published, so the facade (which must decode it)
    // cannot be used: the bundle verifier it delegates to is driven directly with the payload digest.
    const testCase = cases.find((c) => c.id === 'sigstore-go/extracted/minder-server-cosign-sig') as RealworldCase;
    const bundle = readCorpusJson('sigstore-go/extracted/minder-server-cosign-sig.bundle.json');
    const hex = (testCase.payloadDigest ?? '').replace('sha256:', '');
    const verification = verifySigstoreBundle(bundle, trustOf(testCase), {
      artifact: { digest: { algorithm: 'sha256', hex } },
    });
    expect(verification.signer).toBeDefined();
    verifyIdentity(verification.signer!, { identity: testCase.identity ?? '', issuer: testCase.issuer ?? '' });
    outcomes.push(`${testCase.id}: expected ${testCase.expected}, got OK (digest-only)`);
    const wrong = { digest: { algorithm: 'sha256' as const, hex: '0'.repeat(64) } };
    expect(() => verifySigstoreBundle(bundle, trustOf(testCase), { artifact: wrong })).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_ERROR' }),
    );
  });
});

describe('bare DSSE envelopes without tlog data (slsa-verifier dsse-without-tlog) fail closed', () => {
  const selected = cases.filter((testCase) => testCase.id.startsWith('slsa-verifier/dsse-without-tlog/'));

  it('finds all 4 cases', () => {
    expect(selected).toHaveLength(4);
  });

  // A registry could hand such an envelope over as a .att layer (cert copied into the annotation, no Rekor bundle)
  // or as a referrer "bundle"; neither has a verifiable time, so both must be rejected.
  it.each(selected.map((testCase) => [testCase.id, testCase] as const))('%s', (_id, testCase) => {
    const file = (testCase.files?.[0] ?? '').split(' ')[0] ?? '';
    const bytes = readCorpusFile(file);
    const envelope = JSON.parse(bytes.toString('utf8')) as { signatures: { cert?: string }[] };
    const digest = sha256Digest(bytes);
    const asLayer: LegacyLayerEvidence = {
      format: 'legacy-att',
      location: { repository: 'realworld.invalid/corpus', via: 'tag', manifestDigest: digest, layerIndex: 0 },
      mediaType: 'application/vnd.dsse.envelope.v1+json',
      annotations: {
        'dev.cosignproject.cosign/signature': '',
        'dev.sigstore.cosign/certificate': envelope.signatures[0]?.cert ?? '',
      },
      payload: new Uint8Array(bytes),
      layerDigest: digest,
    };
    const asBundle: Evidence = {
      format: 'bundle',
      location: { repository: 'realworld.invalid/corpus', via: 'referrers-tag', manifestDigest: digest, layerIndex: 0 },
      bundle: envelope,
      annotations: {},
    };
    expectOutcome(testCase, [run(testCase, asLayer), run(testCase, asBundle)]);
  });
});
