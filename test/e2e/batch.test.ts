import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { startRecordingProxy, type FaultServer } from '../support/fault-server.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintGcpMysqlBackupHistory, mintRelease, type MintedRelease } from '../support/releases.js';
import { cli } from './helpers.js';

let reg: TestRegistry;
let sigstore: TestSigstore;
let history: Record<'v0.7.0' | 'v0.8.0' | 'v1.1.2' | 'latest', MintedRelease>;
let image: string;
let base: string[];

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  const work = await mkdtemp(join(tmpdir(), 'verify-release-batch-'));
  history = await mintGcpMysqlBackupHistory(reg, sigstore);
  image = `${reg.host}/natrontech/gcp-mysql-backup`;
  base = ['--trusted-root', await sigstore.writeTrustedRoot(work)];
});

afterAll(async () => {
  await reg?.stop();
});

interface SummaryLine {
  verified: boolean;
  summary: {
    exitCode: number;
    counts: { total: number; verified: number; failed: number; incomplete: number; usage: number };
    releases: { reference: string; release: string | null; digest: string | null; exitCode: number }[];
  };
}

/** Runs a batch with --json: every line but the last is a report (or an error record), the last the summary. */
async function batchJson(args: string[]): Promise<{ code: number; lines: unknown[]; summary: SummaryLine }> {
  const run = await cli([...args, '--json']);
  const lines = run.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  return { code: run.code, lines: lines.slice(0, -1), summary: lines.at(-1) as SummaryLine };
}

const versionOf = (line: unknown): string | null => reportSchema.parse(line).target.version;

describe('many releases in one run', () => {
  it('verifies three releases as JSON Lines, in the order given, then a summary; exit code the worst (3)', async () => {
    const { code, lines, summary } = await batchJson(['v1.1.2', 'v0.7.0', 'v9.9.9', '--image', image, ...base]);
    expect(lines.map(versionOf)).toEqual(['v1.1.2', 'v0.7.0', 'v9.9.9']);
    expect(lines.map((line) => reportSchema.parse(line).verified)).toEqual([true, false, false]);
    expect(summary.verified).toBe(false);
    expect(summary.summary.exitCode).toBe(3);
    expect(summary.summary.counts).toEqual({ total: 3, verified: 1, failed: 1, incomplete: 1, usage: 0 });
    expect(summary.summary.releases.map((row) => [row.reference, row.digest, row.exitCode])).toEqual([
      ['v1.1.2', history['v1.1.2'].digest, 0],
      ['v0.7.0', history['v0.7.0'].digest, 1],
      ['v9.9.9', null, 3],
    ]);
    expect(code).toBe(3);
  });

  it('prints one block per release and a summary table in text; a failed release makes exit 1', async () => {
    const run = await cli([`${image}:v1.1.2`, `${image}:v0.7.0`, ...base]);
    expect(run.code).toBe(1);
    expect(run.stdout.match(/^(NOT )?VERIFIED: /gm)).toEqual(['VERIFIED: ', 'NOT VERIFIED: ']);
    expect(run.stdout).toMatch(/REFERENCE +RELEASE +DIGEST +VERDICT\n/);
    expect(run.stdout).toMatch(
      new RegExp(`${image}:v0\\.7\\.0 +${image} v0\\.7\\.0 +sha256:[0-9a-f]{12}… +NOT VERIFIED\n`),
    );
    expect(run.stdout).toMatch(/NOT ALL VERIFIED: 2 releases, 1 verified, 1 not verified \(exit 1\)\n$/);
  });

  it('reports a release that stops on a usage error as an error record; usage errors outrank all (exit 2)', async () => {
    const { code, lines, summary } = await batchJson([`${image}:v0.8.0`, image, '--version', 'v1.1.2', ...base]);
    expect(lines[0]).toEqual({
      reference: `${image}:v0.8.0`,
      verified: false,
      error: { code: 'USAGE', message: expect.stringContaining('expected a tag or a version') as unknown },
    });
    expect(versionOf(lines[1])).toBe('v1.1.2');
    expect(summary.summary.releases.map((row) => row.exitCode)).toEqual([2, 0]);
    expect(code).toBe(2);
  });

  it('verifies the releases in a --releases range, newest first', async () => {
    const { code, lines, summary } = await batchJson(['--releases', '>=v0.8.0', '--image', image, ...base]);
    expect(lines.map(versionOf)).toEqual(['v1.1.2', 'v0.8.0']);
    expect(summary).toMatchObject({ verified: true, summary: { exitCode: 0 } });
    expect(code).toBe(0);
  });

  it('verifies --all-releases of an image reference', async () => {
    const { code, lines } = await batchJson([image, '--all-releases', ...base]);
    expect(lines.map(versionOf)).toEqual(['v1.1.2', 'v0.8.0', 'v0.7.0']);
    expect(code).toBe(1);
  });

  it('splits the expanded list with --shard i/n: disjoint shards that cover it', async () => {
    const first = await batchJson([image, '--all-releases', '--shard', '1/2', ...base]);
    const second = await batchJson([image, '--all-releases', '--shard', '2/2', ...base]);
    expect(first.lines.map(versionOf)).toEqual(['v1.1.2', 'v0.7.0']);
    expect(second.lines.map(versionOf)).toEqual(['v0.8.0']);
    expect([first.code, second.code]).toEqual([1, 0]);
  });

  it('shards a list of references too', async () => {
    const { code, lines } = await batchJson([
      'v1.1.2',
      'v0.8.0',
      'v0.7.0',
      '--shard',
      '2/3',
      '--image',
      image,
      ...base,
    ]);
    expect(lines.map(versionOf)).toEqual(['v0.8.0']);
    expect(code).toBe(0);
  });

  it('ends with exit 3 and one JSON document when no release matches --releases', async () => {
    const run = await cli(['--releases', '>=v5.0.0', '--image', image, ...base, '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({
      verified: false,
      error: {
        code: 'NOT_FOUND',
        message: expect.stringContaining('expected a release in the range ">=v5.0.0"') as unknown,
      },
    });
  });

  it.each([
    [['--releases', '>=1', '--all-releases'], 'expected --releases <range> or --all-releases, not both'],
    [['--releases', 'newest'], 'expected --releases to be a semver range'],
    [['--all-releases', 'v1.1.2'], '--all-releases picks the releases of one image'],
    [['--all-releases', '--tag', 'latest'], '--all-releases picks the releases of one image'],
    [['--all-releases', 'a.io/b/c:v1'], 'expected an image without tag or digest'],
    [['--all-releases', 'a.io/b/c', 'a.io/b/d'], 'expected at most one image reference, got 2'],
    [['v1.1.2', 'v0.8.0', '--sbom-out', 'sbom.json'], 'expected --sbom-out with one release'],
    [['v1.1.2', '--shard', '2/2'], 'expected --shard 2/2 to select a release, got none of 1'],
    [['--shard', '0/2'], 'expected i/n with 1 ≤ i ≤ n'],
  ])('refuses %j before any network work (exit 2)', async (args, message) => {
    const run = await cli([...args, ...base]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});

describe('one session for the whole batch', () => {
  const REPO = 'natrontech/gcp-mysql-backup';
  let authReg: TestRegistry;
  let proxy: FaultServer;

  beforeAll(async () => {
    authReg = await startRegistry({ auth: 'token' });
    await mintRelease(authReg, sigstore, { repo: REPO, tag: 'v1.1.2', signedAt: new Date('2026-06-25T10:20:00Z') });
    // Tokens come from the real registry's realm, through the recording pass-through.
    proxy = await startRecordingProxy(authReg.host);
  });

  afterAll(async () => {
    await proxy?.stop();
    await authReg?.stop();
  });

  it('asks for one token per repository and reads each blob once, however many releases run at once', async () => {
    authReg.tokenServer!.requests.length = 0;
    const { code, lines } = await batchJson(['v1.1.2', 'latest', '1.1.2', '--image', `${proxy.host}/${REPO}`, ...base]);
    expect(lines.map((line) => reportSchema.parse(line).verified)).toEqual([true, true, true]);
    expect(code).toBe(0);
    const pulls = authReg.tokenServer!.requests.filter((request) => request.scopes.includes(`repository:${REPO}:pull`));
    expect(pulls).toHaveLength(1);
    const blobs = proxy.requests
      .filter((request) => request.method === 'GET' && request.path.includes('/blobs/'))
      .map((request) => request.path);
    expect(blobs.length).toBeGreaterThan(0);
    expect(blobs.filter((path, index) => blobs.indexOf(path) !== index)).toEqual([]);
  });
});
