import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError, UsageError } from '../../src/errors.js';
import { digestHex } from '../../src/model/digest.js';
import { parseImageReference } from '../../src/model/reference.js';
import { OCI_INDEX, OCI_MANIFEST, RegistryClient } from '../../src/registry/index.js';
import { resolveRelease, type ResolveOptions } from '../../src/release/index.js';
import { pushBlob, pushImageIndex, pushJsonManifest, startRegistry, type TestRegistry } from '../support/registry.js';

async function failure(promise: Promise<unknown>): Promise<Error & { code: string }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error & { code: string };
}

describe('resolveRelease against docker-registry 2.8', () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  const pushed: Record<string, Awaited<ReturnType<typeof pushImageIndex>>> = {};
  const resolve = (image: string, options: Omit<ResolveOptions, 'client' | 'image'> = {}) =>
    resolveRelease({ client, image: parseImageReference(`${reg.host}/${image}`), ...options });

  beforeAll(async () => {
    reg = await startRegistry();
    client = new RegistryClient({ env: {} });
    for (const tag of ['v0.9.0', 'v1.10.0', 'v1.2.0', 'v2.0.0-rc.1', 'latest']) {
      pushed[tag] = await pushImageIndex(reg, 'acme/app', tag, {
        platforms: ['linux/amd64', 'linux/arm64', 'unknown/unknown'],
      });
    }
    // A cosign signature tag next to the releases, as real repositories have.
    const config = await pushBlob(reg, 'acme/app', new TextEncoder().encode('{}'));
    await pushJsonManifest(reg, 'acme/app', `sha256-${digestHex(pushed['v1.10.0']!.digest)}.sig`, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [],
    });
    await pushImageIndex(reg, 'acme/rolling', 'latest');
    await pushImageIndex(reg, 'acme/bare', '1.4.0');
  });
  afterAll(async () => {
    await reg.stop();
  });

  it('resolves latest to the highest release (v1.10.0), its index digest, media type and platforms', async () => {
    expect(await resolve('acme/app')).toEqual({
      image: `${reg.host}/acme/app`,
      registry: reg.host,
      repository: 'acme/app',
      version: 'v1.10.0',
      tag: 'v1.10.0',
      digest: pushed['v1.10.0']!.digest,
      mediaType: OCI_INDEX,
      platforms: ['linux/amd64', 'linux/arm64', 'unknown/unknown'],
    });
    expect((await resolve('acme/app', { version: 'latest' })).version).toBe('v1.10.0');
  });

  it('picks the prerelease when prereleases are included', async () => {
    const target = await resolve('acme/app', { includePrereleases: true });
    expect(target).toMatchObject({ version: 'v2.0.0-rc.1', digest: pushed['v2.0.0-rc.1']!.digest });
  });

  it('resolves a pinned version in either spelling', async () => {
    expect(await resolve('acme/app', { version: '1.2.0' })).toMatchObject({
      version: 'v1.2.0',
      digest: pushed['v1.2.0']!.digest,
    });
    expect(await resolve('acme/bare', { version: 'v1.4.0' })).toMatchObject({ version: '1.4.0', tag: '1.4.0' });
  });

  it('names the newest releases when a pinned version is missing', async () => {
    const error = await failure(resolve('acme/app', { version: 'v9.9.9' }));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      `release v9.9.9 not found in ${reg.host}/acme/app; newest releases: v1.10.0, v1.2.0, v0.9.0`,
    );
  });

  it('says so when a repository has no release tags', async () => {
    const error = await failure(resolve('acme/rolling'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      `no release tags were found in ${reg.host}/acme/rolling: expected tags like v1.2.3 or 1.2.3, got none among 1 tags`,
    );
  });

  it('resolves a non-release tag exactly, from the option or the reference', async () => {
    const fromOption = await resolve('acme/app', { tag: 'latest' });
    expect(fromOption).toMatchObject({ tag: 'latest', digest: pushed.latest!.digest });
    expect(fromOption.version).toBeUndefined();
    expect(await resolve('acme/app:v1.2.0')).toMatchObject({
      tag: 'v1.2.0',
      version: 'v1.2.0',
      digest: pushed['v1.2.0']!.digest,
    });
    const missing = await failure(resolve('acme/app', { tag: 'nightly' }));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('takes a digest reference as it is, with no version', async () => {
    const digest = pushed['v0.9.0']!.digest;
    const target = await resolve(`acme/app@${digest}`);
    expect(target).toEqual({
      image: `${reg.host}/acme/app`,
      registry: reg.host,
      repository: 'acme/app',
      digest,
      mediaType: OCI_INDEX,
      platforms: ['linux/amd64', 'linux/arm64', 'unknown/unknown'],
    });
  });

  it('reads the platform of a single-platform manifest from its config', async () => {
    const child = pushed['v1.10.0']!.children[1]!;
    expect(await resolve(`acme/app@${child}`)).toMatchObject({
      digest: child,
      mediaType: OCI_MANIFEST,
      platforms: ['linux/arm64'],
    });
  });

  it('rejects conflicting tag and version requests', async () => {
    const conflict = await failure(resolve('acme/app:v1.2.0', { tag: 'latest' }));
    expect(conflict).toBeInstanceOf(UsageError);
    expect(conflict.message).toBe(
      `expected one tag for ${reg.host}/acme/app, got "v1.2.0" in the reference and "latest" as option`,
    );
    const both = await failure(resolve('acme/app', { tag: 'latest', version: 'v1.2.0' }));
    expect(both.message).toBe(
      `expected a tag or a version for ${reg.host}/acme/app, got tag "latest" and version "v1.2.0"`,
    );
  });
});

describe('resolveRelease against a token-auth registry', () => {
  it('resolves anonymously through the bearer flow', async () => {
    const reg = await startRegistry({ auth: 'token' });
    try {
      await pushImageIndex(reg, 'acme/app', 'v1.0.0');
      const v2 = await pushImageIndex(reg, 'acme/app', 'v2.0.0');
      const target = await resolveRelease({
        client: new RegistryClient({ env: {} }),
        image: parseImageReference(`${reg.host}/acme/app`),
      });
      expect(target).toMatchObject({ version: 'v2.0.0', digest: v2.digest, platforms: ['linux/amd64', 'linux/arm64'] });
    } finally {
      await reg.stop();
    }
  });
});
