import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintRelease, type MintedRelease } from '../support/releases.js';
import { ALL_PASS, cliJson, reason, statuses } from './helpers.js';

const REPO = 'natrontech/gcp-mysql-backup';

let reg: TestRegistry;
let sigstore: TestSigstore;
let release: MintedRelease;
let work: string;
let base: string[];

/** A DOCKER_CONFIG directory whose config.json has an `auths` entry for the test registry. */
async function dockerConfig(name: string, username: string, password: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
  return dir;
}

/** The token requests for pulling the image repository, as `user` (undefined: anonymous). */
function pullRequesters(): (string | undefined)[] {
  return reg
    .tokenServer!.requests.filter((request) => request.scopes.includes(`repository:${REPO}:pull`))
    .map((request) => request.user);
}

beforeAll(async () => {
  reg = await startRegistry({ auth: 'token' });
  sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-auth-'));
  const trustedRoot = await sigstore.writeTrustedRoot(work);
  // Minting pushes with the token server's credentials; the CLI only ever pulls.
  release = await mintRelease(reg, sigstore, { repo: REPO, tag: 'v1.1.2', signedAt: new Date('2026-06-25T10:20:00Z') });
  base = ['--image', `${reg.host}/${REPO}`, '--trusted-root', trustedRoot];
});

beforeEach(() => {
  reg.tokenServer!.requests.length = 0;
});

afterAll(async () => {
  await reg?.stop();
});

describe('a registry behind a token server', () => {
  it('verifies a gcp-mysql-backup-like release anonymously with pull tokens', async () => {
    const { code, report, stderr } = await cliJson(['latest', ...base]);
    expect(stderr).toBe('');
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(report.target.version).toBe('v1.1.2');
    expect(report.target.digest).toBe(release.digest);
    expect(code).toBe(0);
    // Anonymous pull tokens only: no credentials were sent, no more than pull was asked for.
    expect(pullRequesters().length).toBeGreaterThan(0);
    expect(reg.tokenServer!.requests.every((request) => request.user === undefined)).toBe(true);
    expect(
      reg.tokenServer!.requests.flatMap((request) => request.scopes).every((scope) => scope.endsWith(':pull')),
    ).toBe(true);
  });

  it('uses the credentials of DOCKER_CONFIG for the token', async () => {
    const { username, password } = reg.credentials!;
    const config = await dockerConfig('good', username, password);
    const { code, report } = await cliJson(['v1.1.2', ...base], { DOCKER_CONFIG: config });
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(code).toBe(0);
    const users = pullRequesters();
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((user) => user === username)).toBe(true);
    expect(
      reg.tokenServer!.requests.flatMap((request) => request.scopes).every((scope) => scope.endsWith(':pull')),
    ).toBe(true);
  });

  it('wrong DOCKER_CONFIG credentials end with exit 3 and the token server’s refusal, not an anonymous retry', async () => {
    const config = await dockerConfig('wrong', reg.credentials!.username, 'not-the-password');
    const { code, report, stderr } = await cliJson(['v1.1.2', ...base], { DOCKER_CONFIG: config });
    expect(code).toBe(3);
    expect(stderr).not.toContain('    at ');
    expect(statuses(report).resolve).toBe('error');
    expect(reason(report, 'resolve')).toContain(`expected a token for repository:${REPO}:pull`);
    expect(reason(report, 'resolve')).toContain('got HTTP 401 UNAUTHORIZED "bad credentials"');
    expect(reason(report, 'resolve')).not.toContain('not-the-password');
  });
});
