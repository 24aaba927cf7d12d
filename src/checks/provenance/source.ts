import type { Provenance } from './decode/provenance.js';
import { provenanceError } from './errors.js';
import { toGitUriAndRef, toNormalizedGitUri } from './git-ref.js';
import type { WorkflowIdentity } from './workflow-identity.js';
import { quoteBounded } from '../../model/bounded.js';

/**
 * Checks `--source-uri` against the repository in the certificate (slsa-verifier
 * `VerifyCertficateSourceRepository`): `git+https://` and then `github.com/` are stripped and the rest must equal
 * `owner/repo` exactly. So `github.com/o/r` and `git+https://github.com/o/r` pass; `https://github.com/o/r` fails.
 */
export function verifyCertificateSource(identity: WorkflowIdentity, sourceUri: string): void {
  let expected = sourceUri.startsWith('git+https://') ? sourceUri.slice('git+https://'.length) : sourceUri;
  expected = expected.startsWith('github.com/') ? expected.slice('github.com/'.length) : expected;
  if (identity.sourceRepository !== expected) {
    throw provenanceError('mismatchSource', `expected source '${expected}', got '${identity.sourceRepository}'`);
  }
}

/**
 * Checks the provenance's source against `--source-uri` (slsa-verifier `verifySourceURI`): the trigger URI
 * (`configSource.uri`) and the first material must both be `git+https://github.com/o/r@<ref>` with a non-empty ref,
 * and equal to each other.
 */
export function verifyProvenanceSource(provenance: Provenance, sourceUri: string): void {
  const source = toNormalizedGitUri(sourceUri);
  if (!source.startsWith('git+https://github.com/')) {
    throw provenanceError('malformedUri', `expected source github.com repository, got ${quoteBounded(source)}`);
  }
  const trigger = toGitUriAndRef(provenance.triggerUri);
  if (trigger.uri !== source) {
    throw provenanceError('mismatchSource', `expected trigger '${source}', got '${provenance.triggerUri}'`);
  }
  if (trigger.ref === '') throw provenanceError('malformedUri', `missing ref: ${quoteBounded(provenance.triggerUri)}`);
  if (provenance.sourceUri === undefined) throw provenanceError('invalidDssePayload', 'no material');
  const material = toGitUriAndRef(provenance.sourceUri);
  if (material.uri !== source) {
    throw provenanceError('mismatchSource', `expected source '${source}', got '${provenance.sourceUri}'`);
  }
  if (material.ref === '') throw provenanceError('malformedUri', `missing ref: ${quoteBounded(provenance.sourceUri)}`);
  if (provenance.triggerUri !== provenance.sourceUri) {
    throw provenanceError(
      'invalidDssePayload',
      `expected equal source and trigger URIs, got '${provenance.triggerUri}' and '${provenance.sourceUri}'`,
    );
  }
}
