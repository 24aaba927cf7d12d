import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type FaultServer } from '../support/fault-server.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { mintGcpMysqlBackupHistory } from '../support/releases.js';
import { createTestSigstore } from '../support/test-sigstore/index.js';
import { ALL_PASS, cliJson, statuses } from './helpers.js';

// A recording pass-through in front of the real registry: what a full verification asks the registry for.
let reg: TestRegistry;
let proxy: FaultServer;
let trustedRoot: string;

beforeAll(async () => {
  reg = await startRegistry();
  const sigstore = await createTestSigstore();
  trustedRoot = await sigstore.writeTrustedRoot(await mkdtemp(join(tmpdir(), 'verify-release-requests-')));
  await mintGcpMysqlBackupHistory(reg, sigstore);
  proxy = await startRecordingProxy(reg.host);
});

afterAll(async () => {
  await proxy?.stop();
  await reg?.stop();
});

describe('the requests of a full verification', () => {
  it('asks for nothing twice, and for little', async () => {
    const { report } = await cliJson([
      'latest',
      '--image',
      `${proxy.host}/natrontech/gcp-mysql-backup`,
      '--trusted-root',
      trustedRoot,
    ]);
    expect(statuses(report)).toEqual(ALL_PASS);
    const asked = proxy.requests.map((request) => `${request.method} ${request.path}`);
    expect(asked.filter((request, index) => asked.indexOf(request) !== index)).toEqual([]);
    // Tags, the index, its evidence in both formats, their blobs: about a dozen, never one per platform or per tag.
    expect(asked.length).toBeLessThanOrEqual(16);
  });
});
