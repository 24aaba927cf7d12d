import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { sha256Digest } from '../../src/model/digest.js';
import { createHttpExchange } from '../../src/registry/http.js';
import { OCI_MANIFEST, RegistryClient } from '../../src/registry/index.js';
import type { ExchangeInit, HttpExchange, RegistryResponse } from '../../src/registry/transport.js';
import { jsonBytes, sendManifest } from '../support/fault-server.js';

// The hand-written HTTP exchange (http.ts) on a loopback node:http server: what it must do as fetch did, and what
// fetch did for free (one connection for many requests), in the cases a real registry does not show on demand.

interface TestServer {
  url: string;
  /** TCP connections accepted so far. */
  connections: () => number;
  /** Headers of every request received, in order. */
  requests: IncomingMessage['headers'][];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    ),
  );
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  let connections = 0;
  const requests: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res);
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, requests };
}

function init(signal = new AbortController().signal, method = 'GET'): ExchangeInit {
  return { method, headers: {}, redirect: 'manual', signal };
}

async function bytesOf(response: RegistryResponse): Promise<Buffer> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) return Buffer.concat(chunks);
    chunks.push(next.value);
  }
}

describe('the node:http exchange', () => {
  it('joins repeated response headers with ", ", as fetch does', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('link', ['</v2/a/tags/list?last=b>; rel="next"', '</v2/a/tags/list>; rel="first"']);
      res.setHeader('www-authenticate', ['Basic realm="r"', 'Bearer realm="https://auth.example/token"']);
      res.end();
    });
    const ours = await createHttpExchange()(new URL(`${server.url}/v2/`), init());
    const theirs = await fetch(`${server.url}/v2/`);
    for (const name of ['link', 'www-authenticate', 'Link', 'content-length', 'x-absent']) {
      expect(ours.headers.get(name)).toBe(theirs.headers.get(name));
    }
    expect(ours.headers.get('link')).toBe('</v2/a/tags/list?last=b>; rel="next", </v2/a/tags/list>; rel="first"');
  });

  it('asks for no encoding and hands back the bytes exactly as sent', async () => {
    const sent = gzipSync('{"schemaVersion": 2}');
    const server = await serve((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(sent));
    const response = await createHttpExchange()(new URL(`${server.url}/v2/a/blobs/x`), init());
    expect(await bytesOf(response)).toEqual(sent);
    expect(server.requests[0]?.['accept-encoding']).toBeUndefined();
  });

  it('sends the method, headers, a User-Agent and a form body with its length', async () => {
    let received = '';
    const server = await serve((req, res) => {
      req.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
      req.on('end', () => res.end('{}'));
    });
    const form = 'grant_type=refresh_token&scope=repository%3Aa%3Apull';
    const response = await createHttpExchange()(new URL(`${server.url}/token`), {
      ...init(undefined, 'POST'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(200);
    expect(received).toBe(form);
    expect(server.requests[0]).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(form.length),
      'user-agent': 'verify-release',
    });
  });

  it('reuses one connection for the requests of one client, read, discarded or HEAD', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-length': '2' }).end('{}'));
    const exchange = createHttpExchange();
    const url = new URL(`${server.url}/v2/`);
    expect((await bytesOf(await exchange(url, init()))).toString()).toBe('{}');
    // A small body (a 401's, a redirect's) arrives with its headers: discarding it keeps the connection.
    await (await exchange(url, init())).body?.cancel();
    await (await exchange(url, init(undefined, 'HEAD'))).body?.cancel();
    expect((await bytesOf(await exchange(url, init()))).toString()).toBe('{}');
    expect(server.requests).toHaveLength(4);
    expect(server.connections()).toBe(1);
  });

  it('rejects with the abort reason when no answer comes', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const reason = new RegistryError('TIMEOUT', 'no answer in time');
    const answer = createHttpExchange()(new URL(`${server.url}/v2/`), init(controller.signal));
    setTimeout(() => controller.abort(reason), 20);
    await expect(answer).rejects.toBe(reason);
  });

  it('rejects the body read with the abort reason when the body stops arriving', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('01234');
    });
    const controller = new AbortController();
    const reason = new RegistryError('TIMEOUT', 'body did not finish arriving');
    const response = await createHttpExchange()(new URL(`${server.url}/v2/`), init(controller.signal));
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(Buffer.from(first?.value ?? []).toString()).toBe('01234');
    setTimeout(() => controller.abort(reason), 20);
    await expect(reader?.read()).rejects.toBe(reason);
  });

  it('reports a connection that dies under an unread body when the body is read, not as a crash', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('01234', () => res.destroy());
    });
    const response = await createHttpExchange()(new URL(`${server.url}/v2/`), init());
    await new Promise((done) => setTimeout(done, 50));
    await expect(bytesOf(response)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('the client with an injected exchange', () => {
  it('still takes globalThis.fetch', async () => {
    const manifest = jsonBytes({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(Buffer.from('{}')), size: 2 },
      layers: [],
    });
    const server = await serve((_req, res) => sendManifest(res, manifest.bytes, OCI_MANIFEST));
    const viaFetch: HttpExchange = globalThis.fetch;
    const client = new RegistryClient({ env: {}, fetch: viaFetch });
    const fetched = await client.getManifest({ registry: server.url.slice('http://'.length), repository: 'a/b' }, 'v1');
    expect(fetched.digest).toBe(manifest.digest);
  });
});
