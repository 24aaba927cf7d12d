import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicies } from '../../../src/checks/policy.js';
import { startPolicyEngine, type PolicyEngine } from '../../../src/policy/cue.js';
import { bundledPolicyDir } from '../../../src/profile/bundled.js';
import type { InTotoStatement } from '../../../src/model/evidence.js';
import { cyclonedxStatement, slsaProvenanceStatement } from '../../support/statements.js';
import { DIGEST, SHA } from './provenance/fixtures.js';

const policy = { name: 'policy.cue', source: readFileSync(join(bundledPolicyDir(), 'policy.cue'), 'utf8') };
const sbomPolicy = {
  name: 'policy-sbom.cue',
  source: readFileSync(join(bundledPolicyDir(), 'policy-sbom.cue'), 'utf8'),
};
const image = 'ghcr.io/natrontech/gcp-mysql-backup';
const tagBuild = slsaProvenanceStatement({
  image,
  digest: DIGEST,
  sourceRepository: 'natrontech/gcp-mysql-backup',
  ref: 'refs/tags/v1.1.2',
  sha: SHA,
});
const forkBuild = slsaProvenanceStatement({
  image,
  digest: DIGEST,
  sourceRepository: 'evil/gcp-mysql-backup',
  ref: 'refs/tags/v1.1.2',
  sha: SHA,
});
const sbom = cyclonedxStatement({ image, digest: DIGEST });

let engine: PolicyEngine;
beforeAll(async () => {
  engine = startPolicyEngine();
  await engine.evaluate({ name: 'warm-up.cue', source: 'a: 1' }, sbom, 'cosign');
}, 30_000);

describe('evaluatePolicies', () => {
  it('passes when every policy passes for every matching statement', async () => {
    const result = await evaluatePolicies('provenance-policy', [tagBuild, sbom], [policy], 'strict', engine);
    expect(result).toMatchObject({
      id: 'provenance-policy',
      status: 'pass',
      evidence: {
        statements: 1,
        policies: [{ path: 'policy.cue', sha256: createHash('sha256').update(policy.source).digest('hex') }],
        cueVersion: 'v0.4.3',
      },
    });
  });

  it('fails when one matching statement fails, naming the policy file, path, value and constraint', async () => {
    const result = await evaluatePolicies('provenance-policy', [tagBuild, forkBuild], [policy], 'cosign', engine);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(
      /^policy\.cue: predicate\.invocation\.configSource\.uri: value "git\+https:\/\/github\.com\/evil\/gcp-mysql-backup@refs\/tags\/v1\.1\.2" does not match =~/,
    );
    expect(result.evidence['failures']).toEqual([
      expect.objectContaining({ policy: 'policy.cue', statement: 1, path: 'predicate.invocation.configSource.uri' }),
    ]);
  });

  it('fails with no matching statement', async () => {
    const result = await evaluatePolicies('sbom-policy', [tagBuild], [sbomPolicy], 'strict', engine);
    expect(result).toMatchObject({ status: 'fail', reason: 'no verified SBOM attestation to evaluate' });
    const provenance = await evaluatePolicies('provenance-policy', [], [policy], 'strict', engine);
    expect(provenance.reason).toBe('no verified provenance attestation to evaluate');
  });

  it('applies cosign or strict semantics to absent fields', async () => {
    const bare = structuredClone(tagBuild) as InTotoStatement & { predicate: { invocation?: unknown } };
    delete bare.predicate.invocation;
    expect((await evaluatePolicies('provenance-policy', [bare], [policy], 'cosign', engine)).status).toBe('pass');
    const strict = await evaluatePolicies('provenance-policy', [bare], [policy], 'strict', engine);
    expect(strict).toMatchObject({
      status: 'fail',
      reason:
        'policy.cue: policy requires fields missing from statement: predicate.invocation (strict mode; it passes with --policy-mode cosign, as cosign verify-attestation)',
    });
  });

  it('is an error when a policy does not compile', async () => {
    const broken = { name: 'broken.cue', source: 'predicate: {' };
    const result = await evaluatePolicies('sbom-policy', [sbom], [sbomPolicy, broken], 'strict', engine);
    expect(result).toMatchObject({ status: 'error' });
    expect(result.reason).toMatch(/^policy broken\.cue:1:\d+: expected valid CUE/);
  });

  it('skips when no policies are configured', async () => {
    expect((await evaluatePolicies('sbom-policy', [sbom], [], 'strict', engine)).status).toBe('skip');
  });
});
