/**
 * The SLSA rules against real generator_container_slsa3 attestations (v1.4.0–v2.1.0) from slsa-verifier's test
 * data. The layers' cryptography is checked elsewhere (test/corpus for src/sigstore); here the DSSE payload is
 * decoded from the layer blob and the signer read from the layer certificate, as verified evidence would carry them.
 */
import { pem } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { evaluateProvenance } from '../../src/checks/provenance/index.js';
import { isDigest, type Digest } from '../../src/model/digest.js';
import type { InTotoStatement, LegacyLayerEvidence, VerifiedEvidence } from '../../src/model/evidence.js';
import { toSignerInfo } from '../../src/sigstore/certificate.js';
import { loadCases, readCaseLayers, type RealworldCase } from '../support/oci-layout.js';

const GROUP = 'slsa-verifier container (legacy .att)';
const GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';

interface ContainerCase extends RealworldCase {
  builderId?: string;
  sourceRepo?: string;
  sourceRef?: string;
}

function toEvidence(layer: LegacyLayerEvidence): VerifiedEvidence {
  const envelope = JSON.parse(Buffer.from(layer.payload).toString('utf8')) as { payloadType: string; payload: string };
  expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
  const bytes = Buffer.from(envelope.payload, 'base64');
  const certificate = layer.annotations['dev.sigstore.cosign/certificate'];
  if (!certificate) throw new Error('layer has no certificate annotation');
  return {
    evidence: layer,
    signer: toSignerInfo(pem.toDER(certificate)),
    content: {
      type: 'in-toto',
      statement: JSON.parse(bytes.toString('utf8')) as InTotoStatement,
      bytes: new Uint8Array(bytes),
    },
    tlogEntries: [],
    verifiedTimes: [],
  };
}

function digestOf(testCase: RealworldCase): Digest {
  const digest = testCase.subjectDigest ?? '';
  if (!isDigest(digest)) throw new Error(`${testCase.id}: no subject digest`);
  return digest;
}

const cases = loadCases().filter((testCase) => testCase.group === GROUP) as ContainerCase[];
const valid = cases.filter((testCase) => testCase.expected === 'valid');

describe('real generator_container_slsa3 provenance', () => {
  it('finds the nine generator versions in the corpus', () => {
    expect(valid.map((testCase) => testCase.id.split('/').pop())).toEqual([
      'v1.4.0',
      'v1.5.0',
      'v1.6.0',
      'v1.7.0',
      'v1.8.0',
      'v1.9.0',
      'v1.10.0',
      'v2.0.0',
      'v2.1.0',
    ]);
  });

  describe.each(valid.map((testCase) => [testCase.id, testCase] as const))('%s', (_id, testCase) => {
    const evidence = readCaseLayers(testCase).map(toEvidence);
    const digest = digestOf(testCase);
    const sourceUri = (testCase.sourceRepo ?? '').replace('https://', '');
    // The certificate's deprecated ref claim (.1.6) is on every version; cases.json's sourceRef is wrong for
    // v1.10.0, which is a tag build (refs/tags/v13.0.30).
    const ref = evidence[0]?.signer.extensions['1.3.6.1.4.1.57264.1.6'] ?? '';
    const refOption = ref.startsWith('refs/tags/')
      ? { sourceTag: ref.slice('refs/tags/'.length) }
      : { sourceBranch: ref.slice('refs/heads/'.length) };

    it('passes for its digest, source repository, ref and builder version', () => {
      const version = testCase.id.split('/').pop() ?? '';
      const result = evaluateProvenance(evidence, {
        digest,
        sourceUri,
        ...refOption,
        builderId: `${GENERATOR}@${version}`,
      });
      expect(result.reason).not.toMatch(/fail|invalid|not match/);
      expect(result.status).toBe('pass');
      expect(result.evidence).toMatchObject({
        builderId: testCase.builderId,
        sourceRepository: 'slsa-framework/example-package',
        ref,
      });
      expect(evaluateProvenance(evidence, { digest, sourceUri: `git+https://${sourceUri}` }).status).toBe('pass');
    });

    it('fails for another source repository', () => {
      const result = evaluateProvenance(evidence, { digest, sourceUri: 'github.com/slsa-framework/slsa-verifier' });
      expect(result.status).toBe('fail');
      expect(result.reason).toBe(
        "source used to generate the binary does not match provenance: expected source 'slsa-framework/slsa-verifier', got 'slsa-framework/example-package'",
      );
      expect(evaluateProvenance(evidence, { digest, sourceUri: `https://${sourceUri}` }).status).toBe('fail');
    });

    it('fails for another tag', () => {
      const result = evaluateProvenance(evidence, { digest, sourceUri, sourceTag: 'v0.0.1' });
      expect(result.status).toBe('fail');
      expect(result.reason).toMatch(
        ref.startsWith('refs/tags/') ? /^tag used to generate the binary does not match provenance/ : /^invalid ref/,
      );
    });

    it('fails for another builder version', () => {
      const result = evaluateProvenance(evidence, { digest, sourceUri, builderId: `${GENERATOR}@v0.0.1` });
      expect(result.status).toBe('fail');
      expect(result.reason).toMatch(/^untrusted reusable workflow/);
    });
  });

  it('fails the v2.1.0 attestation for the v2.0.0 image digest', () => {
    const testCase = cases.find((c) => c.id.endsWith('v2.1.0/wrong-image-digest'));
    if (!testCase) throw new Error('wrong-image-digest case missing from the corpus');
    const result = evaluateProvenance(readCaseLayers(testCase).map(toEvidence), {
      digest: digestOf(testCase),
      sourceUri: 'github.com/slsa-framework/example-package',
    });
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(/^artifact hash does not match provenance subject/);
  });

  it('covers certificates that carry only the legacy .1.1–.1.6 extensions (v1.4.0, v1.5.0) and ones without .1.22', () => {
    const extensionsOf = (version: string): string[] => {
      const testCase = valid.find((c) => c.id.endsWith(`/${version}`));
      if (!testCase) throw new Error(`${version} missing from the corpus`);
      return Object.keys(readCaseLayers(testCase).map(toEvidence)[0]?.signer.extensions ?? {});
    };
    expect(extensionsOf('v1.4.0')).not.toContain('1.3.6.1.4.1.57264.1.8');
    expect(extensionsOf('v1.5.0')).not.toContain('1.3.6.1.4.1.57264.1.12');
    expect(extensionsOf('v1.7.0')).toContain('1.3.6.1.4.1.57264.1.12');
    expect(extensionsOf('v1.7.0')).not.toContain('1.3.6.1.4.1.57264.1.22');
  });
});
