import { sha256Digest } from '../../../src/model/digest.js';
import type { GithubIdentity } from '../../support/test-sigstore/index.js';

/** The subject both test-Sigstore suites sign: a stand-in for gcp-mysql-backup v1.1.2's index digest. */
export const digest = sha256Digest(Buffer.from('image index of natrontech/gcp-mysql-backup v1.1.2'));

/** gcp-mysql-backup's release workflow at v1.1.2, and the SAN Fulcio gives it. */
export const release: GithubIdentity = {
  repository: 'natrontech/gcp-mysql-backup',
  workflowPath: '.github/workflows/release.yml',
  ref: 'refs/tags/v1.1.2',
};
export const releaseSan =
  'https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2';
