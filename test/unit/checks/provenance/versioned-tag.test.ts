import { describe, expect, it } from 'vitest';
import { ProvenanceRuleError } from '../../../../src/checks/provenance/errors.js';
import { toGoSemver, verifyBuilderRef, verifyVersionedTag } from '../../../../src/checks/provenance/versioned-tag.js';

function sentinelOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ProvenanceRuleError)) throw error;
    return error.sentinel;
  }
}

describe('toGoSemver', () => {
  it.each([
    ['v1', true],
    ['v1.2', true],
    ['v1.2.3', true],
    ['v1.2.3-rc.1', true],
    ['v1.2.3+meta', true],
    ['v0.0.0', true],
    ['1.2.3', false],
    ['latest', false],
    ['v1.2-rc.1', false],
    ['v01.2.3', false],
    ['v1.02', false],
    ['v1.2.3.4', false],
    [' v1.2.3', false],
    ['vv1.2.3', false],
    ['v=1.2.3', false],
    ['', false],
  ])('%j valid: %s', (version, valid) => {
    expect(toGoSemver(version) !== undefined).toBe(valid);
  });
});

describe('verifyVersionedTag (C.4)', () => {
  it.each([
    // exact patch
    ['v1.1.2', 'v1.1.2', undefined],
    ['v1.1.2+build.5', 'v1.1.2', undefined],
    ['v1.1.2-rc.1', 'v1.1.2', 'mismatchTag'],
    ['v1.1.3', 'v1.1.2', 'mismatchTag'],
    ['v1.1.2', 'v1.1.2+other', undefined],
    // prerelease is part of the patch comparison
    ['v1.1.2-rc.1', 'v1.1.2-rc.1', undefined],
    ['v1.1.2-rc.2', 'v1.1.2-rc.1', 'mismatchTag'],
    ['v1.1.2', 'v1.1.2-rc.1', 'mismatchTag'],
    // minor: any patch, also prereleases
    ['v1.1.0', 'v1.1', undefined],
    ['v1.1.7-rc.1', 'v1.1', undefined],
    ['v1.2.0', 'v1.1', 'mismatchTag'],
    // major: any minor
    ['v1.9.9', 'v1', undefined],
    ['v2.0.0', 'v1', 'mismatchTag'],
    ['v0.2.0', 'v0', undefined],
    // provenance shorthand tags are canonicalised
    ['v1', 'v1.0.0', undefined],
    ['v1.1', 'v1.1.0', undefined],
    // invalid versions
    ['v1.1.2', 'latest', 'invalidSemver'],
    ['v1.1.2', '1.1.2', 'invalidSemver'],
    ['release-1', 'v1', 'invalidSemver'],
  ])('tag %j against --source-versioned-tag %j → %s', (tag, expected, sentinel) => {
    expect(sentinelOf(() => verifyVersionedTag(tag, expected))).toBe(sentinel);
  });
});

describe('verifyBuilderRef', () => {
  it.each([
    ['refs/tags/v2.1.0', undefined],
    ['refs/tags/v1.4.0', undefined],
    ['refs/tags/v2.1.0-rc.0', 'invalidRef'],
    ['refs/tags/v2.1.0+build', 'invalidRef'],
    ['refs/tags/v2.1', 'invalidRef'],
    ['refs/tags/v2', 'invalidRef'],
    ['refs/tags/2.1.0', 'invalidRef'],
    ['refs/heads/main', 'invalidRef'],
    ['f7dd8c54c2067bafc12ca7a55595d5ee9b75204a', 'invalidRef'],
    ['refs/tags/', 'invalidRef'],
  ])('%j → %s', (ref, sentinel) => {
    expect(sentinelOf(() => verifyBuilderRef(ref))).toBe(sentinel);
  });

  it('reports a SHA-pinned generator like slsa-verifier', () => {
    expect(() => verifyBuilderRef('f7dd8c54c2067bafc12ca7a55595d5ee9b75204a')).toThrow(
      'invalid ref: "f7dd8c54c2067bafc12ca7a55595d5ee9b75204a": unexpected ref type: ""',
    );
  });
});
