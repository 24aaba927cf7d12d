import type { Provenance } from './decode/provenance.js';
import { provenanceError } from './errors.js';
import { verifyBranchRef, verifyTagRef } from './git-ref.js';
import { verifyVersionedTag } from './versioned-tag.js';
import { branchBuildHint } from '../../sigstore/signer-binding.js';
import { quoteBounded } from '../../model/bounded.js';

type Environment = Record<string, unknown>;

function toEnvironment(provenance: Provenance): Environment {
  const env = provenance.environment;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw provenanceError('invalidDssePayload', 'expected invocation.environment to be an object');
  }
  return env as Environment;
}

function stringField(record: Environment, field: string): string {
  const value = Object.hasOwn(record, field) ? record[field] : undefined;
  if (typeof value !== 'string') {
    throw provenanceError('invalidDssePayload', `expected environment string '${field}', got ${typeof value}`);
  }
  return value;
}

/**
 * The tag ref a build ran for (slsa-verifier `GetTag`): `github_ref` for `github_ref_type: tag`, `''` for branch
 * builds; any other ref type is an error.
 */
function toProvenanceTagRef(provenance: Provenance): string {
  const env = toEnvironment(provenance);
  const refType = stringField(env, 'github_ref_type');
  if (refType === 'branch') return '';
  if (refType === 'tag') return stringField(env, 'github_ref');
  throw provenanceError('invalidDssePayload', `unknown ref type ${quoteBounded(refType)}`);
}

// Tag builds carry no branch in github_ref: slsa-verifier takes it from github_base_ref, the push payload's
// base_ref, or a release's target_commitish.
function branchRefForTag(env: Environment): string {
  const baseRef = stringField(env, 'github_base_ref');
  if (baseRef !== '') return baseRef;
  const event = stringField(env, 'github_event_name');
  if (event !== 'push' && event !== 'release') return '';
  const payload = env['github_event_payload'];
  if (typeof payload !== 'object' || payload === null) {
    throw provenanceError('invalidDssePayload', 'expected github_event_payload to be an object');
  }
  if (event === 'push') {
    const value = (payload as Environment)['base_ref'];
    return typeof value === 'string' ? value : '';
  }
  const release = (payload as Environment)['release'];
  if (typeof release !== 'object' || release === null) {
    throw provenanceError('invalidDssePayload', 'expected release in github_event_payload');
  }
  return `refs/heads/${stringField(release as Environment, 'target_commitish')}`;
}

/** The branch ref a build ran for (slsa-verifier `GetBranch`). */
function toProvenanceBranchRef(provenance: Provenance): string {
  const env = toEnvironment(provenance);
  const refType = stringField(env, 'github_ref_type');
  if (refType === 'branch') return stringField(env, 'github_ref');
  if (refType === 'tag') return branchRefForTag(env);
  throw provenanceError('invalidDssePayload', `unknown ref type ${quoteBounded(refType)}`);
}

// slsa-verifier reports a branch build checked against a tag as `invalid ref: "": unexpected ref type: ""`; same
// sentinel here, but the message says what happened.
function toTagRefOfTagBuild(provenance: Provenance, expected: string, expectedTag: string): string {
  const ref = toProvenanceTagRef(provenance);
  if (ref === '') {
    const branch = toProvenanceBranchRef(provenance);
    throw provenanceError(
      'invalidRef',
      `expected a build of ${expected}, got a branch build of ${quoteBounded(branch)}${branchBuildHint(`refs/tags/${expectedTag}`, branch)}`,
    );
  }
  return ref;
}

/** `--source-tag`: the build must be for exactly this tag name (e.g. `v1.1.2`, not `refs/tags/v1.1.2`). */
export function verifySourceTag(provenance: Provenance, expectedTag: string): void {
  const tag = verifyTagRef(toTagRefOfTagBuild(provenance, `tag '${expectedTag}'`, expectedTag));
  if (tag !== expectedTag) throw provenanceError('mismatchTag', `expected tag '${expectedTag}', got '${tag}'`);
}

/** `--source-versioned-tag`: see {@link verifyVersionedTag}. */
export function verifySourceVersionedTag(provenance: Provenance, expected: string): void {
  verifyVersionedTag(verifyTagRef(toTagRefOfTagBuild(provenance, `versioned tag '${expected}'`, expected)), expected);
}

/** `--source-branch`: the build must be for this branch name (e.g. `main`). */
export function verifySourceBranch(provenance: Provenance, expectedBranch: string): void {
  const branch = verifyBranchRef(toProvenanceBranchRef(provenance));
  if (branch !== expectedBranch) {
    throw provenanceError('mismatchBranch', `expected branch '${expectedBranch}', got '${branch}'`);
  }
}
