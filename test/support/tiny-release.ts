import { sha256Digest } from '../../src/model/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/registry/index.js';
import { join } from 'node:path';
import { corpusDir } from './corpus.js';
import { jsonBytes } from './fault-server.js';

/** The repository the fault-server suites pretend to serve. */
export const TINY_REPO = 'natrontech/gcp-mysql-backup';

/** The real public-good trusted root (nothing served by a fault server verifies against it). */
export const PUBLIC_GOOD_ROOT = join(corpusDir(), 'trusted-roots/public-good.trusted_root.json');

/** A tiny index: resolving it needs no blob, so `--checks resolve` stops after the manifest. */
export const TINY_INDEX = jsonBytes({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode('amd64')),
      size: 5,
      platform: { os: 'linux', architecture: 'amd64' },
    },
  ],
});
