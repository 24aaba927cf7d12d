import { provenanceError } from './errors.js';

/** A builder ID split at its `@`: `name` (workflow URI) and `version` (a ref, or `''`). */
export interface BuilderId {
  name: string;
  version: string;
}

/** Parses `name[@version]` (slsa-verifier `ParseBuilderID`); `needVersion` requires the `@version` part. */
export function toBuilderId(id: string, needVersion: boolean): BuilderId {
  const parts = id.split('@');
  if (parts.length === 2 && parts[1] !== '') return { name: parts[0] ?? '', version: parts[1] ?? '' };
  if (parts.length === 1 && !needVersion) return { name: id, version: '' };
  throw provenanceError('invalidFormat', `builderID: '${id}'`);
}

/** `name@version`, or `name` alone when there is no version. */
export function builderIdText(id: BuilderId): string {
  return id.version === '' ? id.name : `${id.name}@${id.version}`;
}

/**
 * `--builder-id` matching (slsa-verifier `MatchesLoose`): the names must be equal; a version in `expected` must
 * equal the trusted one, where `vX.Y.Z` also matches `refs/tags/vX.Y.Z`.
 */
export function verifyBuilderIdMatchesLoose(trusted: BuilderId, expected: string): void {
  const want = toBuilderId(expected, false);
  if (want.name !== trusted.name) {
    throw provenanceError('mismatchBuilderId', `expected name '${trusted.name}', got '${want.name}'`);
  }
  if (want.version === '' || want.version === trusted.version) return;
  if (`refs/tags/${want.version}` === trusted.version) return;
  throw provenanceError('mismatchBuilderId', `expected version '${want.version}', got '${trusted.version}'`);
}
