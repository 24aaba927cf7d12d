import { join } from 'node:path';
import { digestHex, type Digest } from '../model/digest.js';

/**
 * How verify-release lays a release out as an OCI image layout (image-spec `image-layout.md`): `oci-layout`,
 * `index.json` listing every manifest, `blobs/sha256/<hex>`. A registry names a manifest by repository and tag; a
 * layout has one flat index, so each entry carries its repository and tag as annotations.
 */
export const OCI_LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const IMAGE_LAYOUT_VERSION = '1.0.0';
/** Where each piece came from, for people and audits; verification never reads it. */
export const PROVENANCE_FILE = 'verify-release-layout.json';

/** The tag a manifest had in its repository (image-spec's pre-defined annotation). */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** The repository (`host/name`) a manifest was read from. */
export const REPOSITORY = 'dev.verify-release.repository';
/** On a referrers list (an index): the subject digest it lists referrers of. */
export const REFERRERS_OF = 'dev.verify-release.referrers-of';
/** On a referrers list: how the registry listed them (`referrers-api` or `referrers-tag`, the fallback index). */
export const REFERRERS_VIA = 'dev.verify-release.referrers-via';
/** On index.json: the image (`host/name`) the layout holds a release of. */
export const IMAGE = 'dev.verify-release.image';
/** On index.json: the digest of the copy of the trusted root `save` used (a blob). Never trusted by itself. */
export const TRUSTED_ROOT = 'dev.verify-release.trusted-root';

/** The file holding a blob or manifest. */
export function blobPath(dir: string, digest: Digest): string {
  return join(dir, 'blobs', 'sha256', digestHex(digest));
}
