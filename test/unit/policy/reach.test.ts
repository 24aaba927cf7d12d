import { beforeAll, describe, expect, it } from 'vitest';
import { loadCue, type CueApi } from '../../../src/policy/cue-runtime.js';
import { startPolicyEngine, type PolicyEngine, type PolicyMode, type PolicyOutcome } from '../../../src/policy/cue.js';
import { analyzeReach, removeViolation, sliceStatement, type Reach } from '../../../src/policy/reach.js';
import type { InTotoStatement } from '../../../src/model/evidence.js';
import { largeCyclonedxStatement } from '../../support/large-sbom.js';

let cue: CueApi;
let sliced: PolicyEngine;
let whole: PolicyEngine;
beforeAll(async () => {
  cue = await loadCue();
  sliced = startPolicyEngine();
  whole = startPolicyEngine({ slice: false });
}, 30_000);

// A reach as a plain object, for readable expectations.
function plain(reach: Reach | undefined): unknown {
  if (reach === undefined) return undefined;
  if (reach.kind === 'all') return 'all';
  if (reach.kind === 'each') return { each: plain(reach.element) };
  return Object.fromEntries([...reach.fields].map(([name, child]) => [name, plain(child)]));
}
const reachOf = (source: string) => plain(analyzeReach(cue.toAST(source)));

// The shape of chainguard-dev/text4shell-policy's policy/text4shell.cue (not vendored: that repository has no license).
const TEXT4SHELL_PATTERN = `import (
	"list"
	"strings"
)
let names = ["commons-text"]
let versions = ["1.5", "1.6", "1.7", "1.8", "1.9"]
predicate: components: [...{
	name:    name
	version: version
	if list.Contains(names, name) && list.Contains(versions, version) {
		err: strings.Join(["vulnerable:", name, version], " ")
		name: err
	}
}]`;

describe('analyzeReach', () => {
  it.each<[string, string, unknown]>([
    ['a concrete field', 'predicateType: "https://cyclonedx.org/bom"', { predicateType: 'all' }],
    [
      'nested fields, merged across declarations',
      'predicate: builder: id: =~"^x"\npredicate: invocation: configSource: {uri: string, entryPoint: "e"}',
      { predicate: { builder: { id: 'all' }, invocation: { configSource: { uri: 'all', entryPoint: 'all' } } } },
    ],
    [
      'every element of a list',
      'predicate: components: [...{version: =~"^v", "bom-ref": string}]',
      { predicate: { components: { each: { version: 'all', 'bom-ref': 'all' } } } },
    ],
    [
      'imports, builtins, hidden fields and definitions',
      'package p\nimport "list"\nimport s "strings"\n_h: 1\n#D: int\nsubject: list.MinItems(1)\npredicateType: s.HasPrefix("https://")',
      { subject: 'all', predicateType: 'all' },
    ],
    ['a list with fixed elements', 'subject: [{name: string}, ...]', { subject: 'all' }],
    ['an open struct', 'predicate: {a: 1, ...}', { predicate: 'all' }],
    ['close()', 'predicate: close({a: 1})', { predicate: 'all' }],
    ['a constant let', 'let t = "https://cyclonedx.org/bom"\npredicateType: t', { predicateType: 'all' }],
    [
      'a list element whose references stay inside it (chainguard-dev/text4shell-policy pattern)',
      TEXT4SHELL_PATTERN,
      { predicate: { components: { each: { name: 'all', version: 'all', err: 'all' } } } },
    ],
  ])('bounds %s', (_name, source, want) => {
    expect(reachOf(source)).toEqual(want);
  });

  it.each([
    [
      'a reference to a field',
      'import "time"\nbefore: time.Parse(time.RFC3339, "2049-10-09T17:10:27Z")\npredicate: Timestamp: <=before',
    ],
    ['a definition used as a type', '#C: {version: string}\npredicate: components: [...#C]'],
    ['a comprehension', 'predicate: x: [for c in predicate.components {c.name}]'],
    ['an embedding', '{predicateType: "x"}'],
    ['a pattern constraint', 'predicate: [string]: string'],
    ['a dynamic label', '(k): 1\nk: "predicate"'],
    ['an alias', 'P=predicate: {a: 1}\nx: P.a'],
    ['a let bound to a field', 'predicate: x: string\nlet t = predicate.x\npredicateType: t'],
    ['a nested let', 'predicateType: string\npredicate: {let t = predicateType\nx: t}'],
    ['an element referring outside itself', 'predicate: {v: string, components: [...{version: v}]}'],
    ['an element with a for comprehension', 'predicate: components: [...{n: string, x: [for c in n {c}]}]'],
    ['an interpolation', 'v: "1"\npredicateType: "x\\(v)"'],
    ['a label shadowing a predeclared name', 'string: 1\npredicateType: string'],
  ])('gives up on %s', (_name, source) => {
    expect(reachOf(source)).toBeUndefined();
  });
});

describe('sliceStatement and removeViolation', () => {
  it('keeps only reached paths, list lengths and other shapes whole', () => {
    const r = analyzeReach(cue.toAST('predicate: components: [...{version: string}]\npredicateType: string'));
    if (!r) throw new Error('unbounded');
    const statement = {
      _type: 't',
      predicateType: 'p',
      subject: [{ digest: { sha256: 'a' } }],
      predicate: { metadata: { x: 1 }, components: [{ name: 'a', version: '1' }, 'text', { name: 'b' }] },
    };
    expect(sliceStatement(statement, r)).toEqual({
      predicateType: 'p',
      predicate: { components: [{ version: '1' }, 'text', {}] },
    });
    expect(sliceStatement({ predicate: 'not an object' }, r)).toEqual({ predicate: 'not an object' });
    const slice = sliceStatement(statement, r);
    expect(removeViolation(slice, r, ['predicate', 'components', '0', 'version'])).toEqual([
      'predicate',
      'components',
      '0',
      'version',
    ]);
    expect(slice).toEqual({ predicateType: 'p', predicate: { components: [{}, 'text', {}] } });
    // A whole element cannot go: the others would be renumbered.
    expect(removeViolation(slice, r, ['predicate', 'components', '1'])).toBeUndefined();
    expect(statement.predicate.components[0]).toEqual({ name: 'a', version: '1' });
  });
});

// The same (policy, statement, mode) evaluated on the sliced and on the whole statement.
const BASE: InTotoStatement = {
  _type: 'https://in-toto.io/Statement/v0.1',
  predicateType: 'https://cyclonedx.org/bom',
  subject: [{ name: 'ghcr.io/acme/app', digest: { sha256: 'a'.repeat(64) } }],
  predicate: {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { 'bom-ref': 'pkg:golang/acme/app@v1.0.0?type=module', name: 'app' } },
    components: [
      { type: 'library', name: 'a', version: 'v1.0.0', licenses: [{ license: { id: 'MIT' } }] },
      { type: 'library', name: 'b', version: 'v2.0.0' },
      { type: 'library', name: 'c' },
      { type: 'library', name: 'd', version: '3.0' },
      { type: 'file', name: 'e', version: '0.1' },
    ],
  },
};
const POLICIES: Record<string, string> = {
  'predicateType only': 'predicateType: "https://cyclonedx.org/bom"',
  'wrong predicateType': 'predicateType: "https://slsa.dev/provenance/v0.2"',
  'bom-ref regex': 'predicate: metadata: component: "bom-ref": =~"^pkg:golang/acme/app@v[0-9.]+\\\\?type=module$"',
  'every version present': 'predicate: components: [...{version: string}]',
  'every version a v-tag': 'predicate: components: [...{version: =~"^v"}]',
  'every type library': 'predicate: components: [...{type: "library"}]',
  'absent field': 'predicate: serialNumber: =~"^urn:uuid:"',
  'absent list': 'predicate: dependencies: [...{ref: string}]',
  'type mismatch': 'predicate: specVersion: int',
  'list builtins':
    'import "list"\nsubject: list.MinItems(1) & list.MaxItems(1)\npredicate: components: list.MinItems(6)',
  'helper field (reference: whole statement)':
    'import "time"\nbefore: time.Parse(time.RFC3339, "2049-10-09T17:10:27Z")\npredicate: metadata: timestamp?: <=before',
  'non-concrete helper': 'helper: string\npredicateType: "https://cyclonedx.org/bom"',
  'closed struct': 'subject: [...close({name: string, digest: {sha256: string}})]',
  'a disjunction': 'predicate: bomFormat: "CycloneDX" | "SPDX"',
  'text4shell pattern': TEXT4SHELL_PATTERN.replace('"commons-text"', '"b"').replace('"1.9"', '"v2.0.0"'),
};
const STATEMENTS: Record<string, InTotoStatement> = {
  base: BASE,
  'predicate a string': { ...BASE, predicate: 'text' },
  'no predicate': { _type: BASE._type, subject: BASE.subject, predicateType: BASE.predicateType },
  'components not a list': { ...BASE, predicate: { ...(BASE.predicate as object), components: { a: 1 } } },
  'extra subject field': { ...BASE, subject: [{ ...BASE.subject[0]!, uri: 'x' } as InTotoStatement['subject'][0]] },
};

// What must agree: the verdict, the first violation and the notes (slicing may find further violations).
function essence(outcome: PolicyOutcome): unknown {
  if (outcome.pass) return outcome;
  const { path, value, constraint, message } = outcome;
  return { pass: false, path, value, constraint, message };
}

describe('a sliced statement gives the outcome of the whole statement', () => {
  const cases = Object.keys(POLICIES).flatMap((policy) =>
    Object.keys(STATEMENTS).flatMap((statement) =>
      (['cosign', 'strict'] as PolicyMode[]).map((mode) => [policy, statement, mode] as const),
    ),
  );
  it.each(cases)('%s on %s (%s)', async (policyName, statementName, mode) => {
    const policy = { name: `${policyName}.cue`, source: POLICIES[policyName]! };
    const statement = STATEMENTS[statementName]!;
    const [a, b] = [await sliced.evaluate(policy, statement, mode), await whole.evaluate(policy, statement, mode)];
    expect(essence(a)).toEqual(essence(b));
  });

  it('reports every violation of a sliceable policy, the first one alone otherwise', async () => {
    const policy = { name: 'v.cue', source: POLICIES['every version a v-tag']! };
    const outcome = await sliced.evaluate(policy, BASE, 'cosign');
    expect(outcome.pass === false && outcome.violations.map((v) => v.path)).toEqual([
      'predicate.components.3.version',
      'predicate.components.4.version',
    ]);
    // A value removed to find the next violation is not then reported as missing by strict mode.
    const versions = [{ name: 'a', version: '1.0' }, { name: 'b' }, { name: 'c', version: 'v1' }];
    const withVersions = { ...BASE, predicate: { ...(BASE.predicate as object), components: versions } };
    const strict = await sliced.evaluate(policy, withVersions, 'strict');
    expect(strict.pass === false && strict.violations.map((v) => v.message)).toEqual([
      'predicate.components.0.version: value "1.0" does not match =~"^v"',
    ]);
    // With no violation before it, the missing version is what strict mode reports.
    const missing = await sliced.evaluate(
      policy,
      { ...withVersions, predicate: { components: versions.slice(1) } },
      'strict',
    );
    expect(missing.pass === false && missing.message).toBe(
      'policy requires fields missing from statement: predicate.components.0.version',
    );
    const first = await whole.evaluate(policy, BASE, 'cosign');
    expect(first.pass === false && first.violations.map((v) => v.path)).toEqual(['predicate.components.3.version']);
  });

  it.each<PolicyMode>(['cosign', 'strict'])(
    'agrees on a real-sized SBOM (300 components) in %s mode',
    async (mode) => {
      const statement = largeCyclonedxStatement(300);
      const components = (statement.predicate as { components: Record<string, unknown>[] }).components;
      delete components[120]!.version;
      components[250] = { ...components[250], name: 'commons-text', version: '1.9' };
      for (const source of [
        TEXT4SHELL_PATTERN,
        POLICIES['every version present']!,
        'predicateType: "https://cyclonedx.org/bom"',
      ]) {
        const policy = { name: 'large.cue', source };
        const [a, b] = [await sliced.evaluate(policy, statement, mode), await whole.evaluate(policy, statement, mode)];
        expect(essence(a)).toEqual(essence(b));
      }
    },
    120_000,
  );
});
