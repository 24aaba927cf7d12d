import semverParse from 'semver/functions/parse.js';
import { provenanceError } from './errors.js';
import { verifyTagRef } from './git-ref.js';
import { quoteBounded } from '../../model/bounded.js';

/** A version in Go `golang.org/x/mod/semver` form: leading `v`, and minor/patch may be omitted (`v1`, `v1.2`). */
export interface GoSemver {
  major: string;
  minor?: string;
  patch?: string;
  /** Without the leading `-`; `''` when absent. */
  prerelease: string;
  /** Without the leading `+`; `''` when absent. */
  build: string;
}

const SHORTHAND = /^v(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/;

/**
 * Parses a version the way Go's `semver.IsValid` accepts it, or returns undefined. Full versions are checked with
 * the `semver` package (strict mode); the Go-only shorthands `vMAJOR` and `vMAJOR.MINOR` carry no prerelease/build.
 */
export function toGoSemver(version: string): GoSemver | undefined {
  const short = SHORTHAND.exec(version);
  if (short) {
    const [, major = '', minor] = short;
    return minor === undefined ? { major, prerelease: '', build: '' } : { major, minor, prerelease: '', build: '' };
  }
  // semver.parse also tolerates a leading `v`/`=` and surrounding blanks; Go does not.
  if (!/^v[0-9][0-9A-Za-z.+-]*$/.test(version)) return undefined;
  const parsed = semverParse(version.slice(1));
  if (!parsed) return undefined;
  return {
    major: String(parsed.major),
    minor: String(parsed.minor),
    patch: String(parsed.patch),
    prerelease: parsed.prerelease.join('.'),
    build: parsed.build.join('.'),
  };
}

/**
 * Checks a builder (reusable workflow) ref: `refs/tags/vX.Y.Z`, exactly three components, no prerelease, no build
 * (slsa-verifier `IsValidBuilderTag`). A workflow pinned by commit SHA fails here.
 */
export function verifyBuilderRef(ref: string): void {
  const pin = verifyTagRef(ref);
  const version = toGoSemver(pin);
  if (!version || version.patch === undefined || version.prerelease !== '' || version.build !== '') {
    throw provenanceError('invalidRef', `${pin}: not of the form vX.Y.Z`);
  }
}

function patchWithPrerelease(version: GoSemver): string {
  return version.prerelease === '' ? (version.patch ?? '') : `${version.patch ?? ''}-${version.prerelease}`;
}

/**
 * `--source-versioned-tag` semantics (slsa-verifier `VerifyVersionedTag`): `expected` must be a valid Go semver;
 * the major must match; the minor must match when `expected` has one; when `expected` has a patch, patch and
 * prerelease must match exactly (build metadata is ignored on both sides). `v1.2.3` therefore rejects a
 * `v1.2.3-rc.1` build, `v1.2` accepts any `v1.2.x`, `v1` any `v1.x.y`.
 *
 * slsa-verifier compares the third dot-separated field of the raw string, so `v1.2.3-rc.1` there also accepts
 * `v1.2.3-rc.2`; here the whole prerelease is compared, as the reference semantics (C.4) describe.
 */
export function verifyVersionedTag(provenanceTag: string, expected: string): void {
  const want = toGoSemver(expected);
  if (!want) throw provenanceError('invalidSemver', `expected a version like v1.2.3, got ${JSON.stringify(expected)}`);
  const got = toGoSemver(provenanceTag);
  if (!got)
    throw provenanceError('invalidSemver', `expected a version tag in provenance, got ${quoteBounded(provenanceTag)}`);
  // Go canonicalises the provenance tag: missing minor/patch become 0.
  const canonical = { ...got, minor: got.minor ?? '0', patch: got.patch ?? '0' };
  if (canonical.major !== want.major) {
    throw provenanceError('mismatchTag', `major version expected 'v${want.major}', got 'v${canonical.major}'`);
  }
  if (want.minor !== undefined && canonical.minor !== want.minor) {
    throw provenanceError('mismatchTag', `minor version expected '${want.minor}', got '${canonical.minor}'`);
  }
  if (want.patch !== undefined && patchWithPrerelease(canonical) !== patchWithPrerelease(want)) {
    throw provenanceError(
      'mismatchTag',
      `patch version expected '${patchWithPrerelease(want)}', got '${patchWithPrerelease(canonical)}'`,
    );
  }
}
