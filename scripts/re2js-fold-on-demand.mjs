// re2js's compiler asks for a literal rune's case fold even when the pattern is case-sensitive, and the first such
// call decodes its Unicode case-orbit table: ~10 ms and ~2 MB on every cold start, before the first request (the
// profile's identity pattern is compiled to check it). The bundle asks only when case folding is on; the compiled
// program is the same (test/unit/bin/re2js-fold-on-demand.test.ts compares it with the original's).
import { readFileSync } from 'node:fs';

const EAGER_FOLD = 'if (runes.length !== 1 || Unicode.simpleFold(runes[0]) === runes[0]) flags &= ~RE2Flags.FOLD_CASE;';
const FOLD_ON_DEMAND =
  'if (runes.length !== 1 || (flags & RE2Flags.FOLD_CASE) === 0 || Unicode.simpleFold(runes[0]) === runes[0]) flags &= ~RE2Flags.FOLD_CASE;';

/** re2js's ESM build with the case fold asked for only when folding; throws if the line is not there exactly once. */
export function foldOnDemand(source, path = 're2js') {
  if (source.split(EAGER_FOLD).length !== 2) throw new Error(`build-cli: ${path} no longer has once: ${EAGER_FOLD}`);
  return source.replace(EAGER_FOLD, FOLD_ON_DEMAND);
}

/** The esbuild plugin that applies it to the bundled re2js, and fails the build if re2js was bundled otherwise. */
export const re2jsFoldOnDemand = {
  name: 're2js-fold-on-demand',
  setup(builder) {
    let patched = false;
    builder.onLoad({ filter: /[\\/]re2js[\\/]build[\\/]index\.js$/ }, ({ path }) => {
      patched = true;
      return { contents: foldOnDemand(readFileSync(path, 'utf8'), path), loader: 'js' };
    });
    builder.onEnd(() => (patched ? undefined : { errors: [{ text: 're2js-fold-on-demand: re2js was not bundled' }] }));
  },
};
