import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { digestHex, sha256Digest } from '../../src/model/digest.js';
import {
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  RegistryClient,
  type OciIndex,
  type OciManifest,
} from '../../src/registry/index.js';
import { pushBlob, pushImageIndex, pushJsonManifest, startRegistry, type TestRegistry } from '../support/registry.js';
import { rejection } from '../support/expect-error.js';

const failure = (promise: Promise<unknown>): Promise<RegistryError> => rejection(promise, RegistryError);

describe('RegistryClient against docker-registry 2.8 (anonymous)', () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  let repo: { registry: string; repository: string };
  let image: Awaited<ReturnType<typeof pushImageIndex>>;

  beforeAll(async () => {
    reg = await startRegistry();
    repo = { registry: reg.host, repository: 'acme/app' };
    client = new RegistryClient({ env: {} });
    image = await pushImageIndex(reg, 'acme/app', 'v1.0.0', { platforms: ['linux/amd64', 'linux/arm/v7'] });
  });
  afterAll(async () => {
    await reg.stop();
  });

  it('fetches an index by tag, with its digest checked and its media type from the body', async () => {
    const manifest = await client.getManifest(repo, 'v1.0.0');
    expect(manifest.digest).toBe(image.digest);
    expect(manifest.mediaType).toBe(OCI_INDEX);
    expect(sha256Digest(manifest.bytes)).toBe(image.digest);
    expect((manifest.json as OciIndex).manifests.map((m) => m.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
  });

  it('fetches the index and a child manifest by digest (strict Accept negotiation)', async () => {
    expect((await client.getManifest(repo, image.digest)).mediaType).toBe(OCI_INDEX);
    const child = await client.getManifest(repo, image.children[0]!);
    expect(child.digest).toBe(image.children[0]);
    expect(child.mediaType).toBe(OCI_MANIFEST);
    const config = (child.json as OciManifest).config;
    const bytes = await client.getBlob(repo, config);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toMatchObject({ os: 'linux', architecture: 'amd64' });
  });

  it('reads Docker v2 manifests too', async () => {
    const config = await pushBlob(
      reg,
      'acme/docker',
      new TextEncoder().encode('{"os":"linux","architecture":"amd64"}'),
    );
    const pushed = await pushJsonManifest(reg, 'acme/docker', 'v1', {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [],
    });
    const manifest = await client.getManifest({ registry: reg.host, repository: 'acme/docker' }, 'v1');
    expect(manifest).toMatchObject({ digest: pushed.digest, mediaType: DOCKER_MANIFEST });
  });

  it('reports a missing manifest: NOT_FOUND from getManifest, undefined from findManifest', async () => {
    expect(await client.findManifest(repo, 'nope')).toBeUndefined();
    const error = await failure(client.getManifest(repo, 'nope'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.message).toBe(`expected manifest ${reg.host}/acme/app:nope, got HTTP 404`);
  });

  it('rejects a reference that is neither tag nor digest before any request', async () => {
    await expect(client.getManifest(repo, '../x')).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('checks blob size against the descriptor and reports unknown blobs with the registry code', async () => {
    const blob = await pushBlob(reg, 'acme/app', new TextEncoder().encode('hello blob'));
    expect(new TextDecoder().decode(await client.getBlob(repo, blob))).toBe('hello blob');

    const wrongSize = await failure(client.getBlob(repo, { digest: blob.digest, size: blob.size + 5 }));
    expect(wrongSize.code).toBe('MALFORMED_RESPONSE');
    expect(wrongSize.message).toBe(
      `expected blob ${reg.host}/acme/app@${blob.digest} of ${blob.size + 5} bytes (descriptor size), got ${blob.size} (truncated)`,
    );

    const unknown = await failure(client.getBlob(repo, { digest: sha256Digest(new TextEncoder().encode('absent')) }));
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', status: 404, registryCode: 'BLOB_UNKNOWN' });

    const tooBig = await failure(
      new RegistryClient({ env: {}, maxBlobBytes: 4 }).getBlob(repo, { digest: blob.digest }),
    );
    expect(tooBig.code).toBe('TOO_LARGE');
    expect(tooBig.message).toBe(
      `expected blob ${reg.host}/acme/app@${blob.digest} of at most 4 bytes, got Content-Length ${blob.size}`,
    );
  });

  it('lists tags (unsorted, no pagination on 2.8) and reports an unknown repository', async () => {
    await pushImageIndex(reg, 'acme/tags', 'b');
    await pushImageIndex(reg, 'acme/tags', 'a');
    await pushImageIndex(reg, 'acme/tags', 'c');
    expect((await client.listTags({ registry: reg.host, repository: 'acme/tags' })).sort()).toEqual(['a', 'b', 'c']);
    const error = await failure(client.listTags({ registry: reg.host, repository: 'acme/none' }));
    expect(error).toMatchObject({ code: 'NOT_FOUND', registryCode: 'NAME_UNKNOWN' });
    expect(error.message).toMatch(
      new RegExp(
        `^expected tag list of ${reg.host}/acme/none, got HTTP 404 NAME_UNKNOWN "repository name not known to registry"$`,
      ),
    );
  });

  it('falls back to the sha256-<hex> tag for referrers (2.8 has no referrers API), empty when absent', async () => {
    expect(await client.listReferrers(repo, image.digest)).toEqual({ via: 'referrers-tag', manifests: [] });

    const empty = await pushBlob(reg, 'acme/app', new TextEncoder().encode('{}'));
    const bundle = await pushBlob(reg, 'acme/app', new TextEncoder().encode('{"mediaType":"bundle"}'));
    const referrer = await pushJsonManifest(reg, 'acme/app', 'referrer', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', ...bundle }],
      subject: { mediaType: OCI_INDEX, digest: image.digest, size: image.size },
    });
    // The fallback index often says artifactType "empty" (sigstore/cosign#4641): the client must not filter on it.
    const entry = {
      mediaType: OCI_MANIFEST,
      digest: referrer.digest,
      size: referrer.size,
      artifactType: 'application/vnd.oci.empty.v1+json',
    };
    await pushJsonManifest(reg, 'acme/app', `sha256-${digestHex(image.digest)}`, {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [entry],
    });

    expect(await client.listReferrers(repo, image.digest)).toEqual({ via: 'referrers-tag', manifests: [entry] });
  });
});

describe('RegistryClient against docker-registry 2.8 (token auth)', () => {
  let reg: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token' });
    dir = await mkdtemp(join(tmpdir(), 'verify-release-token-'));
  });
  afterAll(async () => {
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('pushes with credentials and pulls anonymously with one pull token per repository scope', async () => {
    const app = await pushImageIndex(reg, 'acme/app', 'v1');
    const sigs = await pushImageIndex(reg, 'acme/signatures', 'v1');
    const before = reg.tokenServer!.requests.length;

    const client = new RegistryClient({ env: {} });
    const appRepo = { registry: reg.host, repository: 'acme/app' };
    const sigRepo = { registry: reg.host, repository: 'acme/signatures' };
    expect((await client.getManifest(appRepo, 'v1')).digest).toBe(app.digest);
    expect((await client.getManifest(appRepo, app.digest)).digest).toBe(app.digest);
    expect(await client.listTags(appRepo)).toEqual(['v1']);
    expect((await client.getManifest(sigRepo, 'v1')).digest).toBe(sigs.digest);
    expect((await client.getManifest(sigRepo, sigs.children[0]!)).digest).toBe(sigs.children[0]);

    expect(reg.tokenServer!.requests.slice(before)).toEqual([
      { scopes: ['repository:acme/app:pull'], user: undefined },
      { scopes: ['repository:acme/signatures:pull'], user: undefined },
    ]);
  });

  it('asks for the token with the docker config credentials when there are some', async () => {
    await pushImageIndex(reg, 'acme/private', 'v1');
    const { username, password } = reg.credentials!;
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }),
    );
    const before = reg.tokenServer!.requests.length;
    const client = new RegistryClient({ env: { DOCKER_CONFIG: dir } });
    await client.getManifest({ registry: reg.host, repository: 'acme/private' }, 'v1');
    expect(reg.tokenServer!.requests.slice(before)).toEqual([
      { scopes: ['repository:acme/private:pull'], user: 'alice' },
    ]);
  });

  it('fails with AUTH when the token server refuses the credentials', async () => {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { username: 'alice', password: 'wrong' } } }),
    );
    const client = new RegistryClient({ env: { DOCKER_CONFIG: dir } });
    const error = await failure(client.getManifest({ registry: reg.host, repository: 'acme/app' }, 'v1'));
    expect(error.code).toBe('AUTH');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(
      /^expected a token for repository:acme\/app:pull from 127\.0\.0\.1:\d+, got HTTP 401 UNAUTHORIZED "bad credentials"$/,
    );
    expect(error.message).not.toContain('wrong');
  });
});
