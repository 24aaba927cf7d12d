import { writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { TINY_REPO } from '../support/tiny-release.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore, type TestSigstore } from '../support/test-sigstore/index.js';
import { mintRelease } from '../support/releases.js';
import { ALL_PASS, cli, cliJson, reason, statuses } from './helpers.js';

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

let reg: TestRegistry;
let sigstore: TestSigstore;
let work: string;
let trustedRoot: string;

beforeAll(async () => {
  reg = await startRegistry();
  sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-messages-'));
  trustedRoot = await sigstore.writeTrustedRoot(work);
  await mintRelease(reg, sigstore, { repo: 'acme/app', tag: 'v1.0.0' });
  // Released from main: every certificate names refs/heads/main, the provenance a branch build.
  await mintRelease(reg, sigstore, { repo: 'acme/from-main', tag: 'v1.0.0', ref: 'refs/heads/main' });
});

afterAll(async () => {
  await reg?.stop();
});

const verify = (repo: string, ...args: string[]) =>
  cliJson(['v1.0.0', '--image', `${reg.host}/${repo}`, '--trusted-root', trustedRoot, ...args]);

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return `127.0.0.1:${port}`;
}

async function resolveReason(args: string[]): Promise<string> {
  const run = await cli([...args, '--checks', 'resolve', '--json']);
  expect(run.code).toBe(3);
  return reason(reportSchema.parse(JSON.parse(run.stdout)), 'resolve');
}

describe('network errors name the limit and the flag that changes it', () => {
  it('a registry that never answers: the per-request limit and --request-timeout', async () => {
    const silent = await startFaultServer(() => new Promise(() => undefined));
    servers.push(silent);
    expect(await resolveReason(['--image', `${silent.host}/${TINY_REPO}`, '--request-timeout', '0.3'])).toBe(
      `no answer from ${silent.host} within 0.3 s (--request-timeout) for tag list of ${silent.host}/${TINY_REPO}`,
    );
  });

  it('a registry that never answers within the whole run: the deadline and --timeout', async () => {
    const silent = await startFaultServer(() => new Promise(() => undefined));
    servers.push(silent);
    expect(await resolveReason(['--image', `${silent.host}/${TINY_REPO}`, '--timeout', '0.5'])).toBe(
      'expected the run to finish within 0.5 s (--timeout), got past that deadline while running step "resolve"',
    );
  });

  it('a closed port: connection refused, naming host:port', async () => {
    const host = await closedPort();
    expect(await resolveReason(['--image', `${host}/${TINY_REPO}`])).toBe(
      `connection refused by ${host} (ECONNREFUSED) for tag list of ${host}/${TINY_REPO}`,
    );
  });
});

describe('failures name what was expected, what was found and the flag that changes it', () => {
  it('a release built from a branch: --no-version-binding, and --source-branch to keep requiring the branch', async () => {
    const { code, report } = await verify('acme/from-main');
    expect(code).toBe(1);
    const hint =
      '(a build of branch main: --no-version-binding accepts it, with --source-branch main to still require that branch)';
    expect(reason(report, 'signature')).toContain(
      `expected a certificate for refs/tags/v1.0.0, got "refs/heads/main" in Source Repository Ref ${hint}`,
    );
    expect(reason(report, 'provenance')).toContain(hint);
    const accepted = await verify('acme/from-main', '--no-version-binding', '--source-branch', 'main');
    expect(statuses(accepted.report)).toEqual(ALL_PASS);
    const otherBranch = await verify('acme/from-main', '--no-version-binding', '--source-branch', 'release');
    expect(reason(otherBranch.report, 'provenance')).toContain("expected branch 'release', got 'main'");
  });

  it('a policy that fails only in strict mode names --policy-mode cosign', async () => {
    const policy = join(work, 'v1-field.cue');
    // A SLSA v1 field: absent from the v0.2 provenance the generator writes.
    await writeFile(
      policy,
      'predicate: buildDefinition: buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"\n',
    );
    const strict = await verify('acme/app', '--policy', policy, '--checks', 'provenance-policy');
    expect(reason(strict.report, 'provenance-policy')).toBe(
      `${policy}: policy requires fields missing from statement: predicate.buildDefinition (strict mode; it passes with --policy-mode cosign, as cosign verify-attestation)`,
    );
    const cosign = await verify(
      'acme/app',
      '--policy',
      policy,
      '--checks',
      'provenance-policy',
      '--policy-mode',
      'cosign',
    );
    expect(statuses(cosign.report)).toEqual({ 'provenance-policy': 'pass' });
  });

  it('a policy that fails in either mode does not suggest --policy-mode', async () => {
    const policy = join(work, 'wrong-builder.cue');
    await writeFile(policy, 'predicate: builder: id: "https://example.com/another-builder"\n');
    const { report } = await verify('acme/app', '--policy', policy, '--checks', 'provenance-policy');
    expect(statuses(report)).toEqual({ 'provenance-policy': 'fail' });
    expect(reason(report, 'provenance-policy')).not.toContain('--policy-mode');
  });

  it('a certificate chain the public-good root does not accept suggests --trusted-root', async () => {
    // No --trusted-root: the public-good root (TUF unreachable on purpose, so the embedded copy).
    const offline = { TUF_MIRROR: `http://${await closedPort()}`, TUF_ROOT: join(work, 'tuf') };
    const { code, report } = await cliJson(
      ['v1.0.0', '--image', `${reg.host}/acme/app`, '--checks', 'signature'],
      offline,
    );
    expect(code).toBe(1);
    // The bundled CLI really ran @sigstore/tuf (it has no root for this mirror): the library loads from the bundle.
    const tufNotice = report.notices.find((notice) => notice.startsWith('TUF unreachable'));
    expect(tufNotice).toMatch(/^TUF unreachable \(No root\.json found for mirror: http:\/\/127\.0\.0\.1:\d+\)/);
    expect(tufNotice).not.toContain('is not a function');
    expect(reason(report, 'signature')).toContain(
      "certificate: Failed to verify certificate chain (CERTIFICATE_ERROR); the trusted root was Sigstore's public-good one: for another Sigstore instance, pass its root with --trusted-root",
    );
  });

  it('another signer: the identity flags', async () => {
    const other = 'https://github.com/acme/app/.github/workflows/other.yml@refs/tags/v1.0.0';
    const { report } = await verify(
      'acme/app',
      '--certificate-identity',
      other,
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
    );
    expect(reason(report, 'signature')).toMatch(
      /the certificates say https:\/\/github.com\/acme\/app\/.github\/workflows\/release.yml@refs\/tags\/v1.0.0 \(issuer [^)]+\) \(--certificate-identity or --certificate-identity-regexp sets the identity\)$/,
    );
    expect(reason(report, 'sbom')).toContain(
      '(--certificate-identity or --certificate-identity-regexp sets the identity)',
    );
  });

  it('--source-uri takes the https://github.com/… form people paste, as well as github.com/…', async () => {
    for (const uri of ['https://github.com/acme/app', 'github.com/acme/app']) {
      const { code, report } = await verify('acme/app', '--source-uri', uri);
      expect(statuses(report)).toEqual(ALL_PASS);
      expect(code).toBe(0);
    }
    const run = await cli(['v1.0.0', '--image', `${reg.host}/acme/app`, '--source-uri', 'gitlab.com/acme/app']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'verify-release: expected a source github.com/<owner>/<name> or https://github.com/<owner>/<name>, got "gitlab.com/acme/app"\n',
    );
  });
});
