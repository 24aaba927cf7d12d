import { describe, expect, it } from 'vitest';
import { evaluateSbom, toRawPredicate } from '../../../src/checks/sbom.js';
import type { InTotoStatement, VerifiedEvidence } from '../../../src/model/evidence.js';
import { cyclonedxStatement } from '../../support/statements.js';
import { DIGEST, generatorRun, generatorSigner, verified } from './provenance/fixtures.js';

describe('toRawPredicate', () => {
  it('returns the predicate bytes exactly, including formatting and key order', () => {
    const text =
      '{"_type":"x","predicateType":"https://cyclonedx.org/bom","subject":[],"predicate":{ "b":1,\n"a":"é\\u00e9" }}';
    const raw = toRawPredicate(new TextEncoder().encode(text), { b: 1, a: 'éé' });
    expect(raw).toBe('{ "b":1,\n"a":"é\\u00e9" }');
  });

  it('cross-checks the slice against the verified predicate', () => {
    expect(() => toRawPredicate(new TextEncoder().encode('{"predicate":{"a":1}}'), { a: 2 })).toThrow(
      /different value/,
    );
  });
});

function sbomEvidence(o: {
  integratedTime: number;
  logIndex: string;
  version?: string;
  pretty?: boolean;
}): VerifiedEvidence {
  const statement = cyclonedxStatement({
    image: 'ghcr.io/natrontech/gcp-mysql-backup',
    digest: DIGEST,
    ...(o.version !== undefined && { version: o.version }),
  });
  const candidate = verified(generatorSigner({ ref: 'refs/tags/v1.1.2' }), statement, o.logIndex);
  const text = o.pretty ? JSON.stringify(statement, null, 2) : JSON.stringify(statement);
  candidate.content = { type: 'in-toto', statement, bytes: new TextEncoder().encode(text) };
  candidate.tlogEntries = [{ logIndex: o.logIndex, integratedTime: o.integratedTime, kind: 'dsse', version: '0.0.1' }];
  candidate.verifiedTimes = [];
  return candidate;
}

describe('evaluateSbom', () => {
  it('passes one CycloneDX attestation and returns its exact text', () => {
    const candidate = sbomEvidence({ integratedTime: 1750846800, logIndex: '10', pretty: true });
    const { result, sbom } = evaluateSbom([generatorRun(), candidate]);
    expect(result).toMatchObject({
      id: 'sbom',
      status: 'pass',
      evidence: { specVersion: '1.5', components: 5, attestations: 1, logIndex: '10' },
    });
    expect(result.evidence['serialNumber']).toMatch(/^urn:uuid:/);
    expect(result.evidence['warning']).toBeUndefined();
    const statement = (candidate.content as { statement: InTotoStatement }).statement;
    expect(sbom?.document).toEqual(statement.predicate);
    expect(sbom?.raw).toBe(JSON.stringify(statement.predicate, null, 2).replace(/\n/g, '\n  '));
  });

  it('uses the newest of several and warns', () => {
    const older = sbomEvidence({ integratedTime: 1700000000, logIndex: '1', version: 'old' });
    const newer = sbomEvidence({ integratedTime: 1750000000, logIndex: '2', version: 'new' });
    const { result, sbom } = evaluateSbom([older, newer]);
    expect(result.status).toBe('pass');
    expect(result.evidence['warning']).toBe('2 SBOM attestations verified; using the newest (log index 2)');
    expect(result.reason).toContain('warning: 2 SBOM attestations verified');
    expect((sbom?.document as { metadata: { component: { version: string } } }).metadata.component.version).toBe('new');
  });

  it('fails without a CycloneDX attestation', () => {
    expect(evaluateSbom([generatorRun()]).result).toMatchObject({
      status: 'fail',
      reason: 'no verified SBOM attestation (https://cyclonedx.org/bom)',
    });
  });

  it('fails a CycloneDX-typed statement that is not a CycloneDX document', () => {
    const candidate = sbomEvidence({ integratedTime: 1, logIndex: '1' });
    (candidate.content as { statement: InTotoStatement }).statement.predicate = { spdxVersion: 'SPDX-2.3' };
    expect(evaluateSbom([candidate]).result.status).toBe('fail');
  });

  it('is an error when the signed bytes do not hold the verified predicate', () => {
    const candidate = sbomEvidence({ integratedTime: 1, logIndex: '1' });
    candidate.content.bytes = new TextEncoder().encode('{"predicate":{"bomFormat":"CycloneDX","specVersion":"1.4"}}');
    expect(evaluateSbom([candidate]).result.status).toBe('error');
  });
});
