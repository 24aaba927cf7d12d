import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { policyCommand, readStatement } from '../../../src/commands/policy.js';
import { startPolicyEngine, type PolicyEngine, type PolicyMode } from '../../../src/policy/cue.js';
import { repoRoot } from '../../support/corpus.js';

interface Source {
  repo: string;
  path: string;
  commit: string;
  license: string;
}
interface Manifest {
  policies: { file: string; origin: string; source?: Source; note?: string }[];
  statements: { file: string; form: string; origin: string; source?: Source; note?: string }[];
  pairs: { policy: string; statement: string; cosign: 'pass' | 'fail'; strict: 'pass' | 'fail'; why: string }[];
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'fixtures/policies/manifest.json'), 'utf8')) as Manifest;

let sliced: PolicyEngine;
let whole: PolicyEngine;
beforeAll(async () => {
  sliced = startPolicyEngine();
  whole = startPolicyEngine({ slice: false });
  await sliced.compile([{ name: 'warm-up.cue', source: 'a: 1' }]);
}, 30_000);

describe('fixtures/policies', () => {
  it('records where every vendored file comes from, and lists every file it holds', () => {
    for (const policy of manifest.policies) {
      expect(existsSync(join(repoRoot, policy.file)), policy.file).toBe(true);
      if (policy.origin === 'vendored' || policy.origin === 'extracted') {
        expect(policy.source?.license, policy.file).toBe('Apache-2.0');
        expect(policy.source?.commit, policy.file).toMatch(/^[0-9a-f]{40}$/);
      } else expect(policy.source ?? policy.note, policy.file).toBeDefined();
    }
    const listed = new Set([...manifest.policies, ...manifest.statements].map((entry) => entry.file));
    const walk = (dir: string): string[] =>
      readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
      );
    const onDisk = walk('fixtures/policies').filter((file) => !/\/(README\.md|manifest\.json)$/.test(file));
    expect(onDisk.filter((file) => !listed.has(file))).toEqual([]);
  });

  it('reads every statement in its recorded form', async () => {
    for (const statement of manifest.statements) {
      await expect(readStatement(join(repoRoot, statement.file)), statement.file).resolves.toMatchObject({
        form: statement.form,
      });
    }
  });

  const cases = manifest.pairs.flatMap((pair) =>
    (['cosign', 'strict'] as PolicyMode[]).map((mode) => ({ ...pair, mode })),
  );
  it.each(cases)('$policy on $statement: $mode mode gives its recorded verdict', async (pair) => {
    const report = await policyCommand({
      policies: [join(repoRoot, pair.policy)],
      statements: [join(repoRoot, pair.statement)],
      mode: pair.mode,
      engine: sliced,
    });
    const [result] = report.results;
    expect({ status: result?.status, why: pair.why }).toEqual({ status: pair[pair.mode], why: pair.why });
    expect(report.signatureChecked).toBe(false);
    // The same verdict, first violation and notes on the whole statement (no reach analysis).
    const full = await policyCommand({
      policies: [join(repoRoot, pair.policy)],
      statements: [join(repoRoot, pair.statement)],
      mode: pair.mode,
      engine: whole,
    });
    const [fullResult] = full.results;
    expect(fullResult?.status).toBe(result?.status);
    expect(fullResult?.violations[0]).toEqual(result?.violations[0]);
    expect(fullResult?.notes).toEqual(result?.notes);
  });

  it('keeps the vendored cosign policies as upstream has them (sizes at the recorded commits)', () => {
    const sizes = Object.fromEntries(
      manifest.policies
        .filter((policy) => policy.origin === 'vendored')
        .map((policy) => [policy.file.split('/').pop(), readFileSync(join(repoRoot, policy.file)).length]),
    );
    expect(sizes).toEqual({
      'cue-works.cue': 269,
      'cue-fails.cue': 351,
      'cue-vuln-works.cue': 522,
      'cue-vuln-fails.cue': 650,
    });
  });
});
