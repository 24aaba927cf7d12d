/**
 * Configuration that cannot silently weaken a verdict (issue 13; issue 7 items 8 and 10): profiles and their
 * policies, partial check sets, outputs, trusted roots and broken policies, against the real registry and the
 * test Sigstore.
 */
import { existsSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { reportSchema } from '../../src/report/schema.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintRelease } from '../support/releases.js';
import { startFaultServer } from '../support/fault-server.js';
import { ALL_PASS, cli, cliJson, reason, statuses, type CliRun } from './helpers.js';

let reg: TestRegistry;
let sigstore: TestSigstore;
let work: string;
let trustedRoot: string;
let closedPort: number;
const ISSUER = 'https://token.actions.githubusercontent.com';
const ALL_IDS = Object.keys(ALL_PASS);

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-config-'));
  trustedRoot = await sigstore.writeTrustedRoot(work);
  closedPort = await freePort();
  await mintRelease(reg, sigstore, { repo: 'acme/app', tag: 'v1.0.0' });
  await mintRelease(reg, sigstore, {
    repo: 'acme/unsigned',
    tag: 'v1.0.0',
    signature: 'none',
    sbom: 'none',
    provenance: 'none',
  });
  // A forged image signature (the signed payload was changed); SBOM and provenance are genuine.
  await mintRelease(reg, sigstore, { repo: 'acme/forged', tag: 'v1.0.0', tamper: { signature: 'payload' } });
});

afterAll(async () => {
  await reg?.stop();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

const image = (repo: string) => ['--image', `${reg.host}/${repo}`, '--trusted-root', trustedRoot];
/** An image nobody listens for: a run that reached the network would end with exit 3. */
const unreachable = () => ['--image', `127.0.0.1:${closedPort}/acme/app`, '--trusted-root', trustedRoot];

/** Exit 2 with one line on stderr; stdout is empty, or with --json the one error document (json-errors.test.ts). */
function expectUsageError(run: CliRun, text: string | RegExp): void {
  expect(run.code, run.stdout + run.stderr).toBe(2);
  if (run.stdout !== '') expect(JSON.parse(run.stdout)).toMatchObject({ verified: false, error: {} });
  expect(run.stderr).toMatch(/^verify-release: [^\n]+\n$/);
  if (typeof text === 'string') expect(run.stderr).toContain(text);
  else expect(run.stderr).toMatch(text);
}

/** A profile for acme/app in its own directory, with `files` beside it. */
async function writeProfile(policies: { provenance: string[]; sbom: string[] }, files: Record<string, string> = {}) {
  const dir = await mkdtemp(join(work, 'profile-'));
  const signer = {
    issuer: ISSUER,
    identityRegexp: '^https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v[0-9]+.[0-9]+.[0-9]+$',
  };
  const profile = {
    name: 'acme/app',
    image: `${reg.host}/acme/app`,
    repositories: { signature: [], sbom: [], provenance: [] },
    identities: { signature: signer, sbom: signer, provenance: { sourceUri: 'github.com/acme/app' } },
    policies,
  };
  await writeFile(join(dir, 'profile.json'), JSON.stringify(profile));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, path: join(dir, 'profile.json') };
}

/** A policy with a syntax error on line 3, in its own file. */
async function writeBrokenPolicy(): Promise<string> {
  const broken = join(await mkdtemp(join(work, 'broken-')), 'broken.cue');
  await writeFile(
    broken,
    'predicateType: "https://slsa.dev/provenance/v0.2"\npredicate: {\n  builder: id: =~"x" &&\n}\n',
  );
  return broken;
}

function brokenPolicyMessage(broken: string, prefix = '^verify-release: '): RegExp {
  return new RegExp(`${prefix}policy ${broken}:3:\\d+: expected valid CUE v0\\.4\\.3, got syntax error`);
}

const STRICT_SBOM_POLICY = 'predicateType: "https://cyclonedx.org/bom"\npredicate: metadata: supplier: name: "ACME"\n';

describe('13.1 profile policies resolve in the profile directory only, never to a bundled file', () => {
  it('a profile whose own policy file is missing is a usage error, not the bundled policy of that name', async () => {
    const { path } = await writeProfile({ provenance: [], sbom: ['policy-sbom.cue'] });
    const run = await cli(['v1.0.0', '--profile', path, '--trusted-root', trustedRoot]);
    expectUsageError(run, /expected policy "policy-sbom\.cue" at .*policy-sbom\.cue, got ENOENT/);
  });

  it('the profile’s own policy runs, and the evidence names it by path and sha256', async () => {
    const { dir, path } = await writeProfile(
      { provenance: ['bundled:policy.cue'], sbom: ['policy-sbom.cue'] },
      { 'policy-sbom.cue': STRICT_SBOM_POLICY },
    );
    const run = await cliJson(['v1.0.0', '--profile', path, '--trusted-root', trustedRoot]);
    expect(statuses(run.report)['sbom-policy']).toBe('fail');
    expect(run.code).toBe(1);
    const sbomPolicy = run.report.checks.find((check) => check.id === 'sbom-policy')!;
    expect(sbomPolicy.evidence['policies']).toEqual([
      {
        path: join(realpathSync(dir), 'policy-sbom.cue'),
        sha256: createHash('sha256').update(STRICT_SBOM_POLICY).digest('hex'),
      },
    ]);
  });

  it('bundled policies are named bundled:<file> in the profile and in the evidence', async () => {
    const { path } = await writeProfile({ provenance: ['bundled:policy.cue'], sbom: ['bundled:policy-sbom.cue'] });
    const run = await cliJson([
      'v1.0.0',
      '--profile',
      path,
      '--trusted-root',
      trustedRoot,
      '--checks',
      'resolve,signature,sbom,sbom-policy',
    ]);
    expect(statuses(run.report)['sbom-policy']).toBe('pass');
    const bundled = await readFile(join(import.meta.dirname, '../../policies/policy-sbom.cue'), 'utf8');
    expect(run.report.checks.find((check) => check.id === 'sbom-policy')!.evidence['policies']).toEqual([
      { path: 'bundled:policy-sbom.cue', sha256: createHash('sha256').update(bundled).digest('hex') },
    ]);
  });
});

describe('13.2 a selection that leaves checks out says so', () => {
  it('--checks resolve on a never-signed release: checksOmitted, a partial verdict and the signature notice', async () => {
    const json = await cliJson(['v1.0.0', ...image('acme/unsigned'), '--checks', 'resolve']);
    expect(json.code).toBe(0);
    expect(json.report.checksOmitted).toEqual(ALL_IDS.filter((id) => id !== 'resolve'));
    expect(json.report.notices.join('\n')).toContain('the image signature was not checked');
    const text = await cli(['v1.0.0', ...image('acme/unsigned'), '--checks', 'resolve']);
    expect(text.stdout).toContain(
      'VERIFIED (partial: signature, provenance, provenance-policy, sbom, sbom-policy not run): 1 passed, 0 failed',
    );
    expect(text.stdout).toContain('note: partial verification: the image signature was not checked');
  });

  it('--checks sbom,provenance on a release with a forged signature says the signature was not checked', async () => {
    const json = await cliJson(['v1.0.0', ...image('acme/forged'), '--checks', 'sbom,provenance']);
    expect(statuses(json.report)).toEqual({ provenance: 'pass', sbom: 'pass' });
    expect(json.report.checksOmitted).toEqual(['resolve', 'signature', 'provenance-policy', 'sbom-policy']);
    expect(json.report.notices.join('\n')).toContain('the image signature was not checked');
    const text = await cli(['v1.0.0', ...image('acme/forged'), '--checks', 'sbom,provenance']);
    expect(text.stdout).toMatch(
      /\nVERIFIED \(partial: resolve, signature, provenance-policy, sbom-policy not run\): 2 passed/,
    );
  });

  it('a full run is unchanged: nothing omitted, no notice, the plain verdict', async () => {
    const json = await cliJson(['v1.0.0', ...image('acme/app')]);
    expect(statuses(json.report)).toEqual(ALL_PASS);
    expect(json.report.checksOmitted).toEqual([]);
    expect(json.report.notices).toEqual([]);
    const text = await cli(['v1.0.0', ...image('acme/app')]);
    expect(text.stdout).toMatch(/\nVERIFIED: 6 passed, 0 failed\n$/);
  });
});

describe('13.3 the verdict printed is the verdict exited with', () => {
  it('--sbom-out into a missing directory is a usage error before any report', async () => {
    const run = await cli(['v1.0.0', ...image('acme/app'), '--json', '--sbom-out', '/nonexistent/dir/x']);
    expectUsageError(run, '--sbom-out /nonexistent/dir/x: expected a writable directory /nonexistent/dir');
  });

  it('sbom refuses a selection without the sbom check', async () => {
    expectUsageError(
      await cli(['sbom', 'v1.0.0', ...image('acme/app'), '--checks', 'resolve']),
      '`sbom` hands out a verified SBOM only: expected --checks to include signature and sbom',
    );
  });

  it('a write that fails after verification makes the printed report NOT VERIFIED, with the reason', async () => {
    const dir = await mkdtemp(join(work, 'out-'));
    const out = join(dir, 'sbom.json');
    let stdout = '';
    // The directory disappears while the release is being verified (after the up-front check passed): at the
    // first discovery request that --verbose reports.
    const code = await runCli(['v1.0.0', ...image('acme/app'), '--sbom-out', out, '--verbose'], {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: {
        write: (text: string) => text.includes('/referrers/') && existsSync(dir) && rmSync(dir, { recursive: true }),
        isTTY: false,
      },
      env: { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent' },
    });
    expect(code).toBe(3);
    expect(stdout).toContain(`note: --sbom-out: could not write ${out}: ENOENT`);
    expect(stdout).toMatch(/\nNOT VERIFIED: 6 passed, 0 failed\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('--sbom-out writes the SBOM atomically, leaving no temporary file', async () => {
    const dir = await mkdtemp(join(work, 'out-'));
    const run = await cli(['v1.0.0', ...image('acme/app'), '--sbom-out', join(dir, 'sbom.json')]);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'sbom.json'), 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX' });
    expect(readdirSync(dir)).toEqual(['sbom.json']);
  });
});

describe('13.4 trusted roots are validated whole', () => {
  type Root = Record<string, any>;
  const root = (): Root => structuredClone(sigstore.trustedRoot) as Root;

  async function writeLines(name: string, roots: Root[]): Promise<string> {
    const path = join(work, name);
    await writeFile(path, roots.map((r) => JSON.stringify(r)).join('\n'));
    return path;
  }

  it('accepts the test root as JSON Lines (the same root twice)', async () => {
    const path = await writeLines('twice.jsonl', [root(), root()]);
    const run = await cliJson(['v1.0.0', '--image', `${reg.host}/acme/app`, '--trusted-root', path]);
    expect(statuses(run.report)).toEqual(ALL_PASS);
  });

  it.each([
    ['tlogs', 'ctlogs', 'transparency log ID'],
    ['ctlogs', 'tlogs', 'CT log ID'],
  ])('refuses a %s log ID listed again with another key (order used to decide)', async (list, other, what) => {
    const forged = root();
    forged[list][0].publicKey = root()[other][0].publicKey;
    const path = await writeLines(`${list}-conflict.jsonl`, [root(), forged]);
    const run = await cli(['v1.0.0', '--image', `${reg.host}/acme/app`, '--trusted-root', path]);
    expectUsageError(run, `trusted root: expected one key per ${what} ${root()[list][0].logId.keyId}`);
  });

  it('refuses a certificate authority listed again with the same subject and another key', async () => {
    const other = await createTestSigstore();
    const forged = root();
    const genuine = forged.certificateAuthorities[0];
    forged.certificateAuthorities = [
      {
        ...(other.trustedRoot as Root).certificateAuthorities[0],
        subject: genuine.subject,
        validFor: genuine.validFor,
      },
    ];
    const path = await writeLines('ca-conflict.jsonl', [root(), forged]);
    const run = await cli(['v1.0.0', '--image', `${reg.host}/acme/app`, '--trusted-root', path]);
    expectUsageError(run, 'trusted root: expected one key per certificate authority verify-release.test/sigstore');
  });

  it.each([
    ['a bogus mediaType', 'application/x-bogus'],
    ['no mediaType', undefined],
  ])('refuses a line after the first with %s', async (_name, mediaType) => {
    const path = await writeLines('media.jsonl', [root(), { ...root(), mediaType }]);
    const run = await cli(['v1.0.0', '--image', `${reg.host}/acme/app`, '--trusted-root', path]);
    expectUsageError(
      run,
      `trusted root: expected a trustedroot mediaType on line 2 of ${path}, got ${String(mediaType)}`,
    );
  });

  it('refuses a root without certificate authorities and logs, naming what is missing', async () => {
    const path = await writeLines('empty.json', [{ ...root(), certificateAuthorities: [], tlogs: [] }]);
    const run = await cli(['v1.0.0', '--image', `${reg.host}/acme/app`, '--trusted-root', path]);
    expectUsageError(run, 'expected at least one certificate authority or transparency log, got neither');
    const noCa = await writeLines('no-ca.json', [{ ...root(), certificateAuthorities: [] }]);
    expectUsageError(
      await cli(['v1.0.0', '--image', `${reg.host}/acme/app`, '--trusted-root', noCa]),
      'expected a certificate authority (certificateAuthorities) for keyless signatures',
    );
  });
});

describe('13.5 / 7.10 policy files: confined, size-capped, a broken one wins, never echoed', () => {
  it('refuses profile policies outside the profile directory', async () => {
    const { dir, path } = await writeProfile({ provenance: [], sbom: ['../token'] });
    await writeFile(join(dir, '..', 'token'), 'ghp_0123456789SECRET\n');
    const escape = await cli(['v1.0.0', '--profile', path, '--trusted-root', trustedRoot]);
    expectUsageError(escape, `expected policy "../token" inside the profile's directory`);
    expect(escape.stderr).not.toContain('SECRET');
    const absolute = await writeProfile({ provenance: ['/etc/hostname'], sbom: [] });
    expectUsageError(
      await cli(['v1.0.0', '--profile', absolute.path, '--trusted-root', trustedRoot]),
      `expected policy "/etc/hostname" inside the profile's directory`,
    );
  });

  it('a --policy that is not CUE (a token file) is exit 2 with file:line:column, never its content', async () => {
    const token = join(work, 'token');
    await writeFile(token, 'ghp_0123456789abcdefSECRET\n');
    const run = await cli(['v1.0.0', ...unreachable(), '--policy', token, '--json']);
    expectUsageError(run, `policy ${token}:1:1: expected valid CUE v0.4.3, got reference not found`);
    expect(run.stderr).not.toContain('SECRET');
    expect(run.stdout).not.toContain('SECRET');
  });

  it('a broken policy wins over an unreachable registry: exit 2 with its position, no verdict', async () => {
    const broken = await writeBrokenPolicy();
    const run = await cli(['v1.0.0', ...unreachable(), '--policy', broken]);
    expectUsageError(run, brokenPolicyMessage(broken));
    expect(run.stdout).toBe('');
  });

  it('a broken policy wins over a registry that never answers, and --json prints the error document', async () => {
    const broken = await writeBrokenPolicy();
    const silent = await startFaultServer(() => new Promise(() => undefined));
    try {
      // Deadlines far beyond the test's timeout: only the compile error can end this run.
      const run = await cli([
        'v1.0.0',
        ...['--image', `${silent.host}/acme/app`, '--trusted-root', trustedRoot],
        ...['--timeout', '3600', '--request-timeout', '3600', '--sbom-policy', broken, '--json'],
      ]);
      expectUsageError(run, brokenPolicyMessage(broken));
      expect(JSON.parse(run.stdout)).toEqual({
        verified: false,
        error: { code: 'CONFIG', message: expect.stringMatching(brokenPolicyMessage(broken, '')) as unknown },
      });
    } finally {
      await silent.stop();
    }
  });

  it('a policy above 1 MiB is refused before any network work', async () => {
    const large = join(work, 'large.cue');
    await writeFile(large, `predicateType: "${'x'.repeat(1024 * 1024)}"\n`);
    const run = await cli(['v1.0.0', ...unreachable(), '--sbom-policy', large]);
    expectUsageError(run, `policy ${large}: expected at most 1048576 bytes (1 MiB), got 1048594`);
  });
});

describe('7.8 outputs only for verified releases', () => {
  it('--sbom-out writes nothing when the image signature is forged', async () => {
    const dir = await mkdtemp(join(work, 'out-'));
    const out = join(dir, 'sbom.json');
    const run = await cliJson(['v1.0.0', ...image('acme/forged'), '--sbom-out', out]);
    expect(run.code).toBe(1);
    expect(statuses(run.report)).toMatchObject({ signature: 'fail', sbom: 'pass' });
    expect(existsSync(out)).toBe(false);
    expect(run.report.notices).toContain('--sbom-out: not written (the release did not verify)');
  });

  it('sbom runs the full verification and prints nothing for a release with a forged signature', async () => {
    const run = await cli(['sbom', 'v1.0.0', ...image('acme/forged'), '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const report = reportSchema.parse(JSON.parse(run.stderr));
    expect(report.checks.map((check) => check.id)).toEqual(ALL_IDS);
    expect(reason(report, 'signature')).toMatch(/did not verify/);
  });

  it('sbom prints the SBOM of a verified release, and refuses a selection without signature', async () => {
    const run = await cli(['sbom', 'v1.0.0', ...image('acme/app')]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ bomFormat: 'CycloneDX' });
    expect(run.stderr).toMatch(/VERIFIED: 6 passed, 0 failed/);
    expectUsageError(
      await cli(['sbom', 'v1.0.0', ...image('acme/app'), '--checks', 'resolve,sbom']),
      'expected --checks to include signature and sbom, got resolve,sbom (missing signature)',
    );
    expectUsageError(
      await cli(['v1.0.0', ...image('acme/app'), '--checks', 'resolve,sbom', '--sbom-out', join(work, 'x.json')]),
      '--sbom-out hands out a verified SBOM only',
    );
  });
});
