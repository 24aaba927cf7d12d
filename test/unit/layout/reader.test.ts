import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LayoutSource, readLayoutImage } from '../../../src/layout/reader.js';
import { RecordingSource } from '../../../src/layout/recorder.js';
import { writeLayout } from '../../../src/layout/writer.js';
import { sha256Digest, type Digest } from '../../../src/model/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/registry/index.js';
import { RegistryError } from '../../../src/errors.js';
import { rejection } from '../../support/expect-error.js';

/** The RegistryError the promise rejects with, asserting its code. */
async function expectError(promise: Promise<unknown>, code: RegistryError['code']): Promise<RegistryError> {
  const error = await rejection(promise, RegistryError);
  expect(error.code).toBe(code);
  return error;
}

const repo = { registry: 'registry.example', repository: 'acme/app' };
const other = { registry: 'registry.example', repository: 'acme/signatures' };
let dir: string;

async function blob(bytes: Uint8Array | string): Promise<{ digest: Digest; size: number }> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const digest = sha256Digest(data);
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), data);
  return { digest, size: data.byteLength };
}

/**
 * A layout holding one manifest, tagged `v1.0.0` in `repo`, whose one layer is `{"a":1}`; with `referrer`, also an
 * artifact manifest referring to it, listed as the registry's referrers API listed it.
 */
async function layout(
  referrer = false,
): Promise<{ manifest: Digest; layer: { digest: Digest; size: number }; referrer?: Digest }> {
  const config = await blob('{}');
  const layer = await blob('{"a":1}');
  const manifest = await blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
      layers: [{ mediaType: 'application/json', ...layer }],
    }),
  );
  const entries: unknown[] = [
    {
      mediaType: OCI_MANIFEST,
      ...manifest,
      annotations: {
        'dev.verify-release.repository': 'registry.example/acme/app',
        'org.opencontainers.image.ref.name': 'v1.0.0',
      },
    },
  ];
  let referrerDigest: Digest | undefined;
  if (referrer) {
    const bundle = await blob('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const artifact = await blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...(await blob('{}')) },
        layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', ...bundle }],
        subject: { mediaType: OCI_MANIFEST, ...manifest },
      }),
    );
    referrerDigest = artifact.digest;
    const list = await blob(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, ...artifact }] }),
    );
    entries.push(
      {
        mediaType: OCI_MANIFEST,
        ...artifact,
        annotations: { 'dev.verify-release.repository': 'registry.example/acme/app' },
      },
      {
        mediaType: OCI_INDEX,
        ...list,
        annotations: {
          'dev.verify-release.repository': 'registry.example/acme/app',
          'dev.verify-release.referrers-of': manifest.digest,
          'dev.verify-release.referrers-via': 'referrers-api',
        },
      },
    );
  }
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: entries,
      annotations: { 'dev.verify-release.image': 'registry.example/acme/app' },
    }),
  );
  return { manifest: manifest.digest, layer, ...(referrerDigest && { referrer: referrerDigest }) };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'verify-release-layout-'));
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
});

describe('LayoutSource', () => {
  it('reads manifests by tag and digest, per repository, and their blobs', async () => {
    const { manifest, layer } = await layout();
    const source = new LayoutSource(dir);
    expect((await source.getManifest(repo, 'v1.0.0')).digest).toBe(manifest);
    expect((await source.getManifest(repo, manifest)).digest).toBe(manifest);
    expect(await source.findManifest(repo, 'v2.0.0')).toBeUndefined();
    expect(await source.findManifest(other, manifest)).toBeUndefined();
    expect(await source.listTags(repo)).toEqual(['v1.0.0']);
    expect(await source.getJsonBlob(repo, layer, 'parse')).toEqual({ a: 1 });
    expect(await source.listReferrers(repo, manifest)).toEqual({ via: 'referrers-api', manifests: [] });
    expect(await readLayoutImage(dir)).toBe('registry.example/acme/app');
  });

  it('refuses a file whose content is not the digest it is stored under, naming the digest', async () => {
    const { layer } = await layout();
    await writeFile(join(dir, 'blobs', 'sha256', layer.digest.slice(7)), '{"a":2}');
    const error = await expectError(new LayoutSource(dir).getBlob(repo, layer), 'DIGEST_MISMATCH');
    expect(error.message).toContain(layer.digest);
  });

  it('refuses a blob of another size than its descriptor, and one over the cap', async () => {
    const { layer } = await layout();
    await expectError(new LayoutSource(dir).getBlob(repo, { ...layer, size: layer.size + 1 }), 'MALFORMED_RESPONSE');
    await expectError(new LayoutSource(dir, { maxBlobBytes: 3 }).getBlob(repo, { digest: layer.digest }), 'TOO_LARGE');
  });

  it('does not follow a symbolic link in place of a blob', async () => {
    const { layer } = await layout();
    const outside = join(dir, 'outside');
    await writeFile(outside, '{"a":1}');
    const path = join(dir, 'blobs', 'sha256', layer.digest.slice(7));
    await rm(path);
    await symlink(outside, path);
    await expectError(new LayoutSource(dir).getBlob(repo, layer), 'MALFORMED_RESPONSE');
  });

  it('names an unknown repository, and refuses a directory that is not a layout', async () => {
    await layout();
    await expectError(new LayoutSource(dir).listTags(other), 'NOT_FOUND');
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await expectError(new LayoutSource(dir).listTags(repo), 'MALFORMED_RESPONSE');
  });
});

describe('writeLayout', () => {
  it('lays out what a run read so that it reads back the same, referrers API listing included', async () => {
    const { manifest, referrer } = await layout(true);
    const recorded = new RecordingSource(new LayoutSource(dir));
    await recorded.getManifest(repo, 'v1.0.0');
    const listed = await recorded.listReferrers(repo, manifest);
    expect(listed.via).toBe('referrers-api');
    expect(listed.manifests.map((entry) => entry.digest)).toEqual([referrer]);
    const artifact = await recorded.getManifest(repo, referrer!);
    const bundleLayer = 'layers' in artifact.json ? artifact.json.layers[0]! : undefined;
    const bundle = await recorded.getJsonBlob(repo, bundleLayer!, 'parse');

    const out = await mkdtemp(join(tmpdir(), 'verify-release-layout-out-'));
    const root = new TextEncoder().encode('{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}');
    const { trustedRootDigest } = await writeLayout(out, {
      recorded,
      source: new LayoutSource(dir),
      image: repo,
      target: { digest: manifest, version: 'v1.0.0', tag: 'v1.0.0' },
      withLayers: false,
      trustedRoot: root,
    });

    const copy = new LayoutSource(out);
    expect(await copy.listTags(repo)).toEqual(['v1.0.0']);
    expect((await copy.getManifest(repo, 'v1.0.0')).digest).toBe(manifest);
    expect(await copy.listReferrers(repo, manifest)).toEqual(listed);
    expect(await copy.getJsonBlob(repo, bundleLayer!, 'parse')).toEqual(bundle);
    expect(trustedRootDigest).toBe(sha256Digest(root));
    expect(await readFile(join(out, 'blobs', 'sha256', trustedRootDigest.slice(7)))).toEqual(Buffer.from(root));
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8'));
    expect(index.annotations).toEqual({
      'dev.verify-release.image': 'registry.example/acme/app',
      'dev.verify-release.trusted-root': trustedRootDigest,
    });
    // The image layer is not saved without withLayers; the config is, once (the artifact's empty config is the same
    // blob in the same repository).
    const provenance = JSON.parse(await readFile(join(out, 'verify-release-layout.json'), 'utf8'));
    expect(provenance.pieces.map((piece: { kind: string }) => piece.kind).sort()).toEqual(
      ['evidence-layer', 'image-config', 'referrer', 'referrers-list', 'release', 'trusted-root'].sort(),
    );
  });
});

describe('writeLayout withLayers', () => {
  it('saves the image layers too', async () => {
    const { manifest, layer } = await layout();
    const recorded = new RecordingSource(new LayoutSource(dir));
    await recorded.getManifest(repo, 'v1.0.0');
    const out = await mkdtemp(join(tmpdir(), 'verify-release-layout-layers-'));
    await writeLayout(out, {
      recorded,
      source: new LayoutSource(dir),
      image: repo,
      target: { digest: manifest },
      withLayers: true,
      trustedRoot: new TextEncoder().encode('{}'),
    });
    expect(await new LayoutSource(out).getJsonBlob(repo, layer, 'parse')).toEqual({ a: 1 });
    const provenance = JSON.parse(await readFile(join(out, 'verify-release-layout.json'), 'utf8'));
    expect(provenance.pieces).toContainEqual(expect.objectContaining({ kind: 'image-layer', digest: layer.digest }));
  });
});
