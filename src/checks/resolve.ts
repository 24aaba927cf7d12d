import type { CheckResult } from '../model/check-result.js';
import type { ResolvedTarget } from '../release/index.js';
import { CHECK_TITLES, checkResult, type Check } from './check.js';

/** The release resolved to this digest. */
export function resolvedResult(target: ResolvedTarget): CheckResult {
  return checkResult('resolve', 'pass', `${target.version ?? target.tag ?? 'digest'} is ${target.digest}`, {
    digest: target.digest,
    mediaType: target.mediaType,
    platforms: target.platforms,
  });
}

/** The pipeline reports resolution failures itself, before any check runs; this check reports the success. */
export const resolveCheck: Check = {
  id: 'resolve',
  title: CHECK_TITLES.resolve,
  run: ({ target }) => Promise.resolve(resolvedResult(target)),
};
