import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/model/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/registry/index.js';
import { reportSchema, type Report } from '../../src/report/index.js';
import { corpusDir } from '../support/corpus.js';
import {
  jsonBytes,
  sendError,
  sendJson,
  sendManifest,
  startFaultServer,
  type FaultHandler,
  type FaultServer,
} from '../support/fault-server.js';
import { cli, reason, statuses, type CliRun } from './helpers.js';

// The CLI against registries that try to make a run last forever (issue 7, item 6): whatever they do, the run ends by
// its --timeout deadline with exit 3 and a reason naming the step that was running.
const REPO = 'natrontech/gcp-mysql-backup';
const PUBLIC_GOOD = join(corpusDir(), 'trusted-roots/public-good.trusted_root.json');
const INDEX = jsonBytes({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode('amd64')),
      size: 5,
      platform: { os: 'linux', architecture: 'amd64' },
    },
  ],
});

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
