import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/model/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/registry/index.js';
import { type Report } from '../../src/report/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { PUBLIC_GOOD_ROOT, TINY_INDEX, TINY_REPO } from '../support/tiny-release.js';
import {
  jsonBytes,
  sendError,
  sendJson,
  sendManifest,
  startFaultServer,
  type FaultHandler,
  type FaultServer,
} from '../support/fault-server.js';
import { BIN } from '../support/bundled-cli.js';
import { filledArray, tagPage } from '../support/hostile.js';
import { cli, reason, statuses, type CliRun } from './helpers.js';

// The CLI against registries that try to make a run last forever (issue 7, item 6) or exhaust its memory (item 5):
// whatever they do, the run ends with exit 3 and a one-line reason, by its deadline and in bounded memory.
const REPO_ROOT = resolve(import.meta.dirname, '../..');
const MAX_RSS_BYTES = 400 * 1024 * 1024;
const REPO = TINY_REPO;
const PUBLIC_GOOD = PUBLIC_GOOD_ROOT;
const INDEX = TINY_INDEX;

let work: string;
let offlineEnv: NodeJS.ProcessEnv;
const servers: FaultServer[] = [];

async function serve(handler: FaultHandler): Promise<FaultServer> {
  const server = await startFaultServer(handler);
  servers.push(server);
  return server;
}

async function runJson(args: string[]): Promise<CliRun & { report: Report }> {
  const result = await cli([...args, '--trusted-root', PUBLIC_GOOD, '--json'], offlineEnv);
  expect(result.stderr).not.toContain('    at ');
  return { ...result, report: reportSchema.parse(JSON.parse(result.stdout)) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'verify-release-hostile-'));
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const { port } = closed.address() as { port: number };
  await new Promise<void>((done) => closed.close(() => done()));
  offlineEnv = { TUF_MIRROR: `http://127.0.0.1:${port}`, TUF_ROOT: join(work, 'tuf') };
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the run deadline (--timeout)', () => {
  it('ends a registry that answers every request with 503 Retry-After: 30 by the deadline, naming the step', async () => {
    const server = await serve((_req, res) =>
      sendError(res, 503, 'UNAVAILABLE', 'come back later', { 'retry-after': '30' }),
    );
    const result = await runJson(['--image', `${server.host}/${REPO}`, '--timeout', '2', '--checks', 'resolve']);
    expect(result.code).toBe(3);
    expect(statuses(result.report)).toEqual({ resolve: 'error' });
    expect(reason(result.report, 'resolve')).toBe(
      'expected the run to finish within 2 s (--timeout), got past that deadline while running step "resolve"',
    );
    // No wait is started that would end past the deadline: one request, no retries slept through.
    expect(server.requests).toHaveLength(1);
  });

  it('aborts a request in flight when the deadline passes, whatever --request-timeout allows', async () => {
    const server = await serve((_req, res, url) => {
      if (url.pathname === `/v2/${REPO}/tags/list`) return sendJson(res, 200, { tags: ['v1.0.0'] });
      if (url.pathname === `/v2/${REPO}/manifests/v1.0.0`) return sendManifest(res, INDEX.bytes, OCI_INDEX);
      // Evidence lookups never answer.
      return new Promise(() => undefined);
    });
    const result = await runJson([
      '--image',
      `${server.host}/${REPO}`,
      '--timeout',
      '1',
      '--request-timeout',
      '600',
      '--checks',
      'resolve,signature',
    ]);
    expect(result.code).toBe(3);
    expect(statuses(result.report)).toEqual({ resolve: 'pass', signature: 'error' });
    expect(reason(result.report, 'signature')).toBe(
      'expected the run to finish within 1 s (--timeout), got past that deadline while running step "discover"',
    );
  });
});

/** Runs the built CLI as its own process and reads its peak RSS (ru_maxrss) through the bench preload. */
async function spawnCli(args: string[]): Promise<CliRun & { report: Report; maxRssBytes: number }> {
  const rssFile = join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const child = spawn(
    process.execPath,
    ['--require', join(REPO_ROOT, 'scripts/bench/max-rss.cjs'), BIN, ...args, '--trusted-root', PUBLIC_GOOD, '--json'],
    {
      env: {
        PATH: process.env.PATH,
        HOME: work,
        DOCKER_CONFIG: join(work, 'docker'),
        VERIFY_RELEASE_BENCH_RSS_FILE: rssFile,
        ...offlineEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number>((done, fail) => {
    child.on('error', fail);
    child.on('close', (exit) => done(exit ?? -1));
  });
  expect(stderr).not.toContain('    at ');
  const report = reportSchema.parse(JSON.parse(stdout));
  // The preload writes GNU time's `%M %U %S`: peak RSS in KiB, then user and system seconds.
  const maxRssBytes = Number((await readFile(rssFile, 'utf8')).split(' ')[0]) * 1024;
  return { code, stdout, stderr, report, maxRssBytes };
}

/** A registry whose release has `count` bundle referrers that all share one layer. */
async function serveSharedLayer(
  layer: Uint8Array,
  count: number,
): Promise<{ server: FaultServer; layerDigest: string }> {
  const layerDigest = sha256Digest(layer);
  const empty = new TextEncoder().encode('{}');
  const referrers = Array.from({ length: count }, (_, i) =>
    jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 },
      layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: layerDigest, size: layer.length }],
      annotations: { n: String(i) },
    }),
  );
  const server = await serve((_req, res, url) => {
    if (url.pathname === `/v2/${REPO}/tags/list`) return sendJson(res, 200, { tags: ['v1.0.0'] });
    if (url.pathname === `/v2/${REPO}/manifests/v1.0.0` || url.pathname === `/v2/${REPO}/manifests/${INDEX.digest}`)
      return sendManifest(res, INDEX.bytes, OCI_INDEX);
    if (url.pathname === `/v2/${REPO}/referrers/${INDEX.digest}`) {
      const manifests = referrers.map((r) => ({ mediaType: OCI_MANIFEST, digest: r.digest, size: r.size }));
      return sendJson(res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, { 'content-type': OCI_INDEX });
    }
    const referrer = referrers.find((r) => url.pathname === `/v2/${REPO}/manifests/${r.digest}`);
    if (referrer) return sendManifest(res, referrer.bytes, OCI_MANIFEST);
    if (url.pathname === `/v2/${REPO}/blobs/${layerDigest}`)
      return res.writeHead(200, { 'content-length': String(layer.length) }).end(layer);
    return sendError(res, 404, 'MANIFEST_UNKNOWN', 'not here');
  });
  return { server, layerDigest };
}

describe('hostile listings and layers, through the built CLI: exit 3, "too large", peak RSS under 400 MB', () => {
  it.each([
    { name: '{"tags":[{},{},…]}', page: tagPage(4 * 1024 * 1024, '{}'), requests: 1 },
    { name: 'strings that are not tags', page: tagPage(4 * 1024 * 1024, `"${'!'.repeat(4000)}"`), requests: 17 },
  ])('1,000 hostile 4 MiB tag pages of $name', async ({ page, requests }) => {
    const server = await serve((_req, res, url) => {
      const n = Number(url.searchParams.get('last') ?? '0');
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'content-length': String(page.length),
      };
      if (n < 999) headers.link = `</v2/${REPO}/tags/list?n=1000&last=${n + 1}>; rel="next"`;
      res.writeHead(200, headers).end(page);
    });
    const result = await spawnCli(['latest', '--image', `${server.host}/${REPO}`, '--checks', 'resolve']);
    expect(result.code).toBe(3);
    expect(reason(result.report, 'resolve')).toMatch(/^tag list of .* is too large: expected at most /);
    expect(server.requests).toHaveLength(requests);
    expect(result.maxRssBytes).toBeGreaterThan(0);
    expect(result.maxRssBytes).toBeLessThan(MAX_RSS_BYTES);
  });

  it('four referrers sharing one 127 MiB [{},…] bundle layer', async () => {
    const { server, layerDigest } = await serveSharedLayer(filledArray(127 * 1024 * 1024, '{}'), 4);
    const result = await spawnCli([
      'latest',
      '--image',
      `${server.host}/${REPO}`,
      '--checks',
      'resolve,signature',
      '--max-blob-size',
      String(128 * 1024 * 1024),
    ]);
    expect(result.code).toBe(3);
    expect(statuses(result.report)).toEqual({ resolve: 'pass', signature: 'error' });
    expect(reason(result.report, 'signature')).toBe(
      `could not read evidence: blob ${server.host}/${REPO}@${layerDigest} is too large: expected at most 1000000 JSON values, got more`,
    );
    expect(server.requests.filter((r) => r.path.includes('/blobs/'))).toHaveLength(1);
    expect(result.maxRssBytes).toBeLessThan(MAX_RSS_BYTES);
  });

  it('one well-formed bundle layer holding a string just under the default --max-blob-size', async () => {
    const size = 64 * 1024 * 1024 - 1024;
    const layer = new TextEncoder().encode(`{"mediaType":"${'A'.repeat(size - 20)}"}`);
    const { server } = await serveSharedLayer(layer, 1);
    const result = await spawnCli(['latest', '--image', `${server.host}/${REPO}`, '--checks', 'resolve,signature']);
    expect(result.code).not.toBe(0);
    expect(statuses(result.report).signature).not.toBe('pass');
    expect(result.maxRssBytes).toBeLessThan(MAX_RSS_BYTES);
  });
});
