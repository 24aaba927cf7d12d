/**
 * `npm run fixtures:training`: writes fixtures/training/gcp-mysql-backup/, the OCI image layout that the build
 * verifies once, offline, before it makes the CLI's V8 code cache (scripts/build-cli.mjs), so the cache holds the
 * verification code already compiled and not only the bundle's top level. Minted as the bench's release is: a
 * loopback docker-registry, the seeded test Sigstore, the gcp-mysql-backup-like history, then `verify-release save`
 * of its latest release (the layout carries its trusted root; the build selects it by digest).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestRegistry } from '../test/support/registry.js';
import { startGcpMysqlBackupRegistry } from '../test/support/releases.js';

// Compiled to dist-bench/scripts/, so the repository root is two levels up.
const ROOT = resolve(import.meta.dirname, '../..');
const OUTPUT = join(ROOT, 'fixtures/training/gcp-mysql-backup');

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'verify-release-training-'));
  let reg: TestRegistry | undefined;
  try {
    const started = await startGcpMysqlBackupRegistry(work);
    reg = started.reg;
    await mkdir(dirname(OUTPUT), { recursive: true });
    const save = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/verify-release.js'),
        'save',
        'latest',
        '--image',
        `${reg.host}/natrontech/gcp-mysql-backup`,
        '--trusted-root',
        started.trustedRoot,
        '--output',
        OUTPUT,
        '--force',
        '--quiet',
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent' }, encoding: 'utf8' },
    );
    if (save.status !== 0)
      throw new Error(`expected save to exit 0, got ${save.status}:\n${save.stdout}${save.stderr}`);
    process.stdout.write(save.stdout);
  } finally {
    await reg?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
