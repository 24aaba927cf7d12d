import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/registry/index.js';
import { isDigest } from '../../src/model/digest.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createTestSigstore } from '../support/test-sigstore/index.js';
import { mintGcpMysqlBackupHistory, type MintedRelease } from '../support/releases.js';
import { cli } from './helpers.js';

let reg: TestRegistry;
let work: string;
let base: string[];
let history: Record<'v0.7.0' | 'v0.8.0' | 'v1.1.2' | 'latest', MintedRelease>;

beforeAll(async () => {
  reg = await startRegistry();
  const sigstore = await createTestSigstore();
  work = await mkdtemp(join(tmpdir(), 'verify-release-provenance-'));
  const trustedRoot = await sigstore.writeTrustedRoot(work);
  history = await mintGcpMysqlBackupHistory(reg, sigstore);
  base = ['--image', `${reg.host}/natrontech/gcp-mysql-backup`, '--trusted-root', trustedRoot];
});

afterAll(async () => {
  await reg?.stop();
});

/** The SLSA provenance statement as attested: the DSSE payload of the release's legacy `.att` layer, decoded. */
async function attestedStatement(digest: string): Promise<Buffer> {
  const client = new RegistryClient();
  const repo = { registry: reg.host, repository: 'natrontech/gcp-mysql-backup' };
  const manifest = await client.getManifest(repo, `sha256-${digest.slice(7)}.att`);
  const layers = 'layers' in manifest.json ? manifest.json.layers : [];
  for (const layer of layers) {
    if (!isDigest(layer.digest)) continue;
    const envelope = JSON.parse(Buffer.from(await client.getBlob(repo, layer)).toString('utf8'));
    const payload = Buffer.from(envelope.payload, 'base64');
    if (JSON.parse(payload.toString('utf8')).predicateType?.startsWith('https://slsa.dev/provenance/')) return payload;
  }
  throw new Error('expected an SLSA provenance layer in the .att manifest');
}

describe('verify-release provenance', () => {
  it('prints the attested SLSA provenance statement byte for byte, the verdict on stderr', async () => {
    const { code, stdout, stderr } = await cli(['provenance', 'v1.1.2', ...base]);
    expect(code).toBe(0);
    expect(Buffer.from(stdout, 'utf8').equals(await attestedStatement(history['v1.1.2'].digest))).toBe(true);
    expect(stderr).toMatch(/VERIFIED: 6 passed, 0 failed/);
  });

  it('--provenance-out writes the same bytes, atomically, for a verified release', async () => {
    const out = join(work, 'prov.json');
    const { code } = await cli(['v1.1.2', ...base, '--provenance-out', out]);
    expect(code).toBe(0);
    expect((await readFile(out)).equals(await attestedStatement(history['v1.1.2'].digest))).toBe(true);
  });

  it('prints nothing on stdout for a release that does not verify, and writes no file', async () => {
    const out = join(work, 'unsigned.json');
    const { code, stdout, stderr } = await cli(['provenance', 'v0.7.0', ...base, '--provenance-out', out]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('NOT VERIFIED');
    await expect(readFile(out)).rejects.toThrow();
  });

  it('every output flag is honoured by every command that verifies: sbom writes --provenance-out too', async () => {
    const prov = join(work, 'from-sbom-prov.json');
    const sbom = join(work, 'from-provenance-sbom.json');
    const fromSbom = await cli(['sbom', 'v1.1.2', ...base, '--provenance-out', prov]);
    expect(fromSbom.code).toBe(0);
    expect((await readFile(prov)).equals(await attestedStatement(history['v1.1.2'].digest))).toBe(true);
    const fromProvenance = await cli(['provenance', 'v1.1.2', ...base, '--sbom-out', sbom]);
    expect(fromProvenance.code).toBe(0);
    expect((await readFile(sbom, 'utf8')).trim()).toBe(fromSbom.stdout.trim());
  });

  it('save refuses --sbom-out and --provenance-out rather than ignore them (exit 2)', async () => {
    const run = await cli(['save', 'v1.1.2', ...base, '--output', join(work, 'layout'), '--sbom-out', 'x.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected no --sbom-out with save');
  });

  it('refuses a selection without the signature or provenance check (exit 2, before any network work)', async () => {
    const { code, stdout, stderr } = await cli(['provenance', 'v1.1.2', ...base, '--checks', 'provenance']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('missing signature');
  });
});

describe('--format', () => {
  it('markdown renders the report as Markdown; --json with another --format is a usage error', async () => {
    const markdown = await cli(['v1.1.2', ...base, '--format', 'markdown', '--checks', 'resolve,signature']);
    expect(markdown.stdout).toContain('### ✅ VERIFIED');
    expect(markdown.code).toBe(0);
    const conflict = await cli(['v1.1.2', ...base, '--json', '--format', 'text']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('--json or --format');
  });
});
