import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/report/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore } from '../support/test-sigstore/index.js';
import { mintGcpMysqlBackupHistory, mintPbsExporterLike, mintRelease } from '../support/releases.js';
import { cli, cliJson, statuses, type CliRun } from './helpers.js';

/** One release verified online, saved, and verified again from its layout with the registry gone. */
interface Scenario {
  name: string;
  version: string;
  /** Where to find it online (`--image`) and what else to search: the layout run gets `search` only. */
  image: string;
  search: string[];
  online?: Report;
  save?: CliRun;
  layout: string;
}

// Each test runs the CLI several times, each a whole verification (CUE start-up included).
vi.setConfig({ testTimeout: 300_000 });

let reg: TestRegistry | undefined;
let work: string;
let trustedRoot: string;
const scenarios: Scenario[] = [];
/** save runs that must refuse (or, forced, succeed), made while the registry is up. */
const refused: {
  nonEmpty?: string;
  nonEmptyRun?: CliRun;
  forced?: CliRun;
  unverifiedRun?: CliRun;
  allowedRun?: CliRun;
} = {};

function digestOf(run: CliRun): string {
  const match = /--trusted-root-digest (sha256:[a-f0-9]{64})/.exec(run.stdout);
  if (!match) throw new Error(`expected save to print the trusted root digest, got: ${run.stdout}\n${run.stderr}`);
  return match[1]!;
}

beforeAll(async () => {
  const registry = await startRegistry();
  reg = registry;
  const sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-save-'));
  trustedRoot = await sigstore.writeTrustedRoot(work);
  await mintGcpMysqlBackupHistory(registry, sigstore);
  await mintRelease(registry, sigstore, {
    repo: 'acme/legacy',
    tag: 'v1.0.0',
    signature: 'legacy',
    sbom: 'legacy-in-att',
  });
  await mintPbsExporterLike(registry, sigstore);
  const host = registry.host;
  scenarios.push(
    {
      name: 'bundle signature and SBOM, legacy provenance (gcp-mysql-backup v1.1.2)',
      version: 'v1.1.2',
      image: `${host}/natrontech/gcp-mysql-backup`,
      search: [],
      layout: join(work, 'v1.1.2'),
    },
    {
      name: 'legacy .sig and one .att (gcp-mysql-backup v0.8.0)',
      version: 'v0.8.0',
      image: `${host}/natrontech/gcp-mysql-backup`,
      search: [],
      layout: join(work, 'v0.8.0'),
    },
    {
      name: 'legacy only (acme/legacy)',
      version: 'v1.0.0',
      image: `${host}/acme/legacy`,
      search: [],
      layout: join(work, 'legacy'),
    },
    {
      name: 'evidence in separate repositories (pbs-exporter v0.8.0)',
      version: 'v0.8.0',
      image: `${host}/natrontech/pbs-exporter`,
      search: [
        '--signature-repository',
        `${host}/natrontech/signatures`,
        '--provenance-repository',
        `${host}/natrontech/signatures`,
        '--sbom-repository',
        `${host}/natrontech/sbom`,
      ],
      layout: join(work, 'pbs'),
    },
  );
  for (const scenario of scenarios) {
    const args = [scenario.version, '--image', scenario.image, '--trusted-root', trustedRoot, ...scenario.search];
    scenario.online = (await cliJson(args)).report;
    scenario.save = await cli(['save', ...args, '--output', scenario.layout]);
  }
  // What save refuses needs the registry too.
  refused.nonEmpty = await mkdtemp(join(work, 'non-empty-'));
  await writeFile(join(refused.nonEmpty, 'keep'), 'x');
  const v112 = ['v1.1.2', '--image', `${host}/natrontech/gcp-mysql-backup`, '--trusted-root', trustedRoot];
  refused.nonEmptyRun = await cli(['save', ...v112, '--output', refused.nonEmpty]);
  refused.forced = await cli(['save', ...v112, '--output', refused.nonEmpty, '--force']);
  const unsigned = ['v0.7.0', '--image', `${host}/natrontech/gcp-mysql-backup`, '--trusted-root', trustedRoot];
  refused.unverifiedRun = await cli(['save', ...unsigned, '--output', join(work, 'unsigned')]);
  refused.allowedRun = await cli([
    'save',
    ...unsigned,
    '--output',
    join(work, 'unsigned-allowed'),
    '--allow-unverified',
  ]);
  // Everything below runs with no registry at all.
  await registry.stop();
  reg = undefined;
}, 900_000);

afterAll(async () => {
  await reg?.stop();
});

describe('save, then verify from the layout with the registry stopped', () => {
  it('saves every scenario release and prints the trusted root digest', () => {
    for (const scenario of scenarios) {
      expect(scenario.save?.code, `${scenario.name}: ${scenario.save?.stderr}`).toBe(0);
      expect(scenario.online?.verified, scenario.name).toBe(true);
      expect(digestOf(scenario.save!)).toMatch(/^sha256:/);
    }
  });

  it('gives the same JSON report as the online run, for every scenario (--trusted-root)', async () => {
    for (const scenario of scenarios) {
      const { code, report } = await cliJson([
        '--layout',
        scenario.layout,
        scenario.version,
        '--trusted-root',
        trustedRoot,
        ...scenario.search,
      ]);
      expect(report, scenario.name).toEqual(scenario.online);
      expect(code, scenario.name).toBe(0);
    }
  });

  it("gives the same report with the layout's copy of the root, selected by its digest", async () => {
    for (const scenario of scenarios) {
      const digest = digestOf(scenario.save!);
      const { code, report } = await cliJson([
        '--layout',
        scenario.layout,
        scenario.version,
        '--trusted-root-digest',
        digest,
        ...scenario.search,
      ]);
      expect(report, scenario.name).toEqual(scenario.online);
      expect(code, scenario.name).toBe(0);
    }
  });

  it('resolves latest inside the layout to the saved release', async () => {
    const scenario = scenarios[0]!;
    const { code, report } = await cliJson(['--layout', scenario.layout, '--trusted-root', trustedRoot]);
    expect(report.target).toEqual(scenario.online!.target);
    expect(code).toBe(0);
  });

  it('takes oci-layout://<dir> as a reference, the same as --layout', async () => {
    const scenario = scenarios[0]!;
    const { code, report } = await cliJson([
      `oci-layout://${scenario.layout}`,
      'v1.1.2',
      '--trusted-root',
      trustedRoot,
      ...scenario.search,
    ]);
    expect(report).toEqual(scenario.online);
    expect(code).toBe(0);
  });

  it('records where every piece came from', async () => {
    const scenario = scenarios[3]!;
    const provenance = JSON.parse(await readFile(join(scenario.layout, 'verify-release-layout.json'), 'utf8'));
    const repositories = new Set(provenance.pieces.map((piece: { repository: string }) => piece.repository));
    expect(repositories).toEqual(
      new Set([
        scenario.image,
        scenario.search[1],
        scenario.search[5],
        '', // the trusted root
      ]),
    );
    const index = JSON.parse(await readFile(join(scenario.layout, 'index.json'), 'utf8'));
    expect(index.annotations['dev.verify-release.image']).toBe(scenario.image);
    expect(JSON.parse(await readFile(join(scenario.layout, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
  });
});

describe('the layout never vouches for itself', () => {
  it('a swapped trusted root is refused by digest, and without a root the embedded public-good one fails', async () => {
    const scenario = scenarios[0]!;
    const digest = digestOf(scenario.save!);
    const swapped = join(work, 'swapped');
    await cp(scenario.layout, swapped, { recursive: true });
    // Whoever can write the directory replaces the root's file with one of their choosing.
    const seeds = createRequire(import.meta.url)('@sigstore/tuf/seeds.json') as Record<
      string,
      { targets: Record<string, string> }
    >;
    const publicGood = Buffer.from(seeds['https://tuf-repo-cdn.sigstore.dev']!.targets['trusted_root.json']!, 'base64');
    await writeFile(join(swapped, 'blobs', 'sha256', digest.slice(7)), publicGood);

    const byDigest = await cli(['--layout', swapped, 'v1.1.2', '--trusted-root-digest', digest, '--json']);
    expect(byDigest.code).toBe(2);
    expect(JSON.parse(byDigest.stdout)).toMatchObject({ verified: false, error: { code: 'TRUST_ROOT_ERROR' } });
    expect(byDigest.stderr).toContain(digest);

    const embedded = await cliJson(['--layout', swapped, 'v1.1.2']);
    expect(embedded.report.verified).toBe(false);
    expect(statuses(embedded.report).signature).toBe('fail');
    expect(embedded.code).toBe(1);

    const outside = await cliJson(['--layout', swapped, 'v1.1.2', '--trusted-root', trustedRoot]);
    expect(outside.report).toEqual(scenario.online);
  });
});

describe('tampered layout files are rejected with the digest named', () => {
  async function tamperedCopy(
    name: string,
    pick: (pieces: Piece[]) => Piece,
  ): Promise<{ dir: string; digest: string }> {
    const scenario = scenarios[0]!;
    const dir = join(work, name);
    await cp(scenario.layout, dir, { recursive: true });
    const provenance = JSON.parse(await readFile(join(dir, 'verify-release-layout.json'), 'utf8'));
    const piece = pick(provenance.pieces as Piece[]);
    const file = join(dir, 'blobs', 'sha256', piece.digest.slice(7));
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0x01, bytes.length - 2);
    await writeFile(file, bytes);
    return { dir, digest: piece.digest };
  }

  it('an evidence blob', async () => {
    const { dir, digest } = await tamperedCopy(
      'tampered-blob',
      (pieces) => pieces.filter((piece) => piece.kind === 'evidence-layer').sort((a, b) => b.size - a.size)[0]!,
    );
    const { code, report } = await cliJson(['--layout', dir, 'v1.1.2', '--trusted-root', trustedRoot]);
    expect(code).toBe(3);
    expect(report.verified).toBe(false);
    expect(JSON.stringify(report.checks)).toContain(digest);
  });

  it('the release index', async () => {
    const { dir, digest } = await tamperedCopy('tampered-index', (pieces) =>
      pieces.find((piece) => piece.kind === 'release')!,
    );
    const { code, report } = await cliJson(['--layout', dir, 'v1.1.2', '--trusted-root', trustedRoot]);
    expect(code).toBe(3);
    expect(report.verified).toBe(false);
    expect(report.checks[0]!.reason).toContain(digest);
  });
});

describe('what save refuses', () => {
  it('a non-empty output directory without --force (exit 2, left alone), and replaces it with --force', async () => {
    expect(refused.nonEmptyRun?.code).toBe(2);
    expect(refused.nonEmptyRun?.stderr).toContain('--force');
    expect(refused.forced?.code).toBe(0);
    expect((await readdir(refused.nonEmpty!)).sort()).toEqual(
      ['blobs', 'index.json', 'oci-layout', 'verify-release-layout.json'].sort(),
    );
  });

  it('a release that does not verify, unless --allow-unverified (which still exits non-zero)', async () => {
    expect(refused.unverifiedRun?.code).toBe(1);
    expect(refused.unverifiedRun?.stdout).toContain('not written');
    await expect(readdir(join(work, 'unsigned'))).rejects.toThrow();
    expect(refused.allowedRun?.code).toBe(1);
    expect(await readdir(join(work, 'unsigned-allowed'))).toContain('index.json');
    // Nothing is left behind in the parent directory but the layouts themselves.
    expect((await readdir(work)).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

interface Piece {
  kind: string;
  digest: string;
  size: number;
  repository: string;
}
