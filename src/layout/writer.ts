import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { digestHex, sha256Digest, type Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import {
  isOciIndex,
  OCI_INDEX,
  type Descriptor,
  type FetchedManifest,
  type RegistrySource,
  type RepositoryRef,
} from '../registry/index.js';
import {
  blobPath,
  IMAGE,
  IMAGE_LAYOUT_VERSION,
  INDEX_FILE,
  OCI_LAYOUT_FILE,
  PROVENANCE_FILE,
  REF_NAME,
  REFERRERS_OF,
  REFERRERS_VIA,
  REPOSITORY,
  TRUSTED_ROOT,
} from './format.js';
import type { RecordingSource } from './recorder.js';

/** Indexes nest rarely; a release tree deeper than this is not walked further. */
const MAX_IMAGE_DEPTH = 3;

/** What one piece of the layout is, for the provenance file. */
type PieceKind =
  | 'release'
  | 'platform-manifest'
  | 'image-config'
  | 'image-layer'
  | 'signature'
  | 'attestation'
  | 'referrer'
  | 'referrers-list'
  | 'evidence-config'
  | 'evidence-layer'
  | 'trusted-root';

interface Piece {
  kind: PieceKind;
  repository: string;
  digest: Digest;
  size: number;
  mediaType?: string;
  tags?: string[];
}

export interface LayoutInput {
  /** What the verification read. */
  recorded: RecordingSource;
  /** Where to read what it did not: platform manifests, configs, layers, fallback indexes. */
  source: RegistrySource;
  image: RepositoryRef;
  target: { digest: Digest; version?: string; tag?: string };
  /** Image layers too (otherwise only the index, platform manifests and configs). */
  withLayers: boolean;
  /** The bytes of the trusted root the verification used. */
  trustedRoot: Uint8Array;
}

/**
 * Writes the release as an OCI image layout into `dir` (an empty directory): every manifest the verification read
 * (release index, `.sig`/`.att` manifests, bundle referrers, the referrers lists), every blob they refer to
 * (evidence layers and configs; image layers only `withLayers`), the platform manifests, a copy of the trusted root,
 * and a provenance file naming each piece's repository and tag. Everything is read through `source`, so digests are
 * checked on the way in as well as on the way out.
 *
 * @returns the trusted root's digest (for `--trusted-root-digest`).
 */
export async function writeLayout(dir: string, input: LayoutInput): Promise<{ trustedRootDigest: Digest }> {
  const { recorded, source, image, target } = input;
  await fsp.mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await fsp.writeFile(join(dir, OCI_LAYOUT_FILE), `${JSON.stringify({ imageLayoutVersion: IMAGE_LAYOUT_VERSION })}\n`);

  const entries: Descriptor[] = [];
  const pieces: Piece[] = [];
  /** Blobs written so far, with their sizes. */
  const written = new Map<Digest, number>();
  const writeBlob = async (bytes: Uint8Array): Promise<Digest> => {
    const digest = sha256Digest(bytes);
    if (!written.has(digest)) {
      written.set(digest, bytes.byteLength);
      await fsp.writeFile(blobPath(dir, digest), bytes);
    }
    return digest;
  };
  const addManifest = async (
    repo: RepositoryRef,
    manifest: FetchedManifest,
    kind: PieceKind,
    tags: Iterable<string>,
    extra: Record<string, string> = {},
  ): Promise<void> => {
    await writeBlob(manifest.bytes);
    const repository = formatRepository(repo);
    const base = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.byteLength };
    const tagList = [...tags];
    // One index.json entry per tag (as image-spec lays out tags), or one without a tag for a manifest read by digest.
    for (const tag of tagList.length > 0 ? tagList : [undefined]) {
      entries.push({
        ...base,
        annotations: { [REPOSITORY]: repository, ...(tag !== undefined && { [REF_NAME]: tag }), ...extra },
      });
    }
    pieces.push({ kind, repository, ...base, ...(tagList.length > 0 && { tags: tagList }) });
  };
  const copied = new Set<string>();
  const copyBlob = async (
    repo: RepositoryRef,
    descriptor: { digest: Digest; size?: number; mediaType?: string },
    kind: PieceKind,
  ): Promise<void> => {
    const repository = formatRepository(repo);
    if (copied.has(`${repository}@${descriptor.digest}`)) return;
    copied.add(`${repository}@${descriptor.digest}`);
    // A blob several pieces share (an empty config, say) is read and written once, and listed for each repository.
    let size = written.get(descriptor.digest);
    if (size === undefined) {
      const bytes = await source.getBlob(repo, descriptor);
      await writeBlob(bytes);
      size = bytes.byteLength;
    }
    pieces.push({
      kind,
      repository,
      digest: descriptor.digest,
      size,
      ...(descriptor.mediaType !== undefined && { mediaType: descriptor.mediaType }),
    });
  };

  // The release: its index (or manifest), platform manifests and configs; layers on request.
  const imageKeys = new Set<string>();
  const release = recorded.manifests.get(`${formatRepository(image)}@${target.digest}`);
  const releaseManifest = release?.manifest ?? (await source.getManifest(image, target.digest));
  const walk = async (manifest: FetchedManifest, kind: PieceKind, tags: Iterable<string>, depth: number) => {
    imageKeys.add(`${formatRepository(image)}@${manifest.digest}`);
    await addManifest(image, manifest, kind, tags);
    if (isOciIndex(manifest.json)) {
      if (depth >= MAX_IMAGE_DEPTH) return;
      for (const child of manifest.json.manifests) {
        const known = recorded.manifests.get(`${formatRepository(image)}@${child.digest}`);
        await walk(
          known?.manifest ?? (await source.getManifest(image, child.digest)),
          'platform-manifest',
          [],
          depth + 1,
        );
      }
      return;
    }
    await copyBlob(image, manifest.json.config, 'image-config');
    if (input.withLayers) for (const layer of manifest.json.layers) await copyBlob(image, layer, 'image-layer');
  };
  await walk(releaseManifest, 'release', release?.tags ?? [], 0);

  // The evidence: every other manifest the verification read, with its config and every layer.
  for (const [key, { repo, manifest, tags }] of recorded.manifests) {
    if (imageKeys.has(key)) continue;
    const tagList = [...tags];
    const kind: PieceKind = tagList.some((tag) => tag.endsWith('.sig'))
      ? 'signature'
      : tagList.some((tag) => tag.endsWith('.att'))
        ? 'attestation'
        : 'referrer';
    await addManifest(repo, manifest, kind, tags);
    if (!isOciIndex(manifest.json)) {
      await copyBlob(repo, manifest.json.config, 'evidence-config');
      for (const layer of manifest.json.layers) await copyBlob(repo, layer, 'evidence-layer');
    }
  }
  for (const { repo, digest, size } of recorded.blobs.values()) {
    await copyBlob(repo, { digest, ...(size !== undefined && { size }) }, 'evidence-layer');
  }

  // The referrers lists: the registry's fallback index as it was, or the API's answer as an index.
  for (const { repo, subject, list } of recorded.referrers.values()) {
    if (list.manifests.length === 0) continue;
    const listing = { [REFERRERS_OF]: subject, [REFERRERS_VIA]: list.via };
    const fallbackTag = `sha256-${digestHex(subject)}`;
    const fallback = list.via === 'referrers-tag' ? await source.findManifest(repo, fallbackTag) : undefined;
    if (fallback !== undefined) {
      await addManifest(repo, fallback, 'referrers-list', [fallbackTag], listing);
      continue;
    }
    const bytes = new TextEncoder().encode(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: list.manifests }),
    );
    const synthesized: FetchedManifest = {
      digest: sha256Digest(bytes),
      mediaType: OCI_INDEX,
      bytes,
      json: { schemaVersion: 2, mediaType: OCI_INDEX, manifests: list.manifests },
    };
    await addManifest(repo, synthesized, 'referrers-list', [], listing);
  }

  const trustedRootDigest = await writeBlob(input.trustedRoot);
  pieces.push({
    kind: 'trusted-root',
    repository: '',
    digest: trustedRootDigest,
    size: input.trustedRoot.byteLength,
  });
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries,
    annotations: { [IMAGE]: formatRepository(image), [TRUSTED_ROOT]: trustedRootDigest },
  };
  await fsp.writeFile(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  const provenance = {
    schemaVersion: 1,
    image: formatRepository(image),
    ...(target.version !== undefined && { version: target.version }),
    ...(target.tag !== undefined && { tag: target.tag }),
    digest: target.digest,
    withLayers: input.withLayers,
    trustedRoot: trustedRootDigest,
    pieces,
  };
  await fsp.writeFile(join(dir, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
  return { trustedRootDigest };
}
