import { UsageError } from '../errors.js';

const OWNER_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * `--source-uri` as people paste it: a browser URL `https://github.com/<owner>/<name>` means slsa-verifier's
 * `github.com/<owner>/<name>` (which slsa-verifier itself refuses). Other forms pass through to the usual checks.
 */
export function toSourceUri(input: string): string {
  return input.startsWith('https://github.com/') ? input.slice('https://'.length).replace(/\/$/, '') : input;
}

/**
 * The project a source URI names, as `owner/name`: `github.com/o/r` or `git+https://github.com/o/r` (the forms
 * slsa-verifier's `--source-uri` takes). Every signer's certificate must name this repository.
 */
export function toProjectRepository(sourceUri: string): string {
  let rest = sourceUri.startsWith('git+https://') ? sourceUri.slice('git+https://'.length) : sourceUri;
  rest = rest.startsWith('github.com/') ? rest.slice('github.com/'.length) : '';
  if (!OWNER_NAME.test(rest)) {
    throw new UsageError(
      `expected a source github.com/<owner>/<name> or https://github.com/<owner>/<name>, got ${JSON.stringify(sourceUri)}`,
    );
  }
  return rest;
}
