import { describe, expect, it } from 'vitest';
import { planVerify } from '../../../src/cli/references.js';
import type { RawBatchOptions, RawVerifyOptions } from '../../../src/cli/program.js';
import { EXIT, worstExitCode } from '../../../src/cli/exit-codes.js';
import { UsageError } from '../../../src/errors.js';
import { parseReference } from '../../../src/model/reference.js';
import { selectShard } from '../../../src/pipeline/batch.js';

// No policy check: planning never starts CUE here.
const RAW: RawVerifyOptions & RawBatchOptions = { policyMode: 'strict', versionBinding: true, checks: ['resolve'] };
const COMMANDS = ['verify', 'sbom', 'verify-bundle', 'version', 'help'];

describe('parseReference', () => {
  it.each([
    ['ghcr.io/o/n', { kind: 'image', image: { registry: 'ghcr.io', repository: 'o/n' } }],
    [
      '127.0.0.1:5000/o/n:v1.1.2',
      { kind: 'image', image: { registry: '127.0.0.1:5000', repository: 'o/n', tag: 'v1.1.2' } },
    ],
    ['alpine:3.20', { kind: 'image', image: { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' } }],
    ['latest', { kind: 'version', version: 'latest' }],
    ['v1.1.2', { kind: 'version', version: 'v1.1.2' }],
    ['1.1.2', { kind: 'version', version: '1.1.2' }],
    ['v1', { kind: 'version', version: 'v1' }],
    ['oci-layout://./dir', { kind: 'layout', dir: './dir' }],
  ])('reads %s', (text, expected) => {
    expect(parseReference(text)).toMatchObject({ text, ...expected });
  });

  it.each(['verfy', 'alpine', 'edge'])('leaves the bare word %s to the caller', (text) => {
    expect(parseReference(text)).toBeUndefined();
  });

  it.each([
    [`sha256:${'a'.repeat(64)}`, 'expected <image>@sha256:<hex>, got a digest without its image'],
    ['oci-layout://', 'expected oci-layout://<directory>'],
    ['ghcr.io/Acme/app', 'expected a lowercase repository name'],
  ])('refuses %s', (text, message) => {
    expect(() => parseReference(text)).toThrow(UsageError);
    expect(() => parseReference(text)).toThrow(message);
  });
});

describe('planVerify', () => {
  const plan = (references: string[], raw: Partial<RawVerifyOptions & RawBatchOptions> = {}) =>
    planVerify(references, { ...RAW, ...raw }, {}, COMMANDS);

  it('keeps one reference a single run, in the form of before', async () => {
    const { batch, items } = await plan(['ghcr.io/acme/app:v1.2.3']);
    expect(batch).toBe(false);
    expect(items).toHaveLength(1);
    expect(items[0]!.options.image).toEqual({ registry: 'ghcr.io', repository: 'acme/app', tag: 'v1.2.3' });
    expect(items[0]!.options.expectations({ version: 'v1.2.3', tag: 'v1.2.3' }).signature.repository).toBe('acme/app');
  });

  it('applies versions to --image, and an image reference names its own project', async () => {
    const { batch, items } = await plan(['v1.0.0', 'ghcr.io/other/app'], { repo: 'acme/app' });
    expect(batch).toBe(true);
    expect(items.map((item) => [item.reference, item.options.image.repository, item.options.version])).toEqual([
      ['v1.0.0', 'acme/app', 'v1.0.0'],
      ['ghcr.io/other/app', 'other/app', undefined],
    ]);
  });

  it('makes --releases, --all-releases and --shard batches even for one image', async () => {
    expect(await plan([], { allReleases: true })).toMatchObject({ batch: true, history: { range: undefined } });
    expect(await plan([], { releases: '>=v1.0.0', shard: { index: 1, count: 2 } })).toMatchObject({
      batch: true,
      history: { range: '>=v1.0.0' },
      shard: { index: 1, count: 2 },
    });
    expect(await plan([], { shard: { index: 1, count: 1 } })).toMatchObject({ batch: true });
  });

  it('shards a list of references before building their options', async () => {
    const { items, shard } = await plan(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'], { shard: { index: 2, count: 3 } });
    expect(items.map((item) => item.reference)).toEqual(['v1.1.0']);
    expect(shard).toBeUndefined();
  });

  it.each([
    [['verfy'], {}, 'got "verfy": did you mean "verify"?'],
    [['versoin'], {}, 'did you mean "version"?'],
    [['edge'], {}, 'or a version (latest, v1.2.3), got "edge"'],
    [['ghcr.io/Acme/App'], {}, 'expected a lowercase repository name'],
    [['ghcr.io/acme/app'], { image: 'ghcr.io/acme/app' }, 'expected the image once'],
    [['oci-layout://dir'], {}, 'OCI image layouts are not supported yet'],
    [['v1.0.0', 'v1.1.0'], { sbomOut: 'sbom.json' }, 'expected --sbom-out with one release'],
    [[], { releases: '1.x', allReleases: true }, 'not both'],
    [[], { releases: '>>1' }, 'expected --releases to be a semver range'],
    [[], { allReleases: true, version: 'v1.0.0' }, 'expected no version, --version or --tag beside it, got "v1.0.0"'],
    [['a.io/b/c@sha256:' + 'a'.repeat(64)], { allReleases: true }, 'expected an image without tag or digest'],
    [['v1.0.0'], { shard: { index: 2, count: 2 } }, 'expected --shard 2/2 to select a release, got none of 1'],
  ] as const)('refuses %j with %j', async (references, raw, message) => {
    const run = plan([...references], raw);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});

describe('selectShard', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('keeps every n-th item from the i-th: disjoint shards that cover the list', () => {
    const shards = [1, 2, 3].map((index) => selectShard(items, { index, count: 3 }));
    expect(shards).toEqual([['a', 'd'], ['b', 'e'], ['c']]);
    expect(shards.flat().sort()).toEqual(items);
    expect(selectShard(items, undefined)).toEqual(items);
  });
});

describe('worstExitCode', () => {
  it.each([
    [[], EXIT.verified],
    [[0, 0], EXIT.verified],
    [[0, 1], EXIT.failed],
    [[1, 3, 0], EXIT.incomplete],
    [[3, 2, 1], EXIT.usage],
  ])('of %j is %d', (codes, worst) => {
    expect(worstExitCode(codes)).toBe(worst);
  });
});
