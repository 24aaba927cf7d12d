import { beforeAll, describe, expect, it } from 'vitest';
import { startPolicyEngine, type PolicyEngine } from '../../../src/policy/cue.js';
import { loadCue } from '../../../src/policy/cue-runtime.js';
import { closeOpenBrackets, locateError, sanitizeCueError } from '../../../src/policy/locate.js';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = startPolicyEngine();
  await engine.compile([{ name: 'warm-up.cue', source: 'a: 1' }]);
}, 30_000);

async function brokenMessage(source: string): Promise<string> {
  try {
    await engine.compile([{ name: 'p.cue', source }]);
  } catch (error) {
    expect(error).toMatchObject({ code: 'CONFIG' });
    return (error as Error).message;
  }
  throw new Error('expected the policy not to compile');
}

describe('broken policies: file:line:column and a fixed phrase', () => {
  it.each([
    ['a token file', 'ghp_0123456789abcdefSECRET\n', 'p.cue:1:1:', 'reference not found'],
    [
      'a bare word on line 3',
      'a: 1\nb: 2\nfoo bar SECRET\n',
      'p.cue:3:5:',
      "syntax error: expected label or ':', found IDENT",
    ],
    ['an unterminated string', 'a: 1\nb: "SECRET\n', 'p.cue:2:', 'syntax error: string literal not terminated'],
    [
      'a conflict inside a struct',
      'a: {\n  b: 1\n  c: {\n    b: 2\n  }\n  b: 2\n}\n',
      'p.cue:6:6:',
      'conflicting values',
    ],
    [
      'a reference inside a struct',
      'predicate: {\n  builder: {\n    id: SECRETREF\n  }\n}\n',
      'p.cue:3:9:',
      'reference not found',
    ],
    ['an unclosed struct', 'a: {\n  b: 1\n', 'p.cue:3:1:', "syntax error: expected '}', found EOF"],
    ['an unknown import', 'import "SECRET/pkg"\na: 1\n', 'p.cue:1:', 'unknown builtin package (not in CUE v0.4.3)'],
    [
      'an unknown import, named',
      'import "encoding/toml"\na: 1\n',
      'p.cue:1:',
      'unknown builtin package "encoding/toml"',
    ],
  ])('%s', async (_name, source, position, phrase) => {
    const message = await brokenMessage(source);
    expect(message).toContain(`policy ${position}`);
    expect(message).toContain(phrase);
    expect(message).not.toContain('SECRET');
  });

  it('accepts open constraints (a policy is made of them)', async () => {
    await expect(engine.compile([{ name: 'ok.cue', source: 'a: =~"^x$"\nb: int\n' }])).resolves.toBeUndefined();
  });
});

describe('locateError', () => {
  it('finds a conflict far down a file, and says when its time budget stopped the search early', async () => {
    const cue = await loadCue();
    const compile = (text: string) => {
      try {
        cue.parse(text);
        return undefined;
      } catch (error) {
        const message = String(error);
        return message.startsWith('cue: marshal error:') ? undefined : message;
      }
    };
    const lines = Array.from({ length: 200 }, (_, i) => `f${i}: ${i}`);
    const source = [...lines.slice(0, 150), 'f3: 4', ...lines.slice(150)].join('\n');
    const message = compile(source)!;
    expect(locateError(source, message, compile)).toEqual({ line: 151, column: 5 });
    expect(locateError(source, message, compile, -1)).toEqual({ line: 201, column: 1, approximate: true });
  });
});

describe('closeOpenBrackets', () => {
  it('closes brackets and ignores those in strings and comments', () => {
    expect(closeOpenBrackets('a: { b: [ "}" // ]\n').replace(/\n/g, '')).toBe(']}');
    expect(closeOpenBrackets('a: "x{').replace(/\n/g, '')).toBe('"');
  });
});

describe('sanitizeCueError', () => {
  it('keeps no quoted or identifier text from the message', () => {
    expect(sanitizeCueError('reference "ghp_abc" not found')).toBe('reference not found');
    expect(sanitizeCueError("expected label or ':', found 'IDENT' secret")).toBe(
      "syntax error: expected label or ':', found IDENT",
    );
    expect(sanitizeCueError('a.b: conflicting values "x" and "y"')).toBe('conflicting values');
    expect(sanitizeCueError('something new about "secret"')).toBe('invalid CUE');
  });
});
