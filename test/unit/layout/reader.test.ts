import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LayoutSource, readLayoutImage } from '../../../src/layout/reader.js';
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

/** A layout holding one manifest, tagged `v1.0.0` in `repo`, whose one layer is `{"a":1}`. */
async function layout(): Promise<{ manifest: Digest; layer: { digest: Digest; size: number } }> {
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
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          ...manifest,
          annotations: {
            'dev.verify-release.repository': 'registry.example/acme/app',
            'org.opencontainers.image.ref.name': 'v1.0.0',
          },
        },
      ],
      annotations: { 'dev.verify-release.image': 'registry.example/acme/app' },
    }),
  );
  return { manifest: manifest.digest, layer };
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
