import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script with no type declarations
import { foldOnDemand } from '../../../scripts/re2js-fold-on-demand.mjs';

const patch = foldOnDemand as (source: string) => string;

interface Compiled {
  re2Input: {
    prog: { start: number; inst: { op: number; out: number; arg: number; runes: ArrayLike<number> | null }[] };
    prefix: string;
    prefixComplete: boolean;
    onepass: unknown;
  };
  matches(input: string): boolean;
}
type Compile = (pattern: string, flags?: number) => Compiled;

/** re2js's own ESM build, patched as the bundle is (scripts/build-cli.mjs), loaded as a module of its own. */
async function patchedRe2js(): Promise<{ compile: Compile; CASE_INSENSITIVE: number }> {
  // re2js exports no package.json; its CommonJS entry sits beside the ESM build the bundle takes.
  const original = join(dirname(createRequire(import.meta.url).resolve('re2js')), 'index.js');
  const dir = await mkdtemp(join(tmpdir(), 'verify-release-re2js-'));
  const file = join(dir, 'index.mjs');
  await writeFile(file, patch(await readFile(original, 'utf8')));
  const module = (await import(pathToFileURL(file).href)) as { RE2JS: typeof RE2JS };
  return {
    compile: (p, f) => module.RE2JS.compile(p, f),
    CASE_INSENSITIVE: RE2JS.CASE_INSENSITIVE,
  };
}

function program(compiled: Compiled): unknown {
  const { prog, prefix, prefixComplete, onepass } = compiled.re2Input;
  const inst = prog.inst.map(({ op, out, arg, runes }) => ({ op, out, arg, runes: runes && Array.from(runes) }));
  return { start: prog.start, inst, prefix, prefixComplete, onepass: onepass !== null };
}

const PATTERNS = [
  '^https://github\\.com/natrontech/gcp-mysql-backup/\\.github/workflows/release\\.yml@refs/(tags/v[0-9]+\\.[0-9]+\\.[0-9]+(-rc\\.[0-9]+)?|heads/main)$',
  '^https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v[0-9]+.[0-9]+.[0-9]+$',
  '^https://token\\.actions\\.githubusercontent\\.com$',
  '(?i)^https://GitHub\\.com/NatronTech/',
  '(?i)k',
  '(?i)ſ|s',
  'a(?i:b)c',
  '[aA]',
  '[kK]',
  'é|ÿ|ǅ',
  '\\pL+\\d*',
  '[^a]x.',
  '(?s).+',
  '',
];
const INPUTS = [
  'https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2',
  'https://GITHUB.com/natrontech/',
  'https://token.actions.githubusercontent.com',
  'K',
  '\u212a',
  'S',
  'ſ',
  'aBc',
  'abC',
  'ǆ',
  'x\ny',
  '',
];

describe('re2js with the case fold on demand (the bundle\u2019s re2js)', () => {
  it('compiles every pattern to the same program and matches as the original does', async () => {
    const patched = await patchedRe2js();
    for (const pattern of PATTERNS) {
      for (const flags of [0, patched.CASE_INSENSITIVE]) {
        const ours = patched.compile(pattern, flags);
        const theirs = RE2JS.compile(pattern, flags) as unknown as Compiled;
        expect(program(ours), `${pattern} flags ${flags}`).toEqual(program(theirs));
        for (const input of INPUTS) expect(ours.matches(input), `${pattern} on ${input}`).toBe(theirs.matches(input));
      }
    }
  });

  it('refuses a re2js without the line it changes', () => {
    expect(() => patch('export const RE2JS = {};')).toThrow(/no longer has once/);
  });
});
