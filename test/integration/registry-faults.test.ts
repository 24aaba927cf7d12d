import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { sha256Digest } from '../../src/model/digest.js';
import { OCI_INDEX, OCI_MANIFEST, RegistryClient, type RegistryClientOptions } from '../../src/registry/index.js';
import {
  jsonBytes,
  sendError,
  sendJson,
  sendManifest,
  sendTruncated,
  startFaultServer,
  type FaultHandler,
  type FaultServer,
} from '../support/fault-server.js';
import { rejection } from '../support/expect-error.js';

const REPO = 'acme/app';
const MANIFEST = jsonBytes({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: {
    mediaType: 'application/vnd.oci.empty.v1+json',
    digest: sha256Digest(new TextEncoder().encode('{}')),
    size: 2,
  },
  layers: [],
});
const BLOB = new TextEncoder().encode('the real blob content');
const BLOB_DIGEST = sha256Digest(BLOB);

const servers: FaultServer[] = [];
let dockerConfigDir: string;

async function serve(handler: FaultHandler): Promise<FaultServer> {
  const server = await startFaultServer(handler);
  servers.push(server);
  return server;
}

function clientFor(options: RegistryClientOptions = {}): { client: RegistryClient; slept: number[] } {
  const slept: number[] = [];
  const client = new RegistryClient({ env: {}, sleep: async (ms) => void slept.push(ms), ...options });
  return { client, slept };
}

const failure = (promise: Promise<unknown>): Promise<RegistryError> => rejection(promise, RegistryError);

beforeAll(async () => {
  dockerConfigDir = await mkdtemp(join(tmpdir(), 'verify-release-faults-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(async () => {
  await rm(dockerConfigDir, { recursive: true, force: true });
});

describe('retry', () => {
  it('waits as Retry-After says on 429, then succeeds', async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      if (++calls <= 2) return sendError(res, 429, 'TOOMANYREQUESTS', 'slow down', { 'retry-after': '2' });
      sendManifest(res, MANIFEST.bytes, OCI_MANIFEST);
    });
    const { client, slept } = clientFor();
    const manifest = await client.getManifest({ registry: server.host, repository: REPO }, 'v1');
    expect(manifest.digest).toBe(MANIFEST.digest);
    expect(slept).toEqual([2000, 2000]);
  });

  it('gives up after the configured retries with the registry error', async () => {
    const server = await serve((_req, res) => sendError(res, 429, 'TOOMANYREQUESTS', 'slow down'));
    const { client, slept } = clientFor({ retries: 2 });
    const error = await failure(client.getManifest({ registry: server.host, repository: REPO }, 'v1'));
    expect(error).toMatchObject({ code: 'REGISTRY', status: 429, registryCode: 'TOOMANYREQUESTS' });
    expect(error.message).toBe(`expected manifest ${server.host}/${REPO}:v1, got HTTP 429 TOOMANYREQUESTS "slow down"`);
    expect(slept).toEqual([1000, 2000]);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a connection reset mid-request', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      if (++calls === 1) return req.socket.destroy();
      sendManifest(res, MANIFEST.bytes, OCI_MANIFEST);
    });
    const { client, slept } = clientFor();
    expect((await client.getManifest({ registry: server.host, repository: REPO }, 'v1')).digest).toBe(MANIFEST.digest);
    expect(slept).toEqual([1000]);
  });
});

describe('lying and broken registries', () => {
  it('rejects a manifest whose bytes do not match Docker-Content-Digest (by tag)', async () => {
    const claimed = sha256Digest(new TextEncoder().encode('something else'));
    const server = await serve((_req, res) => sendManifest(res, MANIFEST.bytes, OCI_MANIFEST, { digest: claimed }));
    const error = await failure(clientFor().client.getManifest({ registry: server.host, repository: REPO }, 'v1'));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toBe(`registry returned content for ${claimed} whose digest is ${MANIFEST.digest}`);
  });

  it('rejects a manifest whose bytes do not match the digest requested, whatever the header says', async () => {
    const requested = sha256Digest(new TextEncoder().encode('the manifest I asked for'));
    const server = await serve((_req, res) => sendManifest(res, MANIFEST.bytes, OCI_MANIFEST, { digest: requested }));
    const error = await failure(clientFor().client.getManifest({ registry: server.host, repository: REPO }, requested));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toBe(`registry returned content for ${requested} whose digest is ${MANIFEST.digest}`);
  });

  it('rejects a blob whose bytes do not match its digest', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('tampered blob content!'));
    const error = await failure(
      clientFor().client.getBlob({ registry: server.host, repository: REPO }, { digest: BLOB_DIGEST }),
    );
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toBe(
      `registry returned content for ${BLOB_DIGEST} whose digest is ${sha256Digest(new TextEncoder().encode('tampered blob content!'))}`,
    );
  });

  it('uses the body digest when Docker-Content-Digest is absent', async () => {
    const server = await serve((_req, res) => sendManifest(res, MANIFEST.bytes, OCI_MANIFEST, { digest: null }));
    expect((await clientFor().client.getManifest({ registry: server.host, repository: REPO }, 'v1')).digest).toBe(
      MANIFEST.digest,
    );
  });

  it('rejects a body cut short of its Content-Length', async () => {
    const server = await serve((_req, res) => sendTruncated(res, BLOB.subarray(0, 5), BLOB.byteLength));
    const error = await failure(
      clientFor().client.getBlob({ registry: server.host, repository: REPO }, { digest: BLOB_DIGEST }),
    );
    expect(error.code).toBe('MALFORMED_RESPONSE');
    expect(error.message).toBe(
      `expected ${BLOB.byteLength} bytes for blob ${server.host}/${REPO}@${BLOB_DIGEST}, got 5 (truncated)`,
    );
  });

  it('refuses manifests over 4 MiB and blobs over the configured cap while streaming', async () => {
    const big = new Uint8Array(64 * 1024).fill(97);
    const server = await serve((req, res) => {
      if (req.url?.includes('/manifests/'))
        return res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(5 * 1024 * 1024) }).end();
      // Chunked, so the cap is hit while reading rather than from Content-Length.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(big);
      res.end(big);
    });
    const manifestError = await failure(
      clientFor().client.getManifest({ registry: server.host, repository: REPO }, 'v1'),
    );
    expect(manifestError.code).toBe('TOO_LARGE');
    expect(manifestError.message).toBe(
      `expected manifest ${server.host}/${REPO}:v1 of at most 4194304 bytes, got Content-Length 5242880`,
    );
    const blobError = await failure(
      clientFor({ maxBlobBytes: 100_000 }).client.getBlob(
        { registry: server.host, repository: REPO },
        { digest: BLOB_DIGEST },
      ),
    );
    expect(blobError.code).toBe('TOO_LARGE');
    expect(blobError.message).toBe(
      `expected blob ${server.host}/${REPO}@${BLOB_DIGEST} of at most 100000 bytes, got more`,
    );
  });

  it('refuses unknown manifest media types and malformed manifests', async () => {
    const schema1 = jsonBytes({ schemaVersion: 1, name: REPO, fsLayers: [] });
    const broken = jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: 'sha256:short', size: 1 }],
    });
    const server = await serve((req, res) => {
      if (req.url?.endsWith('/schema1'))
        return sendManifest(res, schema1.bytes, 'application/vnd.docker.distribution.manifest.v1+prettyjws');
      sendManifest(res, broken.bytes, OCI_INDEX);
    });
    const { client } = clientFor();
    const unknown = await failure(client.getManifest({ registry: server.host, repository: REPO }, 'schema1'));
    expect(unknown.code).toBe('MALFORMED_RESPONSE');
    expect(unknown.message).toBe(
      `expected an OCI/Docker v2 manifest or index for manifest ${server.host}/${REPO}:schema1, got media type "application/vnd.docker.distribution.manifest.v1+prettyjws"`,
    );
    const malformed = await failure(client.getManifest({ registry: server.host, repository: REPO }, 'broken'));
    expect(malformed.code).toBe('MALFORMED_RESPONSE');
    expect(malformed.message).toBe(
      `expected a valid ${OCI_INDEX} for manifest ${server.host}/${REPO}:broken, got bad field manifests.0.digest: expected sha256:<64 hex>`,
    );
  });

  it('maps registry errors: 403 → AUTH, 500 → REGISTRY (not retried), with the registry code', async () => {
    const server = await serve((req, res) => {
      if (req.url?.includes('denied'))
        return sendError(res, 403, 'DENIED', 'requested access to the resource is denied');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal\nerror');
    });
    const { client, slept } = clientFor();
    const denied = await failure(client.getManifest({ registry: server.host, repository: REPO }, 'denied'));
    expect(denied).toMatchObject({ code: 'AUTH', status: 403, registryCode: 'DENIED' });
    expect(denied.message).toBe(
      `expected manifest ${server.host}/${REPO}:denied, got HTTP 403 DENIED "requested access to the resource is denied"`,
    );
    const internal = await failure(client.getManifest({ registry: server.host, repository: REPO }, 'v1'));
    expect(internal).toMatchObject({
      code: 'REGISTRY',
      status: 500,
      registryCode: undefined,
      message: `expected manifest ${server.host}/${REPO}:v1, got HTTP 500`,
    });
    expect(slept).toEqual([]);
  });

  it('reports a refused connection as NETWORK naming the host', async () => {
    const server = await serve((_req, res) => res.end());
    await server.stop();
    const error = await failure(clientFor().client.getManifest({ registry: server.host, repository: REPO }, 'v1'));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(
      `connection refused by ${server.host} (ECONNREFUSED) for manifest ${server.host}/${REPO}:v1`,
    );
  });

  it('times out a registry that never answers', async () => {
    const server = await serve(() => undefined);
    const error = await failure(
      clientFor({ timeoutMs: 100 }).client.getManifest({ registry: server.host, repository: REPO }, 'v1'),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe(
      `no answer from ${server.host} within 0.1 s (--request-timeout) for manifest ${server.host}/${REPO}:v1`,
    );
  });
  it('times out a body that stops arriving, rather than calling it truncated', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(BLOB.byteLength) });
      res.write(BLOB.subarray(0, 5));
    });
    const error = await failure(
      clientFor({ timeoutMs: 100 }).client.getBlob(
        { registry: server.host, repository: REPO },
        { digest: BLOB_DIGEST },
      ),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe(
      `blob ${server.host}/${REPO}@${BLOB_DIGEST} from ${server.host} did not finish arriving within 0.1 s (--request-timeout)`,
    );
  });
});

describe('auth and redirects', () => {
  it('sends Basic credentials to the registry but not to the host a blob redirects to', async () => {
    const cdn = await serve((_req, res) => res.writeHead(200, { 'content-length': String(BLOB.byteLength) }).end(BLOB));
    const registry = await serve((req, res) => {
      if (req.headers.authorization === undefined)
        return sendError(res, 401, 'UNAUTHORIZED', 'auth required', { 'www-authenticate': 'Basic realm="test"' });
      res.writeHead(307, { location: `http://${cdn.host}/blobs/${BLOB_DIGEST}?sig=abc` }).end();
    });
    await writeFile(
      join(dockerConfigDir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { username: 'u', password: 'p' } } }),
    );
    const { client } = clientFor({ env: { DOCKER_CONFIG: dockerConfigDir } });

    const bytes = await client.getBlob(
      { registry: registry.host, repository: REPO },
      { digest: BLOB_DIGEST, size: BLOB.byteLength },
    );
    expect(new TextDecoder().decode(bytes)).toBe('the real blob content');
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([
      undefined,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    ]);
    expect(cdn.requests).toHaveLength(1);
    expect(cdn.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("never answers a redirect target's own challenge with the registry's credentials", async () => {
    const realm = await serve((_req, res) => sendJson(res, 200, { token: 'stolen' }));
    const cdn = await serve((_req, res) =>
      sendError(res, 401, 'UNAUTHORIZED', 'log in', {
        'www-authenticate': `Bearer realm="http://${realm.host}/token",service="cdn"`,
      }),
    );
    const registry = await serve((req, res) => {
      if (req.headers.authorization === undefined)
        return sendError(res, 401, 'UNAUTHORIZED', 'auth required', { 'www-authenticate': 'Basic realm="test"' });
      res.writeHead(307, { location: `http://${cdn.host}/blobs/${BLOB_DIGEST}` }).end();
    });
    await writeFile(
      join(dockerConfigDir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { username: 'u', password: 'secret' } } }),
    );
    const { client } = clientFor({ env: { DOCKER_CONFIG: dockerConfigDir } });

    const error = await failure(client.getBlob({ registry: registry.host, repository: REPO }, { digest: BLOB_DIGEST }));

    expect(error.code).toBe('AUTH');
    expect(error.message).toBe(
      `expected blob ${registry.host}/${REPO}@${BLOB_DIGEST} from ${cdn.host} without credentials, got HTTP 401 asking to authenticate at ${realm.host}; credentials for ${registry.host} are sent to ${registry.host} only`,
    );
    expect(realm.requests).toEqual([]);
    expect(cdn.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  it('refuses a token realm that redirects a refresh-token POST to another host', async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, { token: 'stolen' }));
    const realm = await serve((_req, res) => res.writeHead(307, { location: `http://${elsewhere.host}/token` }).end());
    const registry = await serve((_req, res) =>
      sendError(res, 401, 'UNAUTHORIZED', 'auth required', {
        'www-authenticate': `Bearer realm="http://${realm.host}/token",service="test"`,
      }),
    );
    await writeFile(
      join(dockerConfigDir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { identitytoken: 'refresh-secret' } } }),
    );
    const { client } = clientFor({ env: { DOCKER_CONFIG: dockerConfigDir } });

    const error = await failure(client.getManifest({ registry: registry.host, repository: REPO }, 'v1'));

    expect(error.code).toBe('AUTH');
    expect(error.message).toBe(
      `expected a token for repository:${REPO}:pull from ${realm.host} to be answered by ${realm.host}, got HTTP 307 to ${elsewhere.host}; a request body is never re-sent to another host`,
    );
    expect(realm.requests.map((r) => r.method)).toEqual(['POST']);
    expect(elsewhere.requests).toEqual([]);
  });

  it('fails with AUTH when Basic auth is required and no credentials exist', async () => {
    const server = await serve((_req, res) =>
      sendError(res, 401, 'UNAUTHORIZED', 'auth required', { 'www-authenticate': 'Basic realm="test"' }),
    );
    const error = await failure(clientFor().client.getManifest({ registry: server.host, repository: REPO }, 'v1'));
    expect(error.code).toBe('AUTH');
    expect(error.message).toBe(`expected username/password credentials for ${server.host} (Basic auth), got none`);
  });

  it('stops after 5 redirects', async () => {
    const server = await serve((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    const error = await failure(
      clientFor().client.getBlob({ registry: server.host, repository: REPO }, { digest: BLOB_DIGEST }),
    );
    expect(error.code).toBe('REGISTRY');
    expect(error.message).toBe(`expected at most 5 redirects for blob ${server.host}/${REPO}@${BLOB_DIGEST}, got more`);
    expect(server.requests).toHaveLength(6);
  });
});

describe('pagination', () => {
  it('follows Link headers through the tag list', async () => {
    const server = await serve((_req, res, url) => {
      const last = url.searchParams.get('last');
      if (last === null)
        return sendJson(
          res,
          200,
          { name: REPO, tags: ['v1.0.0', 'v1.1.0'] },
          { link: `</v2/${REPO}/tags/list?n=1000&last=v1.1.0>; rel="next"` },
        );
      if (last === 'v1.1.0')
        return sendJson(res, 200, { name: REPO, tags: ['v1.2.0'] }, { link: `<?n=1000&last=v1.2.0>; rel="next"` });
      sendJson(res, 200, { name: REPO, tags: null });
    });
    expect(await clientFor().client.listTags({ registry: server.host, repository: REPO })).toEqual([
      'v1.0.0',
      'v1.1.0',
      'v1.2.0',
    ]);
    expect(server.requests.map((r) => r.path)).toEqual([
      `/v2/${REPO}/tags/list?n=1000`,
      `/v2/${REPO}/tags/list?n=1000&last=v1.1.0`,
      `/v2/${REPO}/tags/list?n=1000&last=v1.2.0`,
    ]);
  });

  it('refuses a Link to another host and a pagination loop', async () => {
    const server = await serve((_req, res, url) => {
      if (url.pathname.includes('/loop/'))
        return sendJson(res, 200, { tags: ['a'] }, { link: '<?n=1000>; rel="next"' });
      sendJson(res, 200, { tags: ['a'] }, { link: '<http://evil.example/v2/x/tags/list>; rel="next"' });
    });
    const { client } = clientFor();
    const offHost = await failure(client.listTags({ registry: server.host, repository: REPO }));
    expect(offHost.code).toBe('MALFORMED_RESPONSE');
    expect(offHost.message).toBe(
      `expected tag list of ${server.host}/${REPO} pages on ${server.host}, got a Link to evil.example`,
    );
    const loop = await failure(client.listTags({ registry: server.host, repository: 'acme/loop' }));
    expect(loop.code).toBe('MALFORMED_RESPONSE');
    expect(loop.message).toBe(
      `expected tag list of ${server.host}/acme/loop to end within 1000 pages without loops, got more`,
    );
  });

  it('uses the referrers API when it answers with an OCI index, across pages, without filtering', async () => {
    const subject = MANIFEST.digest;
    const first = {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode('1')),
      size: 1,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    };
    const second = {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode('2')),
      size: 2,
      artifactType: 'application/spdx+json',
    };
    const server = await serve((req, res, url) => {
      // The fallback tag, read beside the API (src/registry/referrers.ts): absent here, and unused anyway.
      if (url.pathname.includes('/manifests/')) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'no fallback tag');
      expect(req.headers.accept).toBe(OCI_INDEX);
      if (!url.searchParams.has('page')) {
        return sendJson(
          res,
          200,
          { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [first] },
          { 'content-type': OCI_INDEX, link: `</v2/${REPO}/referrers/${subject}?page=2>; rel="next"` },
        );
      }
      sendJson(
        res,
        200,
        { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [second] },
        { 'content-type': OCI_INDEX },
      );
    });
    expect(await clientFor().client.listReferrers({ registry: server.host, repository: REPO }, subject)).toEqual({
      via: 'referrers-api',
      manifests: [first, second],
    });
  });

  it('falls back to the tag when the referrers API answers 200 with another content type', async () => {
    const fallback = jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    const server = await serve((req, res) => {
      if (req.url?.includes('/referrers/')) return sendJson(res, 200, { hello: 'not an index' });
      sendManifest(res, fallback.bytes, OCI_INDEX);
    });
    expect(
      await clientFor().client.listReferrers({ registry: server.host, repository: REPO }, MANIFEST.digest),
    ).toEqual({
      via: 'referrers-tag',
      manifests: [],
    });
    // Both are read at once (see below), so they may arrive in either order.
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      `/v2/${REPO}/manifests/sha256-${MANIFEST.digest.slice(7)}`,
      `/v2/${REPO}/referrers/${MANIFEST.digest}`,
    ]);
  });

  it('reads the fallback tag while the referrers API has not answered yet: one round trip, not two', async () => {
    const fallback = jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    let answerApi: () => void = () => undefined;
    const fallbackRead = new Promise<void>((done) => (answerApi = done));
    const server = await serve((req, res) => {
      // The API's 404 waits for the fallback tag's request: a client that read them one after the other would hang.
      if (req.url?.includes('/referrers/'))
        return void fallbackRead.then(() => sendError(res, 404, 'NOT_FOUND', 'no referrers API'));
      answerApi();
      sendManifest(res, fallback.bytes, OCI_INDEX);
    });
    expect(
      await clientFor().client.listReferrers({ registry: server.host, repository: REPO }, MANIFEST.digest),
    ).toEqual({ via: 'referrers-tag', manifests: [] });
  });

  it('uses the referrers API when it answers, whatever the fallback tag read gives', async () => {
    const listed = { mediaType: OCI_MANIFEST, digest: MANIFEST.digest, size: MANIFEST.bytes.length };
    const server = await serve((req, res) => {
      if (req.url?.includes('/referrers/'))
        return sendJson(
          res,
          200,
          { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [listed] },
          {
            'content-type': OCI_INDEX,
          },
        );
      sendError(res, 500, 'UNKNOWN', 'the fallback tag read fails');
    });
    expect(
      await clientFor().client.listReferrers({ registry: server.host, repository: REPO }, MANIFEST.digest),
    ).toEqual({ via: 'referrers-api', manifests: [listed] });
  });

  it('does not fall back when the referrers API fails with a server error', async () => {
    const server = await serve((_req, res) => sendError(res, 500, 'UNKNOWN', 'boom'));
    const error = await failure(
      clientFor().client.listReferrers({ registry: server.host, repository: REPO }, MANIFEST.digest),
    );
    expect(error).toMatchObject({ code: 'REGISTRY', status: 500, registryCode: 'UNKNOWN' });
  });
});
