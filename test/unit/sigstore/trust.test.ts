import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import {
  embeddedTrustRoot,
  loadTrustRoot,
  trustRootFromJson,
  validatedLibraryForm,
} from '../../../src/sigstore/trust.js';
import { conformanceRootJson, readJson, REALWORLD } from './bundle/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'verify-release-trust-'));

describe('trustRootFromJson', () => {
  it('accepts the public-good root', () => {
    expect(trustRootFromJson(readJson('trusted-roots/public-good.trusted_root.json'), 'file').source).toBe('file');
  });

  it('rejects a tlog key whose validFor has no start (conformance trust-root-tlog-missing-validity-start)', () => {
    expect(() => trustRootFromJson(conformanceRootJson('trust-root-tlog-missing-validity-start_fail'), 'file')).toThrow(
      expect.objectContaining({
        code: 'TRUST_ROOT_ERROR',
        message: 'trusted root: expected tlogs[1].publicKey.validFor.start, got none',
      }),
    );
  });

  it('accepts a tlog key with no validFor at all (valid forever, as in the sigstore-js fixture root)', () => {
    expect(() =>
      trustRootFromJson(readJson('sigstore-js/extracted/verify-fixture.trusted_root.json'), 'file'),
    ).not.toThrow();
  });

  it.each([
    ['a non-object', 'nope', /expected a JSON object/],
    ['a wrong mediaType', { mediaType: 'application/json', tlogs: [] }, /expected a trustedroot mediaType/],
    [
      'tlogs that are not an array',
      { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: {} },
      /tlogs to be an array/,
    ],
  ])('rejects %s', (_name, json, message) => {
    expect(() => trustRootFromJson(json, 'file')).toThrow(message);
  });

  it('rejects a root whose key bytes do not parse', () => {
    const root = readJson('trusted-roots/public-good.trusted_root.json');
    root.tlogs[0].publicKey.rawBytes = Buffer.from('not a key').toString('base64');
    expect(() => trustRootFromJson(root, 'file')).toThrow(expect.objectContaining({ code: 'TRUST_ROOT_ERROR' }));
  });
});

describe('loadTrustRoot', () => {
  it('reads a trusted_root.json file', async () => {
    const root = await loadTrustRoot({ path: join(REALWORLD, 'trusted-roots/staging.trusted_root.json') });
    expect(root.source).toBe('file');
    expect(root.notice).toBeUndefined();
  });

  it('merges JSON Lines (gh attestation trusted-root) into one root', async () => {
    const path = join(
      REALWORLD,
      'sigstore-java/sigstore-java/src/test/resources/dev/sigstore/samples/bundles/github-private-no-tlog/trusted_root.jsonl',
    );
    const root = (await loadTrustRoot({ path })).json as { certificateAuthorities: unknown[]; tlogs: unknown[] };
    const lines = (await import('node:fs'))
      .readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(root.certificateAuthorities).toHaveLength(lines.reduce((n, l) => n + l.certificateAuthorities.length, 0));
    expect(root.tlogs).toHaveLength(lines[0].tlogs.length);
  });

  it('rejects a malformed file', async () => {
    const path = join(tmp, 'bad.json');
    writeFileSync(path, '{"mediaType": ');
    await expect(loadTrustRoot({ path })).rejects.toMatchObject({ code: 'TRUST_ROOT_ERROR' });
  });

  it('rejects a missing file', async () => {
    await expect(loadTrustRoot({ path: join(tmp, 'absent.json') })).rejects.toMatchObject({ code: 'TRUST_ROOT_ERROR' });
  });

  it('rejects a FIFO without opening it (the read is synchronous: opening one would wait for a writer)', async () => {
    const fifo = join(tmp, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    await expect(loadTrustRoot({ path: fifo })).rejects.toMatchObject({
      code: 'TRUST_ROOT_ERROR',
      message: expect.stringContaining(`expected a readable file at ${fifo}, got a special file (not a regular file)`),
    });
  });

  it('rejects a file above 16 MiB before parsing it, and a directory', async () => {
    const path = join(tmp, 'huge.json');
    writeFileSync(path, `[${' '.repeat(16 * 1024 * 1024)}]`);
    await expect(loadTrustRoot({ path })).rejects.toMatchObject({
      code: 'TRUST_ROOT_ERROR',
      message: expect.stringContaining('got a file of 16777218 bytes, more than 16777216'),
    });
    await expect(loadTrustRoot({ path: tmp })).rejects.toMatchObject({
      message: expect.stringContaining(`expected a readable file at ${tmp}, got a directory`),
    });
  });

  it('offline: uses the root embedded in @sigstore/tuf without a notice', async () => {
    const root = await loadTrustRoot({ offline: true });
    expect(root.source).toBe('embedded');
    expect(root.notice).toBeUndefined();
    expect(root.json).toEqual(readJson('trusted-roots/public-good.trusted_root.json'));
  });

  it('falls back to the embedded root with a notice when TUF is unreachable (loopback mirror, no network)', async () => {
    const root = await loadTrustRoot({
      cacheDir: join(tmp, 'tuf'),
      env: { TUF_MIRROR: 'http://127.0.0.1:9' },
      timeoutMs: 1000,
    });
    expect(root.source).toBe('embedded');
    expect(root.notice).toMatch(
      /^TUF unreachable .*: using the trusted root embedded in @sigstore\/tuf \(may be stale\)$/,
    );
  });
});

describe('the embedded public-good root', () => {
  it('is found under the mirror URL that @sigstore/tuf uses', async () => {
    const { DEFAULT_MIRROR_URL } = await import('@sigstore/tuf');
    expect(DEFAULT_MIRROR_URL).toBe('https://tuf-repo-cdn.sigstore.dev');
    expect(embeddedTrustRoot().source).toBe('embedded');
  });
});

// Issue 13.4: JSON Lines were merged loosely, so the order of the lines decided which key was trusted.
describe('trusted roots are validated whole', () => {
  const publicGood = () => readJson('trusted-roots/public-good.trusted_root.json');
  const staging = () => readJson('trusted-roots/staging.trusted_root.json');

  function writeLines(name: string, roots: unknown[]): string {
    const path = join(tmp, name);
    writeFileSync(path, roots.map((root) => JSON.stringify(root)).join('\n'));
    return path;
  }

  it.each([
    ['a bogus mediaType', 'application/json'],
    ['no mediaType', undefined],
  ])('rejects a second line with %s', async (_name, mediaType) => {
    const second = { ...staging(), mediaType };
    const path = writeLines('media.jsonl', [publicGood(), second]);
    await expect(loadTrustRoot({ path })).rejects.toThrow(
      `trusted root: expected a trustedroot mediaType on line 2 of ${path}, got ${String(mediaType)}`,
    );
  });

  it.each(['tlogs', 'ctlogs'] as const)('rejects a %s log ID listed twice with different keys', async (list) => {
    const forged = publicGood();
    forged[list] = [{ ...forged[list][0], publicKey: staging()[list][0].publicKey }];
    const path = writeLines(`${list}.jsonl`, [publicGood(), forged]);
    const what = list === 'tlogs' ? 'transparency log' : 'CT log';
    await expect(loadTrustRoot({ path })).rejects.toMatchObject({ code: 'TRUST_ROOT_ERROR' });
    await expect(loadTrustRoot({ path })).rejects.toThrow(
      `expected one key per ${what} ID ${forged[list][0].logId.keyId}, got conflicting entries in ${list}`,
    );
    // The same conflict inside one JSON document.
    const merged = publicGood();
    merged[list] = [...merged[list], ...forged[list]];
    expect(() => trustRootFromJson(merged, 'file')).toThrow('got conflicting entries');
  });

  it('rejects a certificate authority listed twice with the same subject and start but another key', () => {
    const root = publicGood();
    const ca = root.certificateAuthorities.at(-1);
    root.certificateAuthorities.push({ ...ca, certChain: staging().certificateAuthorities.at(-1).certChain });
    expect(() => trustRootFromJson(root, 'file')).toThrow(
      'expected one key per certificate authority sigstore.dev/sigstore, got conflicting entries in certificateAuthorities',
    );
  });

  it('drops identical duplicates (the same root on two lines) and keeps CA rotations', async () => {
    const path = writeLines('twice.jsonl', [publicGood(), publicGood()]);
    const root = (await loadTrustRoot({ path })).json;
    expect(root).toEqual(publicGood());
  });

  it('rejects a root without certificate authorities and transparency logs, naming them', () => {
    const root = { ...publicGood(), certificateAuthorities: [], tlogs: [] };
    expect(() => trustRootFromJson(root, 'file')).toThrow(
      'trusted root: expected at least one certificate authority or transparency log, got neither (certificateAuthorities and tlogs are empty)',
    );
  });

  it('requires a certificate authority and a log or TSA for keyless verification', async () => {
    const noCa = writeLines('no-ca.json', [{ ...publicGood(), certificateAuthorities: [] }]);
    await expect(loadTrustRoot({ path: noCa, keyless: true })).rejects.toThrow(
      `trusted root: expected a certificate authority (certificateAuthorities) for keyless signatures in ${noCa}, got none`,
    );
    const noTime = writeLines('no-time.json', [{ ...publicGood(), tlogs: [], timestampAuthorities: [] }]);
    await expect(loadTrustRoot({ path: noTime, keyless: true })).rejects.toThrow(
      'expected a transparency log or timestamp authority (tlogs, timestampAuthorities) for keyless signatures',
    );
    await expect(loadTrustRoot({ path: noTime })).resolves.toMatchObject({ source: 'file' });
  });
});

describe('validatedLibraryForm', () => {
  it('keeps what validating a root built, for that root object only, as the library would build it', () => {
    const json = readJson('trusted-roots/public-good.trusted_root.json');
    const trust = trustRootFromJson(json, 'file');
    const form = validatedLibraryForm(trust);
    expect(form?.trustMaterial.certificateAuthorities.length).toBeGreaterThan(0);
    expect(form?.trustMaterial.tlogs.map((log) => log.logID)).toEqual(
      toTrustMaterial(TrustedRoot.fromJSON(trust.json)).tlogs.map((log) => log.logID),
    );
    expect(validatedLibraryForm({ ...trust })).toBeUndefined();
  });
});
