import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startPolicyEngine, type PolicyEngine, type PolicyMode } from '../../../src/policy/cue.js';
import type { InTotoStatement } from '../../../src/model/evidence.js';
import { UsageError } from '../../../src/errors.js';
import { bundledPolicyDir } from '../../../src/profile/bundled.js';
import { deriveProfile } from '../../../src/profile/derive.js';
import { cyclonedxStatement, slsaProvenanceStatement } from '../../support/statements.js';

const DIGEST = 'sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122' as const;
const GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';
const BUILDER_POLICY = {
  name: 'builder.cue',
  source: `predicateType: "https://slsa.dev/provenance/v0.2"
predicate: {
  builder: id: =~"^https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v[0-9]+.[0-9]+.[0-9]+$"
  invocation: configSource: entryPoint: ".github/workflows/release.yml"
}`,
};

function provenance(
  o: { ref?: string; repo?: string; generatorRef?: string; entryPoint?: string } = {},
): InTotoStatement {
  return slsaProvenanceStatement({
    image: 'ghcr.io/natrontech/gcp-mysql-backup',
    digest: DIGEST,
    sourceRepository: o.repo ?? 'natrontech/gcp-mysql-backup',
    ref: o.ref ?? 'refs/tags/v1.1.2',
    sha: '4d329c75e7ec1725f7c9ce917a8799d408d06be3',
    ...(o.generatorRef !== undefined && { generatorRef: o.generatorRef }),
    ...(o.entryPoint !== undefined && { entryPoint: o.entryPoint }),
  });
}

function edit(statement: InTotoStatement, change: (s: any) => void): InTotoStatement {
  const copy = structuredClone(statement);
  change(copy);
  return copy;
}

let engine: PolicyEngine;
beforeAll(async () => {
  engine = startPolicyEngine();
  // Pay the one-time WebAssembly start here, not inside a test's timeout.
  await engine.evaluate(
    { name: 'warm-up.cue', source: 'a: 1' },
    { _type: 'x', subject: [], predicateType: 'x' },
    'cosign',
  );
}, 30_000);

describe('evaluate', () => {
  it.each<PolicyMode>(['cosign', 'strict'])('passes a matching statement (%s)', async (mode) => {
    await expect(engine.evaluate(BUILDER_POLICY, provenance(), mode)).resolves.toEqual({ pass: true, notes: [] });
  });

  it('reports an unmatched regex with path, value and constraint', async () => {
    const statement = provenance({ generatorRef: 'refs/heads/main' });
    const outcome = await engine.evaluate(BUILDER_POLICY, statement, 'cosign');
    expect(outcome).toMatchObject({
      pass: false,
      path: 'predicate.builder.id',
      value: `"${GENERATOR}@refs/heads/main"`,
      constraint: `=~"^${GENERATOR}@refs/tags/v[0-9]+.[0-9]+.[0-9]+$"`,
      message: `predicate.builder.id: value "${GENERATOR}@refs/heads/main" does not match =~"^${GENERATOR}@refs/tags/v[0-9]+.[0-9]+.[0-9]+$"`,
    });
  });

  it('reports a conflicting concrete value', async () => {
    const statement = edit(provenance(), (s) => (s.predicateType = 'https://slsa.dev/provenance/v1'));
    const outcome = await engine.evaluate(BUILDER_POLICY, statement, 'cosign');
    expect(outcome).toMatchObject({
      pass: false,
      path: 'predicateType',
      value: '"https://slsa.dev/provenance/v1"',
      constraint: '"https://slsa.dev/provenance/v0.2"',
    });
    expect(outcome.pass === false && outcome.message).toMatch(/^predicateType: conflicting values/);
  });

  it('reports a type mismatch with the statement side identified', async () => {
    const outcome = await engine.evaluate(
      BUILDER_POLICY,
      edit(provenance(), (s) => (s.predicateType = true)),
      'strict',
    );
    expect(outcome).toMatchObject({
      pass: false,
      path: 'predicateType',
      value: 'true',
      constraint: '"https://slsa.dev/provenance/v0.2"',
    });
  });

  describe('a constrained field missing from the statement', () => {
    const withoutInvocation = edit(provenance(), (s) => delete s.predicate.invocation);
    it('passes in cosign mode (cosign semantics), with a note', async () => {
      const outcome = await engine.evaluate(BUILDER_POLICY, withoutInvocation, 'cosign');
      expect(outcome).toEqual({
        pass: true,
        notes: ['predicate.invocation is constrained by the policy but absent from the statement'],
      });
    });
    it('fails in strict mode', async () => {
      await expect(engine.evaluate(BUILDER_POLICY, withoutInvocation, 'strict')).resolves.toEqual({
        pass: false,
        path: 'predicate.invocation',
        message: 'policy requires fields missing from statement: predicate.invocation',
        violations: [
          {
            path: 'predicate.invocation',
            message: 'policy requires fields missing from statement: predicate.invocation',
          },
        ],
      });
    });
    it('with a non-concrete constraint: passes in cosign mode, fails in strict mode', async () => {
      const policy = {
        name: 'uri.cue',
        source: 'predicate: invocation: configSource: uri: =~"^git\\\\+https://github.com/"\npredicate: foo: string',
      };
      await expect(engine.evaluate(policy, provenance(), 'cosign')).resolves.toMatchObject({ pass: true });
      await expect(engine.evaluate(policy, provenance(), 'strict')).resolves.toMatchObject({
        pass: false,
        path: 'predicate.foo',
        message: 'policy requires fields missing from statement: predicate.foo',
      });
    });
    it('still fails a conflict elsewhere in cosign mode', async () => {
      const policy = { name: 'both.cue', source: 'predicate: foo: string\npredicateType: "https://cyclonedx.org/bom"' };
      await expect(engine.evaluate(policy, provenance(), 'cosign')).resolves.toMatchObject({
        pass: false,
        path: 'predicateType',
      });
    });
  });

  it('keeps structs open: extra statement fields pass in both modes', async () => {
    const policy = { name: 'type.cue', source: 'predicateType: "https://slsa.dev/provenance/v0.2"' };
    await expect(engine.evaluate(policy, provenance(), 'strict')).resolves.toMatchObject({ pass: true });
  });

  it('handles quoted labels in paths', async () => {
    const policy = { name: 'label.cue', source: 'predicate: "x-y": "a"' };
    const outcome = await engine.evaluate(
      policy,
      edit(provenance(), (s) => (s.predicate['x-y'] = 'b')),
      'cosign',
    );
    expect(outcome).toMatchObject({ pass: false, value: '"b"', constraint: '"a"' });
  });

  it.each([
    ['syntax error', 'predicate: {'],
    ['self-conflicting policy', 'a: "x" & "y"'],
    ['builtin newer than CUE v0.4.3', 'a: matchN(1, [int])'],
    ['unknown package', 'import "nope"\na: 1'],
  ])('rejects a policy with a %s as a usage error naming file:line:column', async (_name, source) => {
    const outcome = engine.evaluate({ name: 'broken.cue', source }, provenance(), 'cosign');
    await expect(outcome).rejects.toBeInstanceOf(UsageError);
    await expect(outcome).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(outcome).rejects.toThrow(/^policy broken\.cue:\d+:\d+: expected valid CUE v0\.4\.3, got /);
  });

  it('supports package clauses and imports in the policy', async () => {
    const policy = {
      name: 'pkg.cue',
      source: 'package policy\nimport "strings"\npredicateType: strings.HasPrefix("https://slsa.dev/")',
    };
    await expect(engine.evaluate(policy, provenance(), 'strict')).resolves.toMatchObject({ pass: true });
    const sbom = cyclonedxStatement({ image: 'x', digest: DIGEST });
    await expect(engine.evaluate(policy, sbom, 'strict')).resolves.toMatchObject({
      pass: false,
      path: 'predicateType',
    });
  });
});

describe('bundled natrontech policies', () => {
  const policy = { name: 'policy.cue', source: readFileSync(join(bundledPolicyDir(), 'policy.cue'), 'utf8') };
  const sbomPolicy = {
    name: 'policy-sbom.cue',
    source: readFileSync(join(bundledPolicyDir(), 'policy-sbom.cue'), 'utf8'),
  };
  const sbom = cyclonedxStatement({ image: 'ghcr.io/natrontech/gcp-mysql-backup', digest: DIGEST, version: 'v1.1.2' });

  it.each<[string, boolean, InTotoStatement]>([
    ['v1.1.2 tag build', true, provenance()],
    ['latest (main) build', true, provenance({ ref: 'refs/heads/main' })],
    ['release candidate tag', false, provenance({ ref: 'refs/tags/v1.2.0-rc.1' })],
    ['feature branch build', false, provenance({ ref: 'refs/heads/feature' })],
    ['fork of the repository', false, provenance({ repo: 'evil/gcp-mysql-backup' })],
    ['other entry point', false, provenance({ entryPoint: '.github/workflows/other.yml' })],
    ['generator pinned to a branch', false, provenance({ generatorRef: 'refs/heads/main' })],
    ['SBOM statement', false, sbom],
  ])('policy.cue with %s → pass %s', async (_name, pass, statement) => {
    for (const mode of ['cosign', 'strict'] as const) {
      expect((await engine.evaluate(policy, statement, mode)).pass).toBe(pass);
    }
  });

  it('a derived policy judges the same statements as the bundled one', async () => {
    const [derived] = deriveProfile('natrontech', 'gcp-mysql-backup').policies.provenance;
    if (!derived) throw new Error('no derived policy');
    for (const statement of [
      provenance(),
      provenance({ ref: 'refs/heads/main' }),
      provenance({ repo: 'evil/gcp-mysql-backup' }),
      provenance({ ref: 'refs/tags/v1.2.0-rc.1' }),
    ]) {
      const [want, got] = await Promise.all([
        engine.evaluate(policy, statement, 'strict'),
        engine.evaluate(derived, statement, 'strict'),
      ]);
      expect(got.pass).toBe(want.pass);
    }
    const other = deriveProfile('natrontech', 'pbs-exporter').policies.provenance[0];
    if (!other) throw new Error('no derived policy');
    expect((await engine.evaluate(other, provenance(), 'strict')).pass).toBe(false);
    expect((await engine.evaluate(other, provenance({ repo: 'natrontech/pbs-exporter' }), 'strict')).pass).toBe(true);
  });

  it('policy-sbom.cue accepts the CycloneDX statement and rejects provenance', async () => {
    await expect(engine.evaluate(sbomPolicy, sbom, 'strict')).resolves.toMatchObject({ pass: true });
    await expect(engine.evaluate(sbomPolicy, provenance(), 'strict')).resolves.toMatchObject({
      pass: false,
      path: 'predicateType',
    });
  });
});
