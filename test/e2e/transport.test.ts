import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_INDEX } from '../../src/registry/index.js';
import { sendError, sendJson, sendManifest } from '../support/fault-server.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { mintRelease } from '../support/releases.js';
import { createTestSigstore } from '../support/test-sigstore/index.js';
import { repoRoot } from '../support/corpus.js';
import { PUBLIC_GOOD_ROOT, TINY_INDEX, TINY_REPO } from '../support/tiny-release.js';
import { cli, cliJson, statuses } from './helpers.js';

// The registry transport is node:http rather than fetch because fetch makes Node 20 load its whole undici bundle on
// first use (70-100 ms of a cold run); node:child_process (commander's and the credential helpers') is loaded only to
// spawn; promise-based fs (with the readline interface it loads) only by commands that write or read layouts.
// Preloaded into the CLI's process, this module reports on exit whether each was loaded; it is checked against
// processes that do load them, so a renamed internal module cannot pass unnoticed.
const LAZY_MODULES = {
  undici: 'NativeModule internal/deps/undici/undici',
  child_process: 'NativeModule child_process',
  'fs/promises': 'NativeModule internal/fs/promises',
};
// A CommonJS preload (--require): an --import probe would start Node's ESM loader, which loads fs/promises itself.
// It also reports whether the bundle's lazily required part noble.cjs (the NIST curves) was loaded.
const LOAD_PROBE_SOURCE =
  'const { writeSync } = require("node:fs");' +
  'process.on("exit", () => { for (const [name, id] of Object.entries(' +
  JSON.stringify(LAZY_MODULES) +
  ')) writeSync(2, name + " loaded: " + process.moduleLoadList.includes(id) + "\\n");' +
  'writeSync(2, "noble.cjs loaded: " + Object.keys(require.cache).some((path) => path.endsWith("noble.cjs")) + "\\n"); });';
let loadProbe: string;
const CONFORMANCE_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';

let reg: TestRegistry;
let trustedRoot: string;

beforeAll(async () => {
  reg = await startRegistry();
  const sigstore = await createTestSigstore();
  const dir = await mkdtemp(join(tmpdir(), 'verify-release-transport-'));
  trustedRoot = await sigstore.writeTrustedRoot(dir);
  await writeFile(join(dir, 'load-probe.cjs'), LOAD_PROBE_SOURCE);
  loadProbe = `--require=${join(dir, 'load-probe.cjs')}`;
  await mintRelease(reg, sigstore, { repo: 'acme/app', tag: 'v1.0.0' });
});

afterAll(async () => {
  await reg?.stop();
});

/** The tiny release on a node:http server that records, for each request in order, which connection it came on. */
async function serveTinyRelease(): Promise<Server & { connectionOf: number[] }> {
  const sockets = new Map<Socket, number>();
  const connectionOf: number[] = [];
  const server = createServer((req, res) => {
    connectionOf.push(sockets.get(req.socket) ?? 0);
    const path = new URL(req.url ?? '/', 'http://registry').pathname;
    if (path === `/v2/${TINY_REPO}/tags/list`) return sendJson(res, 200, { name: TINY_REPO, tags: ['v1.0.0'] });
    if (path.startsWith(`/v2/${TINY_REPO}/manifests/`)) return sendManifest(res, TINY_INDEX.bytes, OCI_INDEX);
    sendError(res, 404, 'NAME_UNKNOWN', 'not here');
  });
  server.on('connection', (socket: Socket) => sockets.set(socket, sockets.size + 1));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return Object.assign(server, { connectionOf });
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

describe('the registry transport', () => {
  it('never loads undici (fetch), node:child_process nor fs/promises, through signature, provenance and SBOM', async () => {
    const control = spawnSync(
      process.execPath,
      ['-e', 'void Headers; require("node:child_process"); require("node:fs/promises")'],
      {
        env: { PATH: process.env.PATH, NODE_OPTIONS: loadProbe },
        encoding: 'utf8',
      },
    );
    expect(control.stderr).toContain('undici loaded: true');
    expect(control.stderr).toContain('child_process loaded: true');
    expect(control.stderr).toContain('fs/promises loaded: true');

    const run = await cliJson(
      [
        'v1.0.0',
        '--image',
        `${reg.host}/acme/app`,
        '--trusted-root',
        trustedRoot,
        '--checks',
        'resolve,signature,provenance,sbom',
      ],
      { NODE_OPTIONS: loadProbe },
    );
    expect(statuses(run.report)).toEqual({ resolve: 'pass', signature: 'pass', provenance: 'pass', sbom: 'pass' });
    expect(run.stderr).toContain('undici loaded: false');
    expect(run.stderr).toContain('child_process loaded: false');
    expect(run.stderr).toContain('fs/promises loaded: false');
    expect(run.stderr).toContain('noble.cjs loaded: false');
  });

  it('loads the NIST curves (noble.cjs) to verify a signature over a bare digest, and verifies it', async () => {
    const cases = join(repoRoot, 'fixtures/realworld/sigstore-conformance/test/assets/bundle-verify');
    const artifact = createHash('sha256')
      .update(await readFile(join(cases, 'a.txt')))
      .digest('hex');
    const run = await cli(
      [
        'verify-bundle',
        '--bundle',
        join(cases, 'happy-path-v0.3/bundle.sigstore.json'),
        '--certificate-identity',
        CONFORMANCE_IDENTITY,
        '--certificate-oidc-issuer',
        'https://token.actions.githubusercontent.com',
        `sha256:${artifact}`,
      ],
      // Offline: TUF at a closed loopback port, so the root embedded in @sigstore/tuf is used.
      {
        NODE_OPTIONS: loadProbe,
        TUF_MIRROR: 'http://127.0.0.1:9',
        TUF_ROOT: await mkdtemp(join(tmpdir(), 'verify-release-tuf-')),
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('noble.cjs loaded: true');
  });

  it('reuses connections', async () => {
    const server = await serveTinyRelease();
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await cli([
        '--image',
        `${host}/${TINY_REPO}`,
        '--trusted-root',
        PUBLIC_GOOD_ROOT,
        '--checks',
        'resolve',
      ]);
      expect(run.code, run.stderr).toBe(0);
      // The tag list, then the release's manifest: one after the other, on one connection. Discovery's lookups
      // then run side by side, on as many connections as are busy at once.
      expect(server.connectionOf.slice(0, 2)).toEqual([1, 1]);
      expect(new Set(server.connectionOf).size).toBeLessThan(server.connectionOf.length);
    } finally {
      await stop(server);
    }
  });

  it("leaves no idle connection keeping a library user's process alive", async () => {
    const server = await serveTinyRelease();
    // Idle connections are never closed by this server: a process whose idle sockets held it would never exit.
    server.keepAliveTimeout = 0;
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const library = pathToFileURL(join(repoRoot, 'dist/index.js')).href;
      const script = `import { RegistryClient } from ${JSON.stringify(library)};
        const client = new RegistryClient({ env: {} });
        const repo = { registry: ${JSON.stringify(host)}, repository: ${JSON.stringify(TINY_REPO)} };
        const manifest = await client.getManifest(repo, 'v1.0.0');
        console.log(manifest.digest);`;
      // Async: this process serves the registry while the child runs.
      const child = await new Promise<{ stdout: string; stderr: string; signal: NodeJS.Signals | null }>((done) => {
        const spawned = execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          // Generous: a child held open by its sockets is killed here rather than hanging the suite.
          { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 30_000 },
          (_error, stdout, stderr) => done({ stdout, stderr, signal: spawned.signalCode }),
        );
      });
      expect(child.stderr).toBe('');
      expect(child.signal).toBeNull();
      expect(child.stdout.trim()).toBe(TINY_INDEX.digest);
    } finally {
      await stop(server);
    }
  });
});
