import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { sha256Digest, type Digest } from '../../src/model/digest.js';

/**
 * A tiny node:http "registry" for the faults a real registry cannot produce: rate limiting, truncated bodies, lying
 * digests, cross-host redirects, referrers API and tag pagination, a server that never answers. Each test supplies
 * the handler for its scenario; the server records every request.
 */
export interface FaultServer {
  /** `127.0.0.1:PORT` (a loopback registry, so clients speak plain HTTP to it). */
  host: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v2/acme/app/tags/list?n=1000`. */
  path: string;
  headers: IncomingMessage['headers'];
}

/** Handles one request; the return value is ignored (a promise is awaited so a throw becomes a 500). */
export type FaultHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

/** Starts the server on 127.0.0.1:0. A handler that throws answers 500 with the message. */
export async function startFaultServer(handler: FaultHandler): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://fault-server');
    Promise.resolve(handler(req, res, url)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        // Drops held connections (the "never answers" scenario) so close() does not wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A recording pass-through in front of a real registry at `upstream` (host:port): every request is forwarded as
 * sent (headers included, redirects not followed) and recorded in `requests`, so tests can count what a run asks for.
 */
export function startRecordingProxy(upstream: string): Promise<FaultServer> {
  return startFaultServer(async (req, res, url) => {
    const answer = await fetch(`http://${upstream}${url.pathname}${url.search}`, {
      method: req.method ?? 'GET',
      headers: Object.fromEntries(
        Object.entries(req.headers).flatMap(([name, value]) =>
          typeof value === 'string' && name !== 'host' ? [[name, value]] : [],
        ),
      ),
      redirect: 'manual',
    });
    const headers = Object.fromEntries(
      [...answer.headers].filter(([name]) => !['content-encoding', 'transfer-encoding'].includes(name)),
    );
    res.writeHead(answer.status, headers);
    if (answer.body) Readable.fromWeb(answer.body).pipe(res);
    else res.end();
  });
}

/** Sends bytes as a manifest with the usual distribution headers; `digest` overrides Docker-Content-Digest. */
export function sendManifest(
  res: ServerResponse,
  bytes: Uint8Array,
  mediaType: string,
  options: { digest?: string | null } = {},
): void {
  const headers: Record<string, string> = { 'content-type': mediaType, 'content-length': String(bytes.byteLength) };
  const digest = options.digest === undefined ? sha256Digest(bytes) : options.digest;
  if (digest !== null) headers['docker-content-digest'] = digest;
  res.writeHead(200, headers).end(bytes);
}

/** Sends a JSON body with the given status and headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Sends a distribution-style error body (`{"errors":[{code,message}]}`). */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors: [{ code, message }] }, headers);
}

/** Announces `announced` bytes, sends `bytes`, then destroys the socket: a connection that dies mid-body. */
export function sendTruncated(
  res: ServerResponse,
  bytes: Uint8Array,
  announced: number,
  contentType = 'application/octet-stream',
): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': String(announced) });
  res.write(bytes, () => res.destroy());
}

/** JSON bytes plus their digest, for building fake manifests. */
export function jsonBytes(value: unknown): { bytes: Uint8Array; digest: Digest; size: number } {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return { bytes, digest: sha256Digest(bytes), size: bytes.byteLength };
}
