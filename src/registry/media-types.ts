import type { Digest } from '../model/digest.js';

/** OCI image index (multi-platform image, referrers list). */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** Docker manifest list (the Docker spelling of an index). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker image manifest schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** OCI image config. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** Docker image config. */
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
/** The empty descriptor's media type (`{}`), used as config by OCI 1.1 artifacts. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** Index-like media types: their body lists child manifests. */
export const INDEX_MEDIA_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
/** Image-manifest-like media types: their body has a config and layers. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];

/**
 * The Accept header for manifest requests. distribution 2.8 answers 404 MANIFEST_UNKNOWN, even by digest, unless the
 * stored manifest's exact media type is listed, so all four are always sent.
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST].join(', ');

/** A content descriptor (OCI image-spec `descriptor.md`), restricted to sha256 digests. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: { os: string; architecture: string; variant?: string };
}

/** An OCI image manifest or Docker v2 manifest. */
export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An OCI image index or Docker manifest list. */
export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Whether the media type is an index or manifest list. */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

/** Whether the media type is an image manifest (OCI or Docker v2). */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** Narrows a parsed manifest body to an index. */
export function isOciIndex(json: OciManifest | OciIndex): json is OciIndex {
  return 'manifests' in json;
}
