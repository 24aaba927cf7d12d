/**
 * `npm run bench`: process-level timings of the built CLI against a real loopback docker-registry holding a
 * gcp-mysql-backup-like history signed by the test Sigstore, plus an in-process verify-bundle loop over the
 * sigstore-conformance cases. Usage: `npm run bench -- --runs 20` (default 10, or $BENCH_RUNS).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyBundleCommand, type VerifyBundleOptions } from '../src/commands/verify-bundle.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { mintGcpMysqlBackupHistory } from '../test/support/releases.js';
import { createTestSigstore } from '../test/support/test-sigstore/index.js';

// Compiled to dist-bench/scripts/bench.js, so the repository root is two levels up.
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/verify-release.js');
const PRELOAD = join(ROOT, 'scripts/bench/max-rss.cjs');
const GNU_TIME = '/usr/bin/time';
const CONFORMANCE = join(ROOT, 'fixtures/realworld/sigstore-conformance/test/assets/bundle-verify');
const PUBLIC_GOOD = join(ROOT, 'fixtures/realworld/trusted-roots/public-good.trusted_root.json');
const BEACON_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const BEACON_ISSUER = 'https://token.actions.githubusercontent.com';

interface Sample {
  ms: number;
  rssKb: number;
}

/** Spawns the built CLI once; wall time is measured here, peak RSS by GNU time (or the preload when it is missing). */
async function runCli(args: string[], work: string): Promise<Sample> {
  const rssFile = join(work, 'max-rss');
  await rm(rssFile, { force: true });
  const [command, argv] = existsSync(GNU_TIME)
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args]]
    : [process.execPath, ['--require', PRELOAD, CLI, ...args]];
  // No user docker config, no colour: the same isolated environment the e2e tests use.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent',
    DOCKER_CONFIG: '/nonexistent',
    NO_COLOR: '1',
    VERIFY_RELEASE_BENCH_RSS_FILE: rssFile,
  };
  const start = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('error', fail);
      child.on('close', (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
    },
  );
  const ms = performance.now() - start;
  // A benchmark of a failing verification measures nothing useful: refuse it.
  if (code !== 0 || (JSON.parse(stdout) as { verified?: unknown }).verified !== true) {
    throw new Error(
      `expected exit 0 and a verified report from ${args.join(' ')}, got exit ${code}:\n${stdout}\n${stderr}`,
    );
  }
  // GNU time prefixes a status line on failure; the format's value is always the last line.
  const rssKb = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
  if (!Number.isFinite(rssKb) || rssKb <= 0) throw new Error(`expected a peak RSS in ${rssFile}, got ${rssKb}`);
  return { ms, rssKb };
}

/** The sigstore-conformance harness's arguments for one case (PATH form), as in test/corpus/conformance.test.ts. */
function conformanceArguments(name: string): VerifyBundleOptions {
  const dir = join(CONFORMANCE, name);
  const optional = (file: string): string | undefined =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
  const fileOrDigest = existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(CONFORMANCE, 'a.txt');
  const trustedRoot = existsSync(join(dir, 'trusted_root.json')) ? join(dir, 'trusted_root.json') : PUBLIC_GOOD;
  const bundle = join(dir, 'bundle.sigstore.json');
  if (existsSync(join(dir, 'key.pub'))) return { bundle, key: join(dir, 'key.pub'), trustedRoot, fileOrDigest };
  return {
    bundle,
    certificateIdentity: optional('identity') ?? BEACON_IDENTITY,
    certificateOidcIssuer: optional('issuer') ?? BEACON_ISSUER,
    trustedRoot,
    fileOrDigest,
  };
}

/** One pass over every case; throws if any case's outcome differs from its `_fail` suffix. Returns milliseconds. */
async function conformanceLoop(names: string[]): Promise<number> {
  const start = performance.now();
  for (const name of names) {
    const passed = await verifyBundleCommand(conformanceArguments(name)).then(
      () => true,
      () => false,
    );
    if (passed === name.endsWith('_fail'))
      throw new Error(`conformance case ${name}: expected ${passed ? 'failure' : 'success'}`);
  }
  return performance.now() - start;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

function row(label: string, samples: Sample[]): string[] {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const rss = samples.map((s) => s.rssKb / 1024);
  const f = (n: number): string => n.toFixed(0);
  return [label, f(median(ms)), f(quantile(ms, 0.9)), f(ms[0] ?? NaN), f(median(rss)), f(Math.max(...rss))];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(
    [
      line(header),
      `|${widths.map((w, i) => '-'.repeat(w + 1) + (i === 0 ? '-' : ':')).join('|')}|`,
      ...rows.map(line),
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: process.env.BENCH_RUNS ?? '10' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`expected --runs to be a positive integer, got ${values.runs}`);
  if (!existsSync(join(ROOT, 'dist/cli/main.js')))
    throw new Error('expected a built CLI in dist/, got none: run npm run build');

  const work = await mkdtemp(join(tmpdir(), 'verify-release-bench-'));
  let reg: TestRegistry | undefined;
  try {
    reg = await startRegistry();
    const sigstore = await createTestSigstore();
    const trustedRoot = await sigstore.writeTrustedRoot(work);
    await mintGcpMysqlBackupHistory(reg, sigstore);
    const base = [
      'latest',
      '--image',
      `${reg.host}/natrontech/gcp-mysql-backup`,
      '--trusted-root',
      trustedRoot,
      '--json',
    ];
    const configs = [
      { label: 'latest, all checks', args: base },
      {
        label: 'latest, --checks resolve,signature,provenance,sbom (no CUE)',
        args: [...base, '--checks', 'resolve,signature,provenance,sbom'],
      },
    ];
    const rows: string[][] = [];
    for (const { label, args } of configs) {
      await runCli(args, work); // one unmeasured warm-up run (page cache, registry)
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(await runCli(args, work));
      rows.push(row(label, samples));
    }

    const names = readdirSync(CONFORMANCE, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const cold = await conformanceLoop(names);
    const warm = median([await conformanceLoop(names), await conformanceLoop(names), await conformanceLoop(names)]);

    console.log(
      `verify-release bench: ${runs} runs per row after 1 warm-up; node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'})`,
    );
    console.log(`1-minute load average at the end: ${loadavg()[0]?.toFixed(1)} (other processes skew wall times)`);
    console.log(
      `peak RSS via ${existsSync(GNU_TIME) ? `${GNU_TIME} -f %M` : 'a --require preload reading process.resourceUsage().maxRSS'}\n`,
    );
    printTable(['built CLI as a process', 'median ms', 'p90 ms', 'min ms', 'median RSS MiB', 'max RSS MiB'], rows);
    console.log('');
    const perSecond = (ms: number): string => (names.length / (ms / 1000)).toFixed(0);
    printTable(
      [`verify-bundle in-process, ${names.length} conformance cases`, 'loop ms', 'cases/s'],
      [
        ['first loop (cold: module loading, JIT)', cold.toFixed(0), perSecond(cold)],
        ['warm loop (median of 3)', warm.toFixed(0), perSecond(warm)],
      ],
    );
  } finally {
    await reg?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
