import { constants, promises as fsp } from 'node:fs';
import { RegistryError } from '../errors.js';
import { isDigest, sha256Digest, type Digest } from '../model/digest.js';
import { formatRepository, parseImageReference } from '../model/reference.js';
import {
  BlobReads,
  DEFAULT_MAX_BLOB_BYTES,
  isOciIndex,
  MAX_MANIFEST_BYTES,
  MAX_REFERRERS,
  parseJson,
  parseManifest,
  toDescriptor,
  type Descriptor,
  type FetchedManifest,
  type ReferrersList,
  type RegistrySource,
  type RepositoryRef,
} from '../registry/index.js';
import {
  blobPath,
  IMAGE,
  IMAGE_LAYOUT_VERSION,
  INDEX_FILE,
  OCI_LAYOUT_FILE,
  REF_NAME,
  REFERRERS_OF,
  REFERRERS_VIA,
  REPOSITORY,
} from './format.js';
import { join } from 'node:path';

/** `oci-layout` is one small object. */
const MAX_LAYOUT_MARKER_BYTES = 64 * 1024;

export interface LayoutSourceOptions {
  /** Largest blob read. Default 64 MiB, as from a registry (`--max-blob-size`). */
  maxBlobBytes?: number;
  /** All blobs read together. Default 512 MiB, and never less than maxBlobBytes. */
  maxTotalBlobBytes?: number;
}

interface Entry {
  repository: string;
  descriptor: Descriptor;
}

interface Catalog {
  /** `host/name@digest` and `host/name:tag` → the manifest's descriptor. */
  manifests: Map<string, Descriptor>;
  /** `host/name@subject` → the referrers list (an index) and how the registry listed it. */
  referrers: Map<string, { descriptor: Descriptor; via: ReferrersList['via'] }>;
  /** `host/name` → its tags. */
  tags: Map<string, Set<string>>;
}

/**
 * An OCI image layout written by `save`, read with a registry's guarantees and nothing more: index.json only says
 * where things are (like a registry's tags), and every manifest and blob is read from `blobs/sha256/<hex>` under the
 * same size caps, sha256-checked against the digest asked for, and scanned before it is parsed. Lookups are per
 * repository, as in a registry. Nothing in the layout is trusted for being there: a tampered file fails with the
 * digest it should have had.
 */
export class LayoutSource implements RegistrySource {
  readonly #dir: string;
  /** The registry client's memory rules, over blobs read from the layout. */
  readonly #blobs: BlobReads;
  #catalog: Promise<Catalog> | undefined;

  constructor(dir: string, options: LayoutSourceOptions = {}) {
    this.#dir = dir;
    const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.#blobs = new BlobReads(maxBlobBytes, options.maxTotalBlobBytes, (repo, descriptor) =>
      this.#readBlob(
        descriptor.digest,
        maxBlobBytes,
        `blob ${formatRepository(repo)}@${descriptor.digest}`,
        descriptor.size,
      ),
    );
  }

  async getManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest> {
    const manifest = await this.findManifest(repo, reference);
    if (manifest === undefined) {
      const separator = isDigest(reference) ? '@' : ':';
      throw new RegistryError(
        'NOT_FOUND',
        `expected manifest ${formatRepository(repo)}${separator}${reference} in layout ${this.#dir}, got none`,
      );
    }
    return manifest;
  }

  async findManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest | undefined> {
    const catalog = await this.#load();
    const separator = isDigest(reference) ? '@' : ':';
    const descriptor = catalog.manifests.get(`${formatRepository(repo)}${separator}${reference}`);
    if (descriptor === undefined) return undefined;
    return this.#readManifest(repo, descriptor);
  }

  getBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }): Promise<Uint8Array> {
    return this.#blobs.blob(repo, descriptor);
  }

  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'parse'): Promise<unknown>;
  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'bytes'): Promise<Uint8Array>;
  getJsonBlob(
    repo: RepositoryRef,
    descriptor: { digest: Digest; size?: number },
    as: 'parse' | 'bytes',
  ): Promise<unknown> {
    return this.#blobs.json(repo, descriptor, as);
  }

  async hasManifest(repo: RepositoryRef, reference: string): Promise<boolean> {
    const separator = isDigest(reference) ? '@' : ':';
    return (await this.#load()).manifests.has(`${formatRepository(repo)}${separator}${reference}`);
  }

  async hasReferrers(repo: RepositoryRef, subject: Digest, take: () => boolean = () => true): Promise<boolean> {
    if (!take()) return false;
    return (await this.#load()).referrers.has(`${formatRepository(repo)}@${subject}`);
  }

  async listTags(repo: RepositoryRef): Promise<string[]> {
    const tags = (await this.#load()).tags.get(formatRepository(repo));
    if (tags === undefined) {
      throw new RegistryError(
        'NOT_FOUND',
        `expected repository ${formatRepository(repo)} in layout ${this.#dir}, got none (it holds ${[...(await this.#load()).tags.keys()].join(', ') || 'nothing'})`,
      );
    }
    return [...tags];
  }

  async listReferrers(repo: RepositoryRef, subject: Digest): Promise<ReferrersList> {
    const listed = (await this.#load()).referrers.get(`${formatRepository(repo)}@${subject}`);
    // The layout holds what the registry listed; no list means the registry listed none.
    if (listed === undefined) return { via: 'referrers-api', manifests: [] };
    const index = await this.#readManifest(repo, listed.descriptor);
    const what = `referrers of ${formatRepository(repo)}@${subject}`;
    if (!isOciIndex(index.json)) {
      throw new RegistryError('MALFORMED_RESPONSE', `expected an index for ${what}, got ${index.mediaType}`);
    }
    if (index.json.manifests.length > MAX_REFERRERS) {
      throw new RegistryError(
        'TOO_LARGE',
        `${what} is too large: expected at most ${MAX_REFERRERS} manifests, got more`,
      );
    }
    return { via: listed.via, manifests: index.json.manifests.map(toDescriptor) };
  }

  #load(): Promise<Catalog> {
    this.#catalog ??= this.#readCatalog();
    return this.#catalog;
  }

  async #readCatalog(): Promise<Catalog> {
    const marker = parseJson(
      await readLayoutFile(
        join(this.#dir, OCI_LAYOUT_FILE),
        MAX_LAYOUT_MARKER_BYTES,
        `${OCI_LAYOUT_FILE} of layout ${this.#dir}`,
      ),
      OCI_LAYOUT_FILE,
    ) as { imageLayoutVersion?: unknown } | null;
    if (marker?.imageLayoutVersion !== IMAGE_LAYOUT_VERSION) {
      throw new RegistryError(
        'MALFORMED_RESPONSE',
        `expected an OCI image layout at ${this.#dir} (oci-layout with imageLayoutVersion ${IMAGE_LAYOUT_VERSION}), got another`,
      );
    }
    const what = `${INDEX_FILE} of layout ${this.#dir}`;
    const index = readIndex(await readLayoutFile(join(this.#dir, INDEX_FILE), MAX_MANIFEST_BYTES, what), what);
    const catalog: Catalog = { manifests: new Map(), referrers: new Map(), tags: new Map() };
    for (const { repository, descriptor } of index) {
      catalog.manifests.set(`${repository}@${descriptor.digest}`, descriptor);
      const tags = catalog.tags.get(repository) ?? new Set<string>();
      catalog.tags.set(repository, tags);
      const tag = descriptor.annotations?.[REF_NAME];
      if (tag !== undefined) {
        catalog.manifests.set(`${repository}:${tag}`, descriptor);
        tags.add(tag);
      }
      const subject = descriptor.annotations?.[REFERRERS_OF];
      const via = descriptor.annotations?.[REFERRERS_VIA];
      if (subject !== undefined) {
        if (!isDigest(subject) || (via !== 'referrers-api' && via !== 'referrers-tag')) {
          throw new RegistryError(
            'MALFORMED_RESPONSE',
            `expected a referrers list entry in ${what}, got a malformed one`,
          );
        }
        catalog.referrers.set(`${repository}@${subject}`, { descriptor, via });
      }
    }
    return catalog;
  }

  async #readManifest(repo: RepositoryRef, descriptor: Descriptor): Promise<FetchedManifest> {
    const what = `manifest ${formatRepository(repo)}@${descriptor.digest}`;
    const bytes = await this.#readBlob(descriptor.digest, MAX_MANIFEST_BYTES, what, descriptor.size);
    const { mediaType, json } = parseManifest(bytes, descriptor.mediaType, what);
    return { digest: descriptor.digest, mediaType, bytes, json };
  }

  /** Reads `blobs/sha256/<hex>` and checks its size and sha256 before anything parses it. */
  async #readBlob(digest: Digest, maxBytes: number, what: string, expectedSize?: number): Promise<Uint8Array> {
    if (expectedSize !== undefined && expectedSize > maxBytes) {
      throw new RegistryError(
        'TOO_LARGE',
        `expected ${what} of at most ${maxBytes} bytes, got descriptor size ${expectedSize}`,
      );
    }
    const bytes = await readLayoutFile(blobPath(this.#dir, digest), maxBytes, what);
    if (expectedSize !== undefined && bytes.byteLength !== expectedSize) {
      throw new RegistryError(
        'MALFORMED_RESPONSE',
        `expected ${what} of ${expectedSize} bytes (descriptor size), got ${bytes.byteLength} in layout ${this.#dir}`,
      );
    }
    const actual = sha256Digest(bytes);
    if (actual !== digest) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `layout ${this.#dir} holds content for ${digest} whose digest is ${actual} (${what})`,
      );
    }
    return bytes;
  }
}

/** A regular file (not followed through a final symlink) of at most `maxBytes`. */
async function readLayoutFile(path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RegistryError(
      code === 'ENOENT' ? 'NOT_FOUND' : 'MALFORMED_RESPONSE',
      `expected ${what} at ${path}, got ${code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'a symbolic link' : (code ?? 'an unreadable file')}`,
      { cause: error },
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw new RegistryError('MALFORMED_RESPONSE', `expected ${what} at ${path} to be a file, got another kind`);
    if (stats.size > maxBytes) {
      throw new RegistryError('TOO_LARGE', `expected ${what} of at most ${maxBytes} bytes, got ${stats.size}`);
    }
    // Read at most one byte past the cap, so a file growing while read is still refused.
    const buffer = new Uint8Array(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.byteLength - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes)
        throw new RegistryError('TOO_LARGE', `expected ${what} of at most ${maxBytes} bytes, got more`);
      if (length === buffer.byteLength) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** index.json: an OCI index whose entries name their repository. Parsed like any registry JSON. */
function readIndex(bytes: Uint8Array, what: string): Entry[] {
  const { json } = parseManifest(bytes, 'application/vnd.oci.image.index.v1+json', what);
  if (!isOciIndex(json))
    throw new RegistryError('MALFORMED_RESPONSE', `expected an OCI index in ${what}, got a manifest`);
  return json.manifests.map((descriptor) => {
    const repository = descriptor.annotations?.[REPOSITORY];
    if (repository === undefined) {
      throw new RegistryError(
        'MALFORMED_RESPONSE',
        `expected every entry of ${what} to name its ${REPOSITORY}, got one without`,
      );
    }
    return { repository, descriptor };
  });
}

/**
 * The image (`host/name`) a layout written by `save` holds, from index.json: the default `--image` with `--layout`.
 *
 * @throws RegistryError when the layout or its index cannot be read or names no valid image.
 */
export async function readLayoutImage(dir: string): Promise<string> {
  const what = `${INDEX_FILE} of layout ${dir}`;
  const bytes = await readLayoutFile(join(dir, INDEX_FILE), MAX_MANIFEST_BYTES, what);
  const { json } = parseManifest(bytes, 'application/vnd.oci.image.index.v1+json', what);
  const image = json.annotations?.[IMAGE];
  if (image === undefined)
    throw new RegistryError('MALFORMED_RESPONSE', `expected ${what} to name its image (${IMAGE}), got none`);
  const parsed = parseImageReference(image);
  return formatRepository(parsed);
}
