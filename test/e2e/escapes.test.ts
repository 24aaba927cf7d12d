/**
 * Escape injection (issue 7, item 7): strings from certificates and bundles reach the terminal. A signer who controls
 * a workflow path or an issuer claim must not be able to draw a green "OK", move the cursor or reorder a line:
 * every output of every command shows control and bidirectional characters escaped.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError, VerificationError } from '../../src/errors.js';
import { isPrintable, printable, printableJson } from '../../src/model/printable.js';
import { buildReport } from '../../src/report/index.js';
import { renderJson } from '../../src/report/render/json.js';
import { renderText } from '../../src/report/render/text.js';
import { createTestSigstore, type GithubIdentity } from '../support/test-sigstore/index.js';
import { digestHex, sha256Digest } from '../../src/model/digest.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { mintRelease } from '../support/releases.js';
import { cli } from './helpers.js';

const ESC_OK = '\u001b[2K\r\u001b[32mverify-release: OK\u001b[0m';
const BIDI = '\u202eKO\u2066\u200f';
/** Every raw character that must never reach a terminal from untrusted data. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const digest = sha256Digest(Buffer.from('an image index'));
const hostile: GithubIdentity = {
  repository: 'natrontech/gcp-mysql-backup',
  workflowPath: `.github/workflows/release.yml${ESC_OK}`,
  ref: 'refs/tags/v1.1.2',
  issuer: `https://token.actions.githubusercontent.com${BIDI}`,
};

let dir: string;
let rootPath: string;
let bundlePath: string;
let reg: TestRegistry | undefined;

afterAll(async () => {
  await reg?.stop();
});

beforeAll(async () => {
  const sigstore = await createTestSigstore({ now: new Date('2026-06-25T10:20:00Z') });
  reg = await startRegistry();
  await mintRelease(reg, sigstore, {
    repo: 'acme/hostile',
    tag: 'v1.0.0',
    provenance: 'none',
    signer: { workflowPath: hostile.workflowPath, issuer: hostile.issuer! },
  });
  dir = await mkdtemp(join(tmpdir(), 'escapes-'));
  rootPath = await sigstore.writeTrustedRoot(dir);
  bundlePath = join(dir, 'bundle.json');
  await writeFile(bundlePath, JSON.stringify(await sigstore.bundleSignature({ digest, identity: hostile })));
});

describe('verify-bundle with escape sequences in the certificate', () => {
  it('shows the hostile SAN and issuer escaped on stderr, and fails', async () => {
    const run = await cli([
      'verify-bundle',
      '--bundle',
      bundlePath,
      '--certificate-identity',
      'https://github.com/natrontech/gcp-mysql-backup/.github/workflows/release.yml@refs/tags/v1.1.2',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
      '--trusted-root',
      rootPath,
      `sha256:${digestHex(digest)}`,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(RAW);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^verify-release: FAILED: none of the expected identities matched/);
    // Visible, not dropped: the escapes name what was there.
    expect(run.stderr).toContain('release.yml\\u001b[2K\\r\\u001b[32mverify-release: OK\\u001b[0m@refs/tags/v1.1.2');
    expect(run.stderr).toContain('githubusercontent.com\\u202eKO\\u2066\\u200f');
  });
});

describe('verify and sbom with escape sequences in the certificates', () => {
  const args = (command: string[]): string[] => [
    ...command,
    'v1.0.0',
    '--image',
    `${reg!.host}/acme/hostile`,
    '--trusted-root',
    rootPath,
    '--checks',
    'resolve,signature,sbom',
  ];

  it.each([
    ['verify, text report', [] as string[]],
    ['verify, JSON report', ['--json']],
    ['sbom, report on stderr', ['sbom']],
  ])('%s: nothing raw on stdout or stderr', async (_name, extra) => {
    const command = extra[0] === 'sbom' ? ['sbom'] : [];
    const run = await cli([...args(command), ...extra.filter((arg) => arg !== 'sbom')]);
    expect(run.code).toBe(1);
    const output = `${run.stdout}${run.stderr}`.replace(/\n/g, '');
    expect(output).not.toMatch(RAW);
    expect(output).toContain('\\u001b[32mverify-release: OK');
  });
});

describe('the shared sanitizer', () => {
  it('escapes controls and bidi characters, and is idempotent', () => {
    const text = `a\nb\tc\rd${ESC_OK}\u0085${BIDI}\u2028`;
    const shown = printable(text);
    expect(shown).not.toMatch(RAW);
    expect(isPrintable(shown)).toBe(true);
    expect(isPrintable(text)).toBe(false);
    expect(printable(shown)).toBe(shown);
    expect(printable('plain — text ✔ é')).toBe('plain — text ✔ é');
  });

  it('makes every error message one printable line', () => {
    const error = new VerificationError(
      'IDENTITY_MISMATCH',
      `got subject x${ESC_OK} with issuer y${BIDI}\nsecond line`,
    );
    const line = describeError(error);
    expect(line).not.toMatch(RAW);
    expect(line).not.toContain('second line');
    expect(describeError(`thrown string\u001b[31m`)).toBe('thrown string\\u001b[31m');
  });

  it('escapes what JSON.stringify leaves raw, keeping the same JSON value', () => {
    const reason = `reason ${ESC_OK}\u0085\u007f${BIDI}\u2028`;
    const target = {
      image: `ghcr.io/a/b${BIDI}`,
      version: 'v1.1.2',
      tag: `v1.1.2${ESC_OK}`,
      digest: `sha256:${'a'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: [`linux/amd64${ESC_OK}`],
    };
    const report = buildReport(target, [
      { id: 'signature', title: 'Image signature', status: 'fail', reason, evidence: { san: ESC_OK } },
    ]);
    const json = renderJson(report);
    expect(json.replace(/\n/g, '')).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(printableJson('"\u202e"')).toBe('"\\u202e"');
    const text = renderText(report, { colorLevel: 0 });
    expect(text.replace(/\n/g, '')).not.toMatch(RAW);
  });
});
