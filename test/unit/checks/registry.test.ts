import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_TITLES } from '../../../src/checks/index.js';
import { CHECK_IDS } from '../../../src/model/check-result.js';

describe('the check list', () => {
  it('holds one check per id, in report order, each titled from the one table', () => {
    expect(CHECKS.map((check) => check.id)).toEqual([...CHECK_IDS]);
    for (const check of CHECKS) expect(check.title).toBe(CHECK_TITLES[check.id]);
  });
});
