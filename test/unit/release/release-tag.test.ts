import { describe, expect, it } from 'vitest';
import {
  findPinnedRelease,
  isReleaseTag,
  selectLatestRelease,
  toReleaseTags,
  verifyReleaseVersion,
} from '../../../src/release/release-tag.js';
import { UsageError } from '../../../src/errors.js';

const TAGS = ['v0.9.0', 'v1.10.0', 'v1.2.0', 'v2.0.0-rc.1', 'latest', `sha256-${'a'.repeat(64)}.sig`, 'main', '1.9.9'];

describe('isReleaseTag', () => {
  it.each([
    ['v1.2.3', true],
    ['1.2.3', true],
    ['v2.0.0-rc.1', true],
    ['v1.2', false],
    ['1.2.3.4', false],
    ['v01.2.3', false],
    ['=1.2.3', false],
    ['V1.2.3', false],
    ['latest', false],
    ['v1.2.3_build', false],
    ['sha256-abc.sig', false],
  ])('%s → %s', (tag, expected) => {
    expect(isReleaseTag(tag)).toBe(expected);
  });
});

describe('selectLatestRelease', () => {
  it('picks the highest release by semver, not by string order', () => {
    expect(selectLatestRelease(TAGS, false)).toBe('v1.10.0');
  });
  it('picks a prerelease only when asked', () => {
    expect(selectLatestRelease(TAGS, true)).toBe('v2.0.0-rc.1');
  });
  it('returns undefined when there is no release tag', () => {
    expect(selectLatestRelease(['latest', 'main', 'sha256-x.att'], false)).toBeUndefined();
    expect(selectLatestRelease(['v1.0.0-rc.1'], false)).toBeUndefined();
  });
  it('prefers the v spelling over the bare one deterministically when both exist', () => {
    expect(toReleaseTags(['1.2.3', 'v1.2.3'], false)).toEqual(['v1.2.3', '1.2.3']);
    expect(toReleaseTags(['v1.2.3', '1.2.3'], false)).toEqual(['v1.2.3', '1.2.3']);
  });
});

describe('toReleaseTags', () => {
  it('orders newest first and drops non-release tags', () => {
    expect(toReleaseTags(TAGS, false)).toEqual(['v1.10.0', '1.9.9', 'v1.2.0', 'v0.9.0']);
  });
});

describe('findPinnedRelease', () => {
  it.each([
    ['v1.2.0', 'v1.2.0'],
    ['1.2.0', 'v1.2.0'],
    ['v1.9.9', '1.9.9'],
    ['v2.0.0-rc.1', 'v2.0.0-rc.1'],
    ['2.0.0-rc.1', 'v2.0.0-rc.1'],
    ['latest', 'latest'],
    ['v9.9.9', undefined],
    ['nightly', undefined],
  ])('%s → %s', (version, expected) => {
    expect(findPinnedRelease(TAGS, version)).toBe(expected);
  });
});

describe('verifyReleaseVersion', () => {
  it.each(['latest', 'v1.2.3', '1.2.3', 'v2.0.0-rc.1'])('accepts %s', (version) => {
    expect(() => verifyReleaseVersion(version)).not.toThrow();
  });

  it.each(['v1.1', 'v1', 'V1.1.2', 'main', '', 'v1.2.3+build'])('refuses %j, pointing at --tag', (version) => {
    expect(() => verifyReleaseVersion(version)).toThrow(UsageError);
    expect(() => verifyReleaseVersion(version)).toThrow(/--tag/);
  });
});
