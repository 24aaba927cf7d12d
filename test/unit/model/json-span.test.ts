import { describe, expect, it } from 'vitest';
import { findTopLevelMemberSpan } from '../../../src/model/json-span.js';

function span(text: string, member = 'predicate'): string | undefined {
  const found = findTopLevelMemberSpan(text, member);
  return found && text.slice(found.start, found.end);
}

describe('findTopLevelMemberSpan', () => {
  it.each([
    ['{"predicate":{"a":1}}', '{"a":1}'],
    ['{ "predicate" : { "a" : [1, 2] } , "x": 1 }', '{ "a" : [1, 2] }'],
    ['{"x":{"predicate":1},"predicate":2}', '2'],
    ['{"x":"}\\"{","predicate":"a\\"}b"}', '"a\\"}b"'],
    ['{"x":"[[[","predicate":[{"b":"]"}]}', '[{"b":"]"}]'],
    ['{"predicate":null}', 'null'],
    ['{"predicate":-1.5e3,"y":true}', '-1.5e3'],
    ['{"pred\\u0069cate":7}', '7'],
    ['\n{\n  "predicate": {\n    "k": "v"\n  }\n}\n', '{\n    "k": "v"\n  }'],
    [String.raw`{"x":"a\\","predicate":1}`, '1'],
    [String.raw`{"x":"a\\\"}","predicate":"\\"}`, String.raw`"\\"`],
    ['{"x":1}', undefined],
    ['{}', undefined],
  ])('%j → %j', (text, expected) => {
    expect(span(text)).toBe(expected);
  });

  it.each([['[1]'], ['{"predicate":1,"predicate":2}'], ['{"predicate":{"a":1}']])('refuses %j', (text) => {
    expect(() => findTopLevelMemberSpan(text, 'predicate')).toThrow(/^bundle: statement JSON: /);
  });
});
