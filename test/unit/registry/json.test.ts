import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJson, scanJson } from '../../../src/registry/json.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** How many values scanJson counts: the smallest maxValues it accepts. */
function countedValues(text: string): number {
  for (let max = 1; max < 100; max++) {
    try {
      scanJson(bytes(text), 'doc', max);
      return max;
    } catch {
      // over the limit: try a larger one
    }
  }
  throw new Error('expected fewer than 100 values');
}

describe('scanJson', () => {
  it.each([
    ['commas outside strings', '[1,2,3]', 3],
    ['commas inside a string', '["a,b,c"]', 1],
    ['an escaped quote inside a string', String.raw`["a\",b",1]`, 2],
    ['an escaped backslash before the closing quote', String.raw`["a\\",1]`, 2],
    ['three backslashes: an escaped backslash and an escaped quote', String.raw`["a\\\",b",1]`, 2],
    ['a string of backslashes only', String.raw`["\\\\\\",1,2]`, 3],
    ['an empty string', '["",1]', 2],
    ['brackets inside strings', '{"a":"[[{{","b":"]]}}"}', 2],
  ])('counts %s', (_name, text, values) => {
    expect(countedValues(text)).toBe(values);
    expect(() => parseJson(bytes(text), 'doc')).not.toThrow();
  });

  it('does not count brackets inside strings as nesting', () => {
    const text = `["${'['.repeat(MAX_JSON_DEPTH + 1)}"]`;
    expect(() => scanJson(bytes(text), 'doc')).not.toThrow();
  });

  it('refuses nesting deeper than the limit, also after escaped quotes', () => {
    const text = `["\\"",${'['.repeat(MAX_JSON_DEPTH)}]`;
    expect(() => scanJson(bytes(text), 'doc')).toThrow(/nested at most 10000 deep/);
  });

  it('ends an unterminated string at the end of the bytes (JSON.parse refuses it after)', () => {
    expect(() => scanJson(bytes('["abc,[[[,'), 'doc', 1)).not.toThrow();
    expect(() => parseJson(bytes('["abc,[[[,'), 'doc')).toThrow(/unparseable/);
  });

  it('stays linear on long backslash runs before quotes', () => {
    const text = `["${'\\\\'.repeat(200_000)}\\"${'\\\\'.repeat(200_000)}"]`;
    expect(() => scanJson(bytes(text), 'doc', 1)).not.toThrow();
    expect(countedValues(text)).toBe(1);
  });
});
