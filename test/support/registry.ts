import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest, type Digest } from '../../src/model/digest.js';
import { startTokenServer, type TokenServer } from './token-server.js';

/** A real CNCF distribution 2.8 registry (Debian `docker-registry`) on 127.0.0.1, in-memory storage. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`, usable as the registry part of an image reference. */
  host: string;
  stop(): Promise<void>;
  /** Push credentials (token variant only); anonymous callers may pull. */
  credentials?: { username: string; password: string };
  /** The token server (token variant only), to inspect which scopes were requested. */
  tokenServer?: TokenServer;
}

const NOT_INSTALLED = 'docker-registry is not installed (apt-get install -y docker-registry)';

/**
 * Spawns `docker-registry serve` on an ephemeral port and waits for its `listening on` log line. With
 * `auth: 'token'` it also starts a token server (anonymous pull, credentialed push).
 *
 * @throws when the binary is missing: tests fail with the install command, never skip.
 */
export async function startRegistry(options: { auth?: 'none' | 'token' } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-release-registry-'));
  const tokenServer = options.auth === 'token' ? await startTokenServer() : undefined;
  let auth = '';
  if (tokenServer !== undefined) {
    await writeFile(join(dir, 'token.crt'), tokenServer.certificatePem);
    auth = [
      'auth:',
      '  token:',
      `    realm: ${tokenServer.realm}`,
      `    service: ${tokenServer.service}`,
      `    issuer: ${tokenServer.issuer}`,
      `    rootcertbundle: ${join(dir, 'token.crt')}`,
    ].join('\n');
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: info', // the "listening on" line is logged at info
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  inmemory: {}',
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:0',
    '  secret: test-secret',
    auth,
  ].join('\n');
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, config);

  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  const cleanup = async (): Promise<void> => {
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  let host: string;
  try {
    host = await new Promise<string>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(
        () => reject(new Error(`docker-registry did not report "listening on" within 20 s:\n${log}`)),
        20_000,
      );
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new Error(error.code === 'ENOENT' ? NOT_INSTALLED : `docker-registry failed to start: ${error.message}`),
        );
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`docker-registry exited with code ${code} before listening:\n${log}`));
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        const match = /listening on (127\.0\.0\.1:\d+)/.exec(log);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
  } catch (error) {
    child.kill('SIGTERM');
    await cleanup();
    throw error;
  }
  // Keep draining stderr so the registry never blocks on a full pipe, without keeping (or scanning) its log.
  child.stderr.removeAllListeners('data');
  child.stderr.resume();
  child.removeAllListeners('exit');

  return {
    host,
    ...(tokenServer !== undefined && { credentials: tokenServer.credentials, tokenServer }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      await cleanup();
    },
  };
}

/** Uploads a blob (monolithic POST + PUT) and returns its descriptor fields. */
export async function pushBlob(
  reg: TestRegistry,
  repo: string,
  bytes: Uint8Array,
): Promise<{ digest: Digest; size: number }> {
  const digest = sha256Digest(bytes);
  const start = await pushFetch(reg, repo, `http://${reg.host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(start, 202, `start upload to ${repo}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${reg.host}/`);
  location.searchParams.set('digest', digest);
  const put = await pushFetch(reg, repo, location.href, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  await expectStatus(put, 201, `upload ${digest} to ${repo}`);
  return { digest, size: bytes.byteLength };
}

/** Puts manifest bytes under a tag or digest; returns the digest of the bytes (checked against the registry's). */
export async function pushManifest(
  reg: TestRegistry,
  repo: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<Digest> {
  const response = await pushFetch(reg, repo, `http://${reg.host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: bytes,
  });
  await expectStatus(response, 201, `put manifest ${repo}:${reference}`);
  const digest = sha256Digest(bytes);
  const announced = response.headers.get('docker-content-digest');
  if (announced !== digest) throw new Error(`registry stored ${repo}:${reference} as ${announced}, expected ${digest}`);
  return digest;
}

/** Serialises a manifest object and pushes it with its own `mediaType`. */
export async function pushJsonManifest(
  reg: TestRegistry,
  repo: string,
  reference: string,
  manifest: { mediaType?: string; [field: string]: unknown },
): Promise<{ digest: Digest; size: number; bytes: Uint8Array }> {
  if (manifest.mediaType === undefined) throw new Error('pushJsonManifest needs manifest.mediaType');
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const digest = await pushManifest(reg, repo, reference, bytes, manifest.mediaType);
  return { digest, size: bytes.byteLength, bytes };
}

/**
 * Builds and pushes one tiny OCI image per platform (config + one layer, bytes derived from `seed`, so the same seed
 * gives the same digests) and an OCI index over them, tagged `tag`.
 */
export async function pushImageIndex(
  reg: TestRegistry,
  repo: string,
  tag: string,
  options: { platforms?: string[]; seed?: string } = {},
): Promise<{ digest: Digest; size: number; mediaType: string; children: Digest[] }> {
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64'];
  const seed = options.seed ?? `${repo}:${tag}`;
  const manifests = [];
  for (const platform of platforms) {
    const [os = 'linux', architecture = 'amd64', variant] = platform.split('/');
    const layer = createHash('sha256').update(`${seed}/${platform}/layer`).digest();
    const layerDescriptor = await pushBlob(reg, repo, layer);
    const config = new TextEncoder().encode(
      JSON.stringify({
        architecture,
        os,
        ...(variant && { variant }),
        config: { Labels: { seed } },
        rootfs: { type: 'layers', diff_ids: [layerDescriptor.digest] },
      }),
    );
    const configDescriptor = await pushBlob(reg, repo, config);
    // Child manifests are stored under their own digest, as `crane`/`docker buildx` do.
    const bytes = manifestBytes(configDescriptor, layerDescriptor);
    const digest = await pushManifest(reg, repo, sha256Digest(bytes), bytes, OCI_MANIFEST);
    manifests.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: bytes.byteLength,
      platform: { os, architecture, ...(variant && { variant }) },
    });
  }
  const index = await pushJsonManifest(reg, repo, tag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  return { digest: index.digest, size: index.size, mediaType: OCI_INDEX, children: manifests.map((m) => m.digest) };
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function manifestBytes(config: { digest: Digest; size: number }, layer: { digest: Digest; size: number }): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    }),
  );
}

const pushTokens = new WeakMap<TestRegistry, Map<string, string>>();

/**
 * fetch with push credentials: on a 401 Bearer challenge, gets a `pull,push` token from the realm with the registry's
 * credentials (cached per repository) and repeats the request. Deliberately independent of src/registry.
 */
async function pushFetch(reg: TestRegistry, repo: string, url: string, init: RequestInit): Promise<Response> {
  const tokens = pushTokens.get(reg) ?? new Map<string, string>();
  pushTokens.set(reg, tokens);
  const withToken = (token: string | undefined): RequestInit =>
    token === undefined
      ? init
      : { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } };
  const first = await fetch(url, withToken(tokens.get(repo)));
  const challenge = first.headers.get('www-authenticate');
  if (first.status !== 401 || challenge === null || reg.credentials === undefined) return first;
  await first.arrayBuffer();
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
  const service = /service="([^"]+)"/.exec(challenge)?.[1];
  if (realm === undefined) throw new Error(`no realm in challenge ${challenge}`);
  const tokenUrl = new URL(realm);
  if (service !== undefined) tokenUrl.searchParams.set('service', service);
  tokenUrl.searchParams.set('scope', `repository:${repo}:pull,push`);
  const basic = Buffer.from(`${reg.credentials.username}:${reg.credentials.password}`).toString('base64');
  const tokenResponse = await fetch(tokenUrl, { headers: { authorization: `Basic ${basic}` } });
  await expectStatus(tokenResponse, 200, `get push token for ${repo}`);
  const { token } = (await tokenResponse.json()) as { token: string };
  tokens.set(repo, token);
  return fetch(url, withToken(token));
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status === status) return;
  throw new Error(`${what}: expected HTTP ${status}, got ${response.status} ${await response.text()}`);
}
