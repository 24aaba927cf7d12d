import { describe, expect, it } from 'vitest';
import { compactValue, toPathLabels, toPolicyViolation, valueAtPath } from '../../../src/policy/errors.js';
import { outermostMissingPath, toAddedPaths, strictMismatch } from '../../../src/policy/strict.js';

describe('toPathLabels', () => {
  it.each([
    ['predicate.builder.id', ['predicate', 'builder', 'id']],
    ['predicate."bom-ref".x', ['predicate', 'bom-ref', 'x']],
    ['"a.b"."c\\"d"', ['a.b', 'c"d']],
    ['subject.0.digest', ['subject', '0', 'digest']],
  ])('%s', (path, labels) => {
    expect(toPathLabels(path)).toEqual(labels);
  });
});

describe('toPolicyViolation', () => {
  const statement = {
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { builder: { id: 'x and y' }, 'a-b': 1 },
  };
  it.each([
    [
      'predicate.builder.id: invalid value "x and y" (out of bound =~"^z$")',
      {
        path: 'predicate.builder.id',
        value: '"x and y"',
        constraint: '=~"^z$"',
        message: 'predicate.builder.id: value "x and y" does not match =~"^z$"',
      },
    ],
    [
      'predicateType: conflicting values "https://slsa.dev/provenance/v0.2" and "https://slsa.dev/provenance/v1"',
      {
        path: 'predicateType',
        value: '"https://slsa.dev/provenance/v1"',
        constraint: '"https://slsa.dev/provenance/v0.2"',
      },
    ],
    [
      'predicate."a-b": conflicting values 1 and "s" (mismatched types int and string)',
      { path: 'predicate."a-b"', value: '1', constraint: '"s"' },
    ],
    [
      'cue: marshal error: predicate.foo: cannot convert incomplete value "string" to JSON',
      {
        path: 'predicate.foo',
        constraint: '"string"',
        message: 'policy requires fields missing from statement: predicate.foo',
      },
    ],
    ['predicate: field not allowed: extra', { path: 'predicate', message: 'predicate: field not allowed: extra' }],
    ["expected '}', found 'EOF'", { message: "expected '}', found 'EOF'" }],
    [
      'a: 2 errors in empty disjunction:\na: conflicting values 1 and 2',
      { path: 'a', message: 'a: 2 errors in empty disjunction:' },
    ],
  ])('%s', (error, violation) => {
    expect(toPolicyViolation(error, statement)).toMatchObject(violation);
  });

  it('keeps short values whole and summarises long ones', () => {
    expect(compactValue('"short"')).toBe('"short"');
    expect(compactValue(JSON.stringify('x'.repeat(300)))).toBe(`"${'x'.repeat(120)}"… (300 characters)`);
    expect(compactValue(JSON.stringify(Array.from({ length: 500 }, (_, i) => i)))).toBe('[…] (a list of 500 items)');
    const object = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, 'v'.repeat(10)]));
    expect(compactValue(JSON.stringify(object))).toBe(
      '{"key0", "key1", "key2", "key3", "key4", …} (an object of 40 fields)',
    );
  });

  it('reads statement values by path', () => {
    expect(valueAtPath(statement, 'predicate."a-b"')).toBe('1');
    expect(valueAtPath(statement, 'predicate.none')).toBeUndefined();
  });
});

describe('strict comparison', () => {
  it('lists the outermost fields the policy added', () => {
    expect(toAddedPaths({ a: { b: 1, c: { d: 2 } }, e: 3 }, { a: { b: 1 } })).toEqual(['a.c', 'e']);
    expect(strictMismatch({ a: 1 }, { a: 1 })).toBeUndefined();
    expect(strictMismatch({ a: 1, b: { c: 1 } }, { a: 1 })).toBe('policy requires fields missing from statement: b');
    expect(strictMismatch({ a: 2 }, { a: 1 })).toMatch(/^expected the policy result to equal the statement/);
  });
});

describe('outermostMissingPath', () => {
  it.each([
    ['predicate.invocation.configSource.uri', { predicate: { builder: {} } }, 'predicate.invocation'],
    ['predicate.foo', { predicate: {} }, 'predicate.foo'],
    ['a', {}, 'a'],
    ['a.b', { a: { b: 1 } }, 'a.b'],
  ])('%s', (path, statement, expected) => {
    expect(outermostMissingPath(statement, path)).toBe(expected);
  });
});
