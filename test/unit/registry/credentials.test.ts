import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { createCredentialResolver } from '../../../src/registry/credentials.js';

let dir: string;
let bin: string;

// A docker-credential-helpers implementation in sh: answers for two servers, "not found" for the rest.
const HELPER = `#!/bin/sh
read server
case "$server" in
  helper.example) printf '{"ServerURL":"helper.example","Username":"helper-user","Secret":"helper-pass"}' ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"hub","Username":"<token>","Secret":"refresh-123"}' ;;
  broken.example) printf 'not json' ;;
  *) printf 'credentials not found in native keychain'; exit 1 ;;
esac
`;

async function configDir(name: string, config: unknown): Promise<string> {
  const path = join(dir, name);
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

const basic = (user: string, pass: string): string => Buffer.from(`${user}:${pass}`).toString('base64');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'verify-release-creds-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'docker-credential-test'), HELPER);
  await chmod(join(bin, 'docker-credential-test'), 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createCredentialResolver', () => {
  it('reads auths entries keyed by host or URL, auth base64 or username/password, identitytoken', async () => {
    const DOCKER_CONFIG = await configDir('auths', {
      auths: {
        'https://ghcr.io': { auth: basic('octocat', 'p:a:ss') },
        'registry.example/v2/': { username: 'u', password: 'p' },
        'quay.example': { identitytoken: 'refresh-abc', auth: basic('robot', '') },
        'https://index.docker.io/v1/': { auth: basic('hubuser', 'hubpass') },
        'empty.example': {},
      },
    });
    const resolve = createCredentialResolver({ DOCKER_CONFIG });
    expect(await resolve('ghcr.io')).toEqual({ username: 'octocat', password: 'p:a:ss' });
    expect(await resolve('registry.example')).toEqual({ username: 'u', password: 'p' });
    expect(await resolve('quay.example')).toEqual({ identityToken: 'refresh-abc', username: 'robot' });
    expect(await resolve('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(await resolve('empty.example')).toBeUndefined();
    expect(await resolve('other.example')).toBeUndefined();
  });

  it('finds $HOME/.docker/config.json when DOCKER_CONFIG is unset, and nothing without either', async () => {
    const home = join(dir, 'home');
    await configDir('home/.docker', { auths: { 'ghcr.io': { username: 'h', password: 'p' } } });
    expect(await createCredentialResolver({ HOME: home })('ghcr.io')).toEqual({ username: 'h', password: 'p' });
    expect(await createCredentialResolver({})('ghcr.io')).toBeUndefined();
  });

  it('runs credHelpers and credsStore helpers from PATH', async () => {
    const DOCKER_CONFIG = await configDir('helpers', {
      credHelpers: { 'helper.example': 'test' },
      credsStore: 'test',
      auths: { 'fallback.example': { username: 'f', password: 'g' } },
    });
    const resolve = createCredentialResolver({ DOCKER_CONFIG, PATH: bin });
    expect(await resolve('helper.example')).toEqual({ username: 'helper-user', password: 'helper-pass' });
    expect(await resolve('docker.io')).toEqual({ identityToken: 'refresh-123' });
    // The helper says "not found": the auths entry (and then anonymous) still applies.
    expect(await resolve('fallback.example')).toEqual({ username: 'f', password: 'g' });
    expect(await resolve('nothing.example')).toBeUndefined();
  });

  it('fails clearly when the helper is missing or answers garbage', async () => {
    const DOCKER_CONFIG = await configDir('missing-helper', {
      credHelpers: { 'ghcr.io': 'absent', 'broken.example': 'test' },
    });
    const resolve = createCredentialResolver({ DOCKER_CONFIG, PATH: bin });
    const missing = resolve('ghcr.io');
    await expect(missing).rejects.toBeInstanceOf(UsageError);
    await expect(missing).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'expected credential helper docker-credential-absent for ghcr.io, got no such program on PATH',
    });
    await expect(resolve('broken.example')).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'expected JSON from credential helper docker-credential-test, got unparseable output',
    });
  });

  it('uses GITHUB_TOKEN or GH_TOKEN for ghcr.io only when the config has no entry', async () => {
    expect(await createCredentialResolver({ GITHUB_TOKEN: 'ghs_1' })('ghcr.io')).toEqual({
      username: 'token',
      password: 'ghs_1',
    });
    expect(await createCredentialResolver({ GH_TOKEN: 'gho_2', GITHUB_ACTOR: 'octo' })('ghcr.io')).toEqual({
      username: 'octo',
      password: 'gho_2',
    });
    expect(await createCredentialResolver({ GITHUB_TOKEN: 'ghs_1' })('registry.example')).toBeUndefined();
    const DOCKER_CONFIG = await configDir('with-ghcr', { auths: { 'ghcr.io': { username: 'cfg', password: 'pw' } } });
    expect(await createCredentialResolver({ DOCKER_CONFIG, GITHUB_TOKEN: 'ghs_1' })('ghcr.io')).toEqual({
      username: 'cfg',
      password: 'pw',
    });
  });

  it('rejects an unreadable config and a malformed auth field', async () => {
    const bad = await configDir('bad-json', '{not json');
    await expect(createCredentialResolver({ DOCKER_CONFIG: bad })('ghcr.io')).rejects.toMatchObject({
      code: 'CONFIG',
      message: `expected a JSON object in docker config ${join(bad, 'config.json')}, got invalid content`,
    });
    const noColon = await configDir('no-colon', {
      auths: { 'ghcr.io': { auth: Buffer.from('nocolon').toString('base64') } },
    });
    await expect(createCredentialResolver({ DOCKER_CONFIG: noColon })('ghcr.io')).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'expected auths["ghcr.io"].auth to be base64 of user:password, got something else',
    });
  });
});
