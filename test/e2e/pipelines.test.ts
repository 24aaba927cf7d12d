import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { OCI_INDEX } from '../../src/registry/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintRelease } from '../support/releases.js';
import { sendJson, sendManifest, startFaultServer } from '../support/fault-server.js';
import { TINY_INDEX, TINY_REPO } from '../support/tiny-release.js';
import { cli } from './helpers.js';

const REPO = 'acme/app';
let reg: TestRegistry;
let sigstore: TestSigstore;
let work: string;
let base: string[];

beforeAll(async () => {
  reg = await startRegistry({ auth: 'token' });
  sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-pipelines-'));
  const trustedRoot = await sigstore.writeTrustedRoot(work);
  await mintRelease(reg, sigstore, { repo: REPO, tag: 'v1.0.0' });
  base = ['v1.0.0', '--image', `${reg.host}/${REPO}`, '--trusted-root', trustedRoot];
});

afterAll(async () => {
  await reg?.stop();
});

/** Runs the CLI in-process with TTY flags of our choosing (a spawned CLI never has a terminal). */
async function runWithTerminal(
  args: string[],
  {
    stdoutTTY = false,
    stderrTTY = false,
    env = {},
  }: { stdoutTTY?: boolean; stderrTTY?: boolean; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: stdoutTTY },
    stderr: { write: (text: string) => (stderr += text), isTTY: stderrTTY },
    env: { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent', ...env },
  });
  return { code, stdout, stderr };
}

describe('-q/--quiet', () => {
  it('prints the verdict line only', async () => {
    const run = await cli([...base, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('VERIFIED: 6 passed, 0 failed\n');
    expect(run.stderr).toBe('');
  });

  it('keeps the exit code and the verdict of a release that does not verify', async () => {
    const run = await cli([...base, '-q', '--certificate-identity', 'https://example.com/someone-else']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^NOT VERIFIED: \d passed, \d failed(, \d skipped)?\n$/);
  });
});

describe('-v/--verbose', () => {
  it('prints each registry request with its status and timing on stderr, never credentials or tokens', async () => {
    const { username, password } = reg.credentials!;
    const config = join(work, 'docker');
    await mkdir(config, { recursive: true });
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    await writeFile(join(config, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
    const run = await cli([...base, '--verbose', '--json'], { DOCKER_CONFIG: config });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true });
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.some((line) => line.startsWith(`verify-release: GET ${reg.host}/v2/${REPO}/tags/list 200 `))).toBe(
      true,
    );
    for (const line of lines) expect(line).toMatch(/^verify-release: (GET|HEAD|POST) \S+ (\d{3}|.+) \d+ ms$/);
    // The registry asked for a token (401), and the token server was asked too; neither's secrets are printed.
    expect(run.stderr).toMatch(/ 401 \d+ ms\n/);
    expect(run.stderr).toContain(`GET ${new URL(reg.tokenServer!.realm).host}`);
    for (const secret of [password, auth, 'Bearer', 'Basic', 'eyJ', '?']) expect(run.stderr).not.toContain(secret);
  });
});

describe('progress', () => {
  it('goes to a TTY stderr with --json too, for a step that lasts longer than a second', async () => {
    // A registry that takes 3 s to list its tags: the resolve step outlasts the one-second progress delay by far.
    const slow = await startFaultServer((_req, res, url) => {
      if (url.pathname === `/v2/${TINY_REPO}/tags/list`) {
        setTimeout(() => sendJson(res, 200, { name: TINY_REPO, tags: ['v1.0.0'] }), 3_000);
        return;
      }
      if (url.pathname.startsWith(`/v2/${TINY_REPO}/manifests/`)) return sendManifest(res, TINY_INDEX.bytes, OCI_INDEX);
      return sendJson(res, 200, {});
    });
    try {
      const args = ['--image', `${slow.host}/${TINY_REPO}`, '--checks', 'resolve', '--json'];
      const shown = await runWithTerminal(args, { stderrTTY: true });
      expect(shown.code).toBe(0);
      expect(shown.stderr).toBe(`… resolving ${slow.host}/${TINY_REPO}\n`);
      expect(JSON.parse(shown.stdout)).toMatchObject({ verified: true });
      // Not on a pipe, and not with --quiet.
      expect((await runWithTerminal(args, {})).stderr).toBe('');
      expect((await runWithTerminal([...args, '--quiet'], { stderrTTY: true })).stderr).toBe('');
    } finally {
      await slow.stop();
    }
  });
});

describe('colour', () => {
  it('is off for TERM=dumb even on a terminal, and on for other terminals', async () => {
    const dumb = await runWithTerminal([...base, '-q'], { stdoutTTY: true, env: { TERM: 'dumb' } });
    expect(dumb.stdout).toBe('VERIFIED: 6 passed, 0 failed\n');
    const xterm = await runWithTerminal([...base, '-q'], { stdoutTTY: true, env: { TERM: 'xterm' } });
    expect(xterm.stdout).toContain('\u001b[');
  });
});
