import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../src/model/digest.js';
import { OCI_INDEX } from '../../src/registry/index.js';
import { type Report } from '../../src/report/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { PUBLIC_GOOD_ROOT, TINY_INDEX, TINY_REPO } from '../support/tiny-release.js';
import { runBin } from '../support/bundled-cli.js';
import {
  sendError,
  sendJson,
  sendManifest,
  sendTruncated,
  startFaultServer,
  type FaultHandler,
  type FaultServer,
} from '../support/fault-server.js';
import { cli, reason, statuses, type CliRun } from './helpers.js';

const REPO = TINY_REPO;
const PUBLIC_GOOD = PUBLIC_GOOD_ROOT;

const INDEX = TINY_INDEX;

let work: string;
/** Never the real TUF repository: a closed loopback mirror and a private cache. */
let offlineEnv: NodeJS.ProcessEnv;
let closedPort: number;
const servers: FaultServer[] = [];

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function serve(handler: FaultHandler): Promise<FaultServer> {
  const server = await startFaultServer(handler);
  servers.push(server);
  return server;
}

/** A fault-server registry with `tags`, answering manifests through `manifest` (default: the index, honestly). */
function registryHandler(tags: string[], manifest?: FaultHandler): FaultHandler {
  return (req, res, url) => {
    if (url.pathname === '/v2/' || url.pathname === '/v2') return sendJson(res, 200, {});
    if (url.pathname === `/v2/${REPO}/tags/list`) return sendJson(res, 200, { name: REPO, tags });
    if (url.pathname.startsWith(`/v2/${REPO}/manifests/`)) {
      if (manifest) return manifest(req, res, url);
      return sendManifest(res, INDEX.bytes, OCI_INDEX);
    }
    return sendError(res, 404, 'NAME_UNKNOWN', 'not here');
  };
}

async function run(args: string[]): Promise<CliRun> {
  return cli(args, offlineEnv);
}

/** Runs with --json; asserts stdout is exactly one schema-valid report. */
async function runJson(args: string[]): Promise<CliRun & { report: Report }> {
  const result = await run([...args, '--json']);
  return { ...result, report: parseOneReport(result) };
}

function parseOneReport(result: CliRun): Report {
  expect(result.stdout.endsWith('\n'), `stdout: ${result.stdout}`).toBe(true);
  // One document: JSON.parse rejects anything after it, and the renderer never prints two.
  return reportSchema.parse(JSON.parse(result.stdout));
}

/** A usage error: exit 2, nothing on stdout, one line on stderr with `text`, no stack trace. */
/** Exit 2 with one line on stderr; stdout is empty, or with --json the one error document (json-errors.test.ts). */
function expectUsageError(result: CliRun, text: string | RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  if (result.stdout !== '') expect(JSON.parse(result.stdout)).toMatchObject({ verified: false, error: {} });
  expectOneLine(result.stderr, text);
}

function expectOneLine(stderr: string, text: string | RegExp): void {
  expect(stderr).toMatch(/^verify-release: [^\n]+\n$/);
  expect(stderr).not.toContain('    at ');
  if (typeof text === 'string') expect(stderr).toContain(text);
  else expect(stderr).toMatch(text);
}

/** Exit 3 with one report whose resolve check errored; returns the resolve reason. */
function expectIncomplete(result: CliRun & { report: Report }): string {
  expect(result.code, result.stdout + result.stderr).toBe(3);
  expect(result.stderr).not.toContain('    at ');
  expect(result.report.verified).toBe(false);
  expect(statuses(result.report).resolve).toBe('error');
  return reason(result.report, 'resolve');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'verify-release-failures-'));
  closedPort = await freePort();
  offlineEnv = { TUF_MIRROR: `http://127.0.0.1:${closedPort}`, TUF_ROOT: join(work, 'tuf') };
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('usage and configuration errors: exit 2, one line on stderr, nothing on stdout', () => {
  it('a malformed image reference', async () => {
    expectUsageError(
      await run(['--image', 'ghcr.io/Natron Tech/x']),
      'invalid image reference "ghcr.io/Natron Tech/x"',
    );
  });

  it('an unknown option', async () => {
    expectUsageError(await run(['--frobnicate']), "unknown option '--frobnicate'");
  });

  it('an unknown check id', async () => {
    expectUsageError(await run(['--checks', 'signature,telepathy']), 'expected check ids from resolve, signature');
  });

  it('an empty --checks', async () => {
    expectUsageError(await run(['--checks', ',']), 'expected check ids from');
  });

  it('a positional version that disagrees with --version', async () => {
    expectUsageError(
      await run(['v1.0.0', '--version', 'v1.1.0']),
      'expected one version, got "v1.0.0" and --version "v1.1.0"',
    );
  });

  it('a non-positive --timeout', async () => {
    expectUsageError(await run(['--timeout', '0']), 'expected a positive number, got "0"');
  });

  // AbortSignal.timeout takes whole milliseconds up to 2^31-1; anything else used to surface as a network failure.
  it('a --timeout finer than a millisecond or longer than a day', async () => {
    const image = `127.0.0.1:${closedPort}/${REPO}`;
    expectUsageError(
      await run(['--image', image, '--timeout', '1e9']),
      'expected a --timeout of at most 86400 seconds, got "1e9"',
    );
    const fine = await run(['--image', image, '--timeout', '0.0001', '--checks', 'resolve', '--json']);
    expect(fine.code).toBe(3);
    expect(fine.stdout).toContain(`127.0.0.1:${closedPort}`);
    expect(fine.stdout).not.toContain('ERR_OUT_OF_RANGE');
  });

  // The digest is verified whatever the version says, so a pinned version would silently not be checked.
  it('a pinned version or --tag beside an image digest', async () => {
    const image = `127.0.0.1:${closedPort}/${REPO}@${INDEX.digest}`;
    expectUsageError(
      await run(['v1.0.0', '--image', image]),
      `expected a version or a digest for 127.0.0.1:${closedPort}/${REPO}, got version "v1.0.0" and ${INDEX.digest}`,
    );
    expectUsageError(
      await run(['--tag', 'latest', '--image', image]),
      `expected a tag or a digest for 127.0.0.1:${closedPort}/${REPO}, got tag "latest" and ${INDEX.digest}`,
    );
  });

  it('a --tag that is not a valid tag', async () => {
    expectUsageError(
      await run(['--image', `127.0.0.1:${closedPort}/${REPO}`, '--tag', 'bad tag!']),
      'expected a tag or sha256 digest',
    );
  });

  // The trusted root is configuration: it must be rejected whether or not the registry answers.
  it('an unreadable --trusted-root, even when the registry is unreachable', async () => {
    const missing = join(work, 'no-such-root.json');
    expectUsageError(
      await run(['--image', `127.0.0.1:${closedPort}/${REPO}`, '--trusted-root', missing, '--json']),
      `trusted root: expected a readable file at ${missing}`,
    );
  });

  it('a malformed trusted root', async () => {
    const server = await serve(registryHandler(['v1.0.0']));
    const path = join(work, 'bad-root.json');
    await writeFile(path, JSON.stringify({ mediaType: 'application/json', tlogs: [] }));
    expectUsageError(
      await run(['--image', `${server.host}/${REPO}`, '--trusted-root', path, '--checks', 'resolve']),
      'trusted root: expected a trustedroot mediaType, got application/json',
    );
  });

  it('a trusted root that is not JSON', async () => {
    const server = await serve(registryHandler(['v1.0.0']));
    const path = join(work, 'garbage-root.json');
    await writeFile(path, '{ not json\n');
    expectUsageError(
      await run(['--image', `${server.host}/${REPO}`, '--trusted-root', path, '--checks', 'resolve']),
      `trusted root: expected JSON or JSON Lines in ${path}, got invalid JSON on line 1`,
    );
  });

  it('an unreadable --policy', async () => {
    const missing = join(work, 'no-such-policy.cue');
    expectUsageError(await run(['--policy', missing]), `cannot read policy ${missing}`);
  });

  it('a --profile with an invalid field', async () => {
    const path = join(work, 'profile.json');
    await writeFile(
      path,
      JSON.stringify({
        name: 'x',
        image: 'ghcr.io/o/r',
        repositories: { signature: [], sbom: [], provenance: [] },
        identities: {
          signature: { issuer: 'not a url', identityRegexp: '^x$' },
          sbom: { issuer: 'https://token.actions.githubusercontent.com', identityRegexp: '^x$' },
          provenance: { sourceUri: 'github.com/o/r' },
        },
        policies: { provenance: [], sbom: [] },
      }),
    );
    expectUsageError(await run(['--profile', path]), `profile ${path}: identities.signature.issuer: `);
  });

  it('an unreadable --profile', async () => {
    const missing = join(work, 'no-such-profile.json');
    expectUsageError(await run(['--profile', missing]), missing);
  });
});

describe('could not complete: exit 3, one JSON report naming the cause', () => {
  it('connection refused names the host', async () => {
    const host = `127.0.0.1:${closedPort}`;
    const result = await runJson(['--image', `${host}/${REPO}`, '--trusted-root', PUBLIC_GOOD]);
    const why = expectIncomplete(result);
    expect(why).toContain(host);
    expect(why).toContain('ECONNREFUSED');
    expect(result.stderr).toBe('');
  });

  it('a manifest whose bytes differ from the tag’s Docker-Content-Digest', async () => {
    const lie = sha256Digest(new TextEncoder().encode('something else'));
    const server = await serve(
      registryHandler(['v1.0.0'], (_req, res) => sendManifest(res, INDEX.bytes, OCI_INDEX, { digest: lie })),
    );
    const why = expectIncomplete(await runJson(['--image', `${server.host}/${REPO}`, '--checks', 'resolve']));
    expect(why).toContain('digest');
    expect(why).toContain(lie);
  });

  it('a manifest whose bytes differ from the requested digest', async () => {
    const asked = sha256Digest(new TextEncoder().encode('the manifest I asked for'));
    // The server even announces the requested digest: only hashing the body catches it.
    const server = await serve(
      registryHandler([], (_req, res) => sendManifest(res, INDEX.bytes, OCI_INDEX, { digest: asked })),
    );
    const why = expectIncomplete(await runJson(['--image', `${server.host}/${REPO}@${asked}`, '--checks', 'resolve']));
    expect(why).toContain('digest');
    expect(why).toContain(asked);
  });

  it('a truncated manifest body', async () => {
    const server = await serve(
      registryHandler(['v1.0.0'], (_req, res) => sendTruncated(res, INDEX.bytes.slice(0, 20), INDEX.size, OCI_INDEX)),
    );
    const why = expectIncomplete(await runJson(['--image', `${server.host}/${REPO}`, '--checks', 'resolve']));
    expect(why).toContain(
      `expected ${INDEX.size} bytes for manifest ${server.host}/${REPO}:v1.0.0, got 20 (truncated)`,
    );
  });

  it('429 with Retry-After: 0, then success, passes resolve', async () => {
    let limited = 0;
    const server = await serve((req, res, url) => {
      if (url.pathname.startsWith(`/v2/${REPO}/`) && limited++ < 2) {
        return sendError(res, 429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '0' });
      }
      return registryHandler(['v1.0.0'])(req, res, url);
    });
    const result = await runJson(['--image', `${server.host}/${REPO}`, '--checks', 'resolve']);
    expect(statuses(result.report)).toEqual({ resolve: 'pass' });
    expect(result.report.target.digest).toBe(INDEX.digest);
    expect(result.code).toBe(0);
    expect(limited).toBeGreaterThan(2);
  });

  it('a server that never answers times out', async () => {
    const server = await serve(() => new Promise(() => undefined));
    const why = expectIncomplete(
      await runJson(['--image', `${server.host}/${REPO}`, '--request-timeout', '0.2', '--checks', 'resolve']),
    );
    expect(why).toContain(`no answer from ${server.host} within 0.2 s (--request-timeout)`);
  });

  it('a pinned version that does not exist names the newest releases', async () => {
    const server = await serve(registryHandler(['v0.8.0', 'v1.1.2', 'v1.0.0', 'latest']));
    const why = expectIncomplete(await runJson(['v9.9.9', '--image', `${server.host}/${REPO}`, '--checks', 'resolve']));
    expect(why).toContain('v9.9.9');
    expect(why).toContain('newest releases: v1.1.2, v1.0.0, v0.8.0');
  });

  it('a repository without release tags', async () => {
    const server = await serve(registryHandler(['latest', 'main', 'sha-abc123']));
    const why = expectIncomplete(await runJson(['--image', `${server.host}/${REPO}`, '--checks', 'resolve']));
    expect(why).toContain('no release tags were found');
    expect(why).toContain('3 tags');
  });

  it('a registry 500 on the tag list', async () => {
    const server = await serve((_req, res, url) => {
      if (url.pathname.endsWith('/tags/list')) return sendError(res, 500, 'UNKNOWN', 'database on fire');
      return sendJson(res, 200, {});
    });
    const why = expectIncomplete(await runJson(['--image', `${server.host}/${REPO}`, '--checks', 'resolve']));
    expect(why).toContain('HTTP 500');
    expect(why).toContain('database on fire');
  });

  it('every selected check reports the error, not only resolve', async () => {
    const result = await runJson([
      '--image',
      `127.0.0.1:${closedPort}/${REPO}`,
      '--trusted-root',
      PUBLIC_GOOD,
      '--checks',
      'resolve,signature,sbom',
    ]);
    expect(Object.keys(statuses(result.report))).toEqual(['resolve', 'signature', 'sbom']);
    expect(Object.values(statuses(result.report)).every((status) => status === 'error' || status === 'skip')).toBe(
      true,
    );
    expect(result.code).toBe(3);
  });
});

describe('the built bin without network', () => {
  it('`verify-release latest` against an unreachable registry ends with exit 3, one report, no stack trace', async () => {
    const args = ['latest', '--image', `127.0.0.1:${closedPort}/${REPO}`, '--json'];
    const result = await runBin(args, {
      HOME: work,
      DOCKER_CONFIG: join(work, 'docker'),
      ...offlineEnv,
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).not.toContain('    at ');
    const report = parseOneReport(result);
    expect(statuses(report).resolve).toBe('error');
    expect(reason(report, 'resolve')).toContain(`127.0.0.1:${closedPort}`);
  });

  it('prints a one-line reason in text mode', async () => {
    const result = await runBin(['latest', '--image', `127.0.0.1:${closedPort}/${REPO}`], {
      HOME: work,
      DOCKER_CONFIG: join(work, 'docker'),
      ...offlineEnv,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain('    at ');
    expect(result.stdout).toContain(`127.0.0.1:${closedPort}`);
  });

  it('a usage error from the bin is one line on stderr and exit 2', async () => {
    const result = await runBin(['--checks', 'nope'], { HOME: work, ...offlineEnv });
    expectUsageError(result, 'expected check ids from');
  });
});
