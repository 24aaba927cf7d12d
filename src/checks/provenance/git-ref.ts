import { provenanceError } from './errors.js';
import { quoteBounded } from '../../model/bounded.js';

/** Splits `refs/<type>/<name>` into type and name; anything else has type `''` (slsa-verifier `ParseGitRef`). */
function toGitRefParts(ref: string): { type: string; name: string } {
  const match = /^refs\/([^/]*)\/(.*)$/s.exec(ref);
  if (!match) return { type: '', name: ref };
  return { type: match[1] ?? '', name: match[2] ?? '' };
}

function verifyGitRef(type: 'tags' | 'heads', ref: string): string {
  const parts = toGitRefParts(ref);
  if (parts.type !== type) {
    throw provenanceError('invalidRef', `${quoteBounded(ref)}: unexpected ref type: ${quoteBounded(parts.type)}`);
  }
  if (parts.name === '') throw provenanceError('invalidRef', `${quoteBounded(ref)}: empty ref name`);
  return parts.name;
}

/** The tag name of `refs/tags/<name>`; throws `invalid ref` for any other ref (including `''`). */
export function verifyTagRef(ref: string): string {
  return verifyGitRef('tags', ref);
}

/** The branch name of `refs/heads/<name>`; throws `invalid ref` for any other ref. */
export function verifyBranchRef(ref: string): string {
  return verifyGitRef('heads', ref);
}

/** Adds `git+https://` (no scheme) or `git+` (other scheme) to a source URI, as slsa-verifier's `NormalizeGitURI`. */
export function toNormalizedGitUri(uri: string): string {
  if (uri.startsWith('git+')) return uri;
  return uri.includes('://') ? `git+${uri}` : `git+https://${uri}`;
}

/** Splits `git+<uri>@<ref>` at the first `@`; the ref is `''` when there is none. */
export function toGitUriAndRef(uri: string): { uri: string; ref: string } {
  if (uri === '') throw provenanceError('malformedUri', 'empty uri');
  if (!uri.startsWith('git+')) throw provenanceError('malformedUri', `not a git URI: ${quoteBounded(uri)}`);
  const at = uri.indexOf('@');
  if (at < 0) return { uri, ref: '' };
  return { uri: uri.slice(0, at), ref: uri.slice(at + 1) };
}
