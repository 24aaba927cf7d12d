/**
 * `npm run bench`: process-level timings of the built CLI against a real loopback docker-registry holding a
 * gcp-mysql-backup-like history signed by the test Sigstore, plus an in-process verify-bundle loop over the
 * sigstore-conformance cases. Usage: `npm run bench -- --runs 20` (default 10, or $BENCH_RUNS).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyBundleCommand, type VerifyBundleOptions } from '../src/commands/verify-bundle.js';
import type { TestRegistry } from '../test/support/registry.js';
import { startGcpMysqlBackupRegistry } from '../test/support/releases.js';
import { largeCyclonedxStatement } from '../test/support/large-sbom.js';

// Compiled to dist-bench/scripts/bench.js, so the repository root is two levels up.
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/verify-release.js');
const PRELOAD = join(ROOT, 'scripts/bench/max-rss.cjs');
const CUE_FLOOR = join(ROOT, 'scripts/bench/cue-floor.mjs');
const REGISTRY_FLOOR = join(ROOT, 'scripts/bench/registry-floor.cjs');
const GNU_TIME = '/usr/bin/time';
const CONFORMANCE = join(ROOT, 'fixtures/realworld/sigstore-conformance/test/assets/bundle-verify');
const PUBLIC_GOOD = join(ROOT, 'fixtures/realworld/trusted-roots/public-good.trusted_root.json');
const BEACON_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const BEACON_ISSUER = 'https://token.actions.githubusercontent.com';

interface Sample {
  ms: number;
  rssKb: number;
  /** User + system CPU time of the process (all its threads), from GNU time (10 ms steps) or the preload. */
  cpuMs: number;
}

/**
 * Spawns `node …nodeArgs` once; wall time is measured here, peak RSS and CPU time by GNU time (or the preload when it
 * is missing).
 * With `verified`, the run must print a verified JSON report.
 */
async function runNode(nodeArgs: string[], work: string, verified: boolean): Promise<Sample> {
  const rssFile = join(work, 'max-rss');
  await rm(rssFile, { force: true });
  const [command, argv] = existsSync(GNU_TIME)
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...nodeArgs]]
    : [process.execPath, ['--require', PRELOAD, ...nodeArgs]];
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
  if (code !== 0 || (verified && (JSON.parse(stdout) as { verified?: unknown }).verified !== true)) {
    throw new Error(
      `expected exit 0${verified ? ' and a verified report' : ''} from ${nodeArgs.join(' ')}, got exit ${code}:\n${stdout}\n${stderr}`,
    );
  }
  // GNU time prefixes a status line on failure; the format's values are always the last line: KiB, seconds, seconds.
  const last = (await readFile(rssFile, 'utf8')).trim().split('\n').pop() ?? '';
  const [rssKb, userS, systemS] = last.split(' ').map(Number);
  if (
    rssKb === undefined ||
    !Number.isFinite(rssKb) ||
    rssKb <= 0 ||
    !Number.isFinite((userS ?? NaN) + (systemS ?? NaN))
  )
    throw new Error(`expected peak RSS, user and system time in ${rssFile}, got ${JSON.stringify(last)}`);
  return { ms, rssKb, cpuMs: ((userS ?? 0) + (systemS ?? 0)) * 1000 };
}

/**
 * One unmeasured warm-up run of each row (page cache, registry), then `runs` rounds that run every row once: a
 * machine whose speed drifts during the bench (a shared VM) then moves all rows alike, not only the later ones.
 */
async function measureRows(
  rows: { label: string; args: string[]; verified: boolean }[],
  runs: number,
  work: string,
): Promise<Measured[]> {
  for (const { args, verified } of rows) await runNode(args, work, verified);
  const samples: Sample[][] = rows.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [index, { args, verified }] of rows.entries()) samples[index]?.push(await runNode(args, work, verified));
  }
  return rows.map(({ label }, index) => ({
    label,
    ms: (samples[index] ?? []).map((sample) => sample.ms),
    cpuMs: (samples[index] ?? []).map((sample) => sample.cpuMs),
    rssMb: (samples[index] ?? []).map((sample) => sample.rssKb / 1024),
  }));
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

interface Measured {
  label: string;
  ms: number[];
  cpuMs: number[];
  rssMb: number[];
}

function row(measured: Measured, nodeFloor: number, cueFloor: number): string[] {
  const ms = [...measured.ms].sort((a, b) => a - b);
  const f = (n: number): string => n.toFixed(0);
  const ratio = (n: number): string => `${n.toFixed(2)} ×`;
  return [
    measured.label,
    f(median(ms)),
    f(quantile(ms, 0.9)),
    ratio(median(ms) / nodeFloor),
    ratio(median(ms) / cueFloor),
    f(median(measured.cpuMs)),
    f(median(measured.rssMb)),
    f(Math.max(...measured.rssMb)),
  ];
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
  if (!existsSync(join(ROOT, 'dist/bundle/cli.cjs')))
    throw new Error('expected a built CLI in dist/bundle/, got none: run npm run build');

  const work = await mkdtemp(join(tmpdir(), 'verify-release-bench-'));
  let reg: TestRegistry | undefined;
  try {
    const started = await startGcpMysqlBackupRegistry(work);
    reg = started.reg;
    const { trustedRoot } = started;
    const base = [
      'latest',
      '--image',
      `${reg.host}/natrontech/gcp-mysql-backup`,
      '--trusted-root',
      trustedRoot,
      '--json',
    ];
    const configs = [
      { label: 'floor: node -e 1', args: ['-e', '1'], verified: false },
      { label: 'floor: cue-wasm init() + one parse', args: [CUE_FLOOR], verified: false },
      {
        label: "reference: node:http making the no-CUE run's requests, nothing else",
        // v1.1.2: the release `latest` resolves to in the minted history (test/support/releases.ts).
        args: [REGISTRY_FLOOR, reg.host, 'natrontech/gcp-mysql-backup', 'v1.1.2'],
        verified: false,
      },
      { label: 'verify-release -V', args: [CLI, '-V'], verified: false },
      {
        label: 'verify-release latest --checks resolve,signature,provenance,sbom (no CUE)',
        args: [CLI, ...base, '--checks', 'resolve,signature,provenance,sbom'],
        verified: true,
      },
      { label: 'verify-release latest (all six checks)', args: [CLI, ...base], verified: true },
    ];
    const measured = await measureRows(configs, runs, work);
    const [nodeFloor, cueFloor, , version, noCue, full] = measured.map((m) => median(m.ms)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const fullRss = median(measured[5]?.rssMb ?? []);

    const names = readdirSync(CONFORMANCE, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const cold = await conformanceLoop(names);
    const warm = median([await conformanceLoop(names), await conformanceLoop(names), await conformanceLoop(names)]);

    console.log(
      `verify-release bench: ${runs} runs per row, rows interleaved, after 1 warm-up each; node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'})`,
    );
    console.log(`1-minute load average at the end: ${loadavg()[0]?.toFixed(1)} (other processes skew wall times)`);
    console.log(
      `peak RSS and CPU time (user + system, all threads) via ${existsSync(GNU_TIME) ? `${GNU_TIME} -f '%M %U %S'` : 'a --require preload reading process.resourceUsage()'}\n`,
    );
    printTable(
      [
        'cold process',
        'median ms',
        'p90 ms',
        '× node -e 1',
        '× CUE floor',
        'median CPU ms',
        'median RSS MiB',
        'max RSS MiB',
      ],
      measured.map((m) => row(m, nodeFloor, cueFloor)),
    );
    const target = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    console.log(
      [
        '',
        `-V: ${(version / nodeFloor).toFixed(2)} × node -e 1 (target ≤ 2): ${target(version <= 2 * nodeFloor)}`,
        `no CUE: ${(noCue / nodeFloor).toFixed(2)} × node -e 1 (target ≤ 3.5): ${target(noCue <= 3.5 * nodeFloor)}`,
        `all six checks: ${(full / cueFloor).toFixed(2)} × the CUE floor (target ≤ 1.15), peak RSS ${fullRss.toFixed(0)} MiB (target ≤ 250): ${target(full <= 1.15 * cueFloor && fullRss <= 250)}`,
        '',
      ].join('\n'),
    );
    const perSecond = (ms: number): string => (names.length / (ms / 1000)).toFixed(0);
    printTable(
      [`verify-bundle in-process, ${names.length} conformance cases`, 'loop ms', 'cases/s'],
      [
        ['first loop (cold: module loading, JIT)', cold.toFixed(0), perSecond(cold)],
        ['warm loop (median of 3)', warm.toFixed(0), perSecond(warm)],
      ],
    );
    await policyBench(work, runs);
  } finally {
    await reg?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * `verify-release policy` at real SBOM size (issue 8): the bundled policy-sbom.cue on a generated 5,000-component
 * CycloneDX statement (about 6 MB) against a 1 KB one, and a policy that checks every component.
 */
async function policyBench(work: string, runs: number): Promise<void> {
  const small = join(work, 'sbom-1kb.json');
  const large = join(work, 'sbom-6mb.json');
  await writeFile(small, JSON.stringify(largeCyclonedxStatement(0)));
  await writeFile(large, JSON.stringify(largeCyclonedxStatement(5000)));
  const sizes = `${((await readFile(small)).length / 1024).toFixed(1)} KB and ${((await readFile(large)).length / 1024 / 1024).toFixed(1)} MB`;
  const sbomPolicy = join(ROOT, 'policies/policy-sbom.cue');
  const everyComponent = join(ROOT, 'fixtures/policies/policies/written/vulnerable-component.cue');
  const configs = [
    { label: 'policy-sbom.cue on a 1 KB statement', args: [CLI, 'policy', '--policy', sbomPolicy, small] },
    { label: 'policy-sbom.cue on a 5,000-component SBOM', args: [CLI, 'policy', '--policy', sbomPolicy, large] },
    {
      label: 'every-component policy on the same SBOM',
      args: [CLI, 'policy', '--policy', everyComponent, large],
    },
  ];
  const measured = await measureRows(
    configs.map((config) => ({ ...config, verified: false })),
    runs,
    work,
  );
  const [base = 0, big = 0, every = 0] = measured.map((m) => median(m.ms));
  const bigRss = Math.max(...(measured[1]?.rssMb ?? [0]));
  console.log(
    `\nverify-release policy (statements of ${sizes}), ${runs} runs per row, rows interleaved, after 1 warm-up each\n`,
  );
  printTable(
    ['cold process: verify-release policy', 'median ms', 'p90 ms', '× 1 KB run', 'median RSS MiB', 'max RSS MiB'],
    measured.map((m) => {
      const sorted = [...m.ms].sort((a, b) => a - b);
      const rss = [...m.rssMb].sort((a, b) => a - b);
      return [
        m.label,
        median(m.ms).toFixed(0),
        quantile(sorted, 0.9).toFixed(0),
        `${(median(m.ms) / base).toFixed(2)} ×`,
        median(m.rssMb).toFixed(0),
        (rss.at(-1) ?? 0).toFixed(0),
      ];
    }),
  );
  const target = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(
    [
      '',
      `6 MB SBOM: ${(big / base).toFixed(2)} × the 1 KB run (target ≤ 1.5), peak RSS ${bigRss.toFixed(0)} MiB (target < 300): ${target(big <= 1.5 * base && bigRss < 300)}`,
      `every component: ${(every / base).toFixed(2)} × the 1 KB run (target < 10): ${target(every < 10 * base)}`,
      '',
    ].join('\n'),
  );
}

await main();
