import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { discoverInRepository } from '../../src/discover/index.js';
import { sha256Digest } from '../../src/model/digest.js';
import { OCI_INDEX, OCI_MANIFEST, RegistryClient } from '../../src/registry/index.js';
import { scanJson } from '../../src/registry/json.js';
import { rejection } from '../support/expect-error.js';
import {
  jsonBytes,
  sendError,
  sendJson,
  sendManifest,
  startFaultServer,
  type FaultHandler,
  type FaultServer,
} from '../support/fault-server.js';
import { filledArray, nested, paddedEmptyTagPage, tagPage } from '../support/hostile.js';

// Issue 7, item 5: listings and documents are validated as they arrive and never all held at once. Every case ends
// with TOO_LARGE after a bounded number of requests, whatever the registry would go on serving.
const REPO = 'acme/app';
const PAGE = 4 * 1024 * 1024;
const SUBJECT = sha256Digest(new TextEncoder().encode('the image'));

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(handler: FaultHandler): Promise<FaultServer> {
  const server = await startFaultServer(handler);
  servers.push(server);
  return server;
}

/** Serves `page` as every one of 1,000 tag-list pages, each linking to the next. */
function endlessTagPages(page: Uint8Array): FaultHandler {
  return (_req, res, url) => {
    const n = Number(url.searchParams.get('last') ?? '0');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(page.length),
    };
    if (n < 999) headers.link = `</v2/${REPO}/tags/list?n=1000&last=${n + 1}>; rel="next"`;
    res.writeHead(200, headers).end(page);
  };
}

const tooLarge = async (promise: Promise<unknown>): Promise<string> => {
  const error = await rejection(promise, RegistryError);
  expect(error.code).toBe('TOO_LARGE');
  return error.message;
};

describe('hostile tag listings', () => {
  it.each([
    {
      name: 'objects instead of tags',
      page: tagPage(PAGE, '{}'),
      requests: 1,
      message: /is too large: expected at most 100016 JSON values, got more$/,
    },
    {
      name: 'short valid tags',
      page: tagPage(PAGE, '"v1"'),
      requests: 1,
      message: /is too large: expected at most 100016 JSON values, got more$/,
    },
    {
      name: 'strings that are not tags',
      page: tagPage(PAGE, `"${'!'.repeat(4000)}"`),
      requests: 17,
      message: /is too large: expected at most 67108864 bytes in all pages, got more$/,
    },
    {
      name: 'empty pages padded with whitespace',
      page: paddedEmptyTagPage(PAGE),
      requests: 17,
      message: /is too large: expected at most 67108864 bytes in all pages, got more$/,
    },
  ])('1,000 pages of $name end after $requests request(s)', async ({ page, requests, message }) => {
    const server = await serve(endlessTagPages(page));
    const reason = await tooLarge(
      new RegistryClient({ env: {} }).listTags({ registry: server.host, repository: REPO }),
    );
    expect(reason).toMatch(new RegExp(`^tag list of ${server.host.replace(/\./g, '\\.')}/${REPO} `));
    expect(reason).toMatch(message);
    expect(server.requests.length).toBe(requests);
  });

  it('keeps only tags that match the tag grammar, and at most 100,000 of them', async () => {
    let page = 0;
    const server = await serve((_req, res) => {
      page++;
      const tags = Array.from({ length: 60_000 }, (_, i) => `v${page}.${i}.0`);
      sendJson(
        res,
        200,
        { tags: [...tags, 'not a tag', '-x', '.hidden'] },
        {
          link: `</v2/${REPO}/tags/list?n=1000&last=${page}>; rel="next"`,
        },
      );
    });
    const reason = await tooLarge(
      new RegistryClient({ env: {} }).listTags({ registry: server.host, repository: REPO }),
    );
    expect(reason).toBe(`tag list of ${server.host}/${REPO} is too large: expected at most 100000 tags, got more`);
    expect(server.requests.length).toBe(2);

    const small = await serve((_req, res) => sendJson(res, 200, { tags: ['v1.0.0', 'not a tag', '-x', 'latest'] }));
    expect(await new RegistryClient({ env: {} }).listTags({ registry: small.host, repository: REPO })).toEqual([
      'v1.0.0',
      'latest',
    ]);
  });
});

describe('hostile documents', () => {
  it('refuses JSON nested deeper than 10,000 (as Go encoding/json), before parsing it', async () => {
    expect(() => scanJson(nested(10_000), 'x')).not.toThrow();
    expect(() => scanJson(nested(10_001), 'x')).toThrow(
      'x is too large: expected JSON nested at most 10000 deep, got deeper',
    );
    // Brackets inside strings are not nesting.
    expect(() => scanJson(new TextEncoder().encode(`["${'['.repeat(20_000)}\\"["]`), 'x')).not.toThrow();

    const deep = nested(100_000);
    const server = await serve((_req, res) => sendManifest(res, deep, OCI_MANIFEST));
    const reason = await tooLarge(
      new RegistryClient({ env: {} }).getManifest({ registry: server.host, repository: REPO }, 'v1'),
    );
    expect(reason).toBe(
      `manifest ${server.host}/${REPO}:v1 is too large: expected JSON nested at most 10000 deep, got deeper`,
    );
  });

  it('reads a bundle layer shared by four referrers once, and refuses a [{},…] layer before parsing it', async () => {
    const layer = filledArray(20 * 1024 * 1024, '{}');
    const layerDigest = sha256Digest(layer);
    const referrers = Array.from({ length: 4 }, (_, i) =>
      jsonBytes({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        config: {
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: sha256Digest(new TextEncoder().encode('{}')),
          size: 2,
        },
        layers: [
          { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: layerDigest, size: layer.length },
        ],
        annotations: { n: String(i) },
      }),
    );
    const server = await serve((_req, res, url) => {
      if (url.pathname === `/v2/${REPO}/referrers/${SUBJECT}`) {
        const manifests = referrers.map((r) => ({ mediaType: OCI_MANIFEST, digest: r.digest, size: r.size }));
        return sendJson(res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, { 'content-type': OCI_INDEX });
      }
      const referrer = referrers.find((r) => url.pathname === `/v2/${REPO}/manifests/${r.digest}`);
      if (referrer) return sendManifest(res, referrer.bytes, OCI_MANIFEST);
      if (url.pathname === `/v2/${REPO}/blobs/${layerDigest}`)
        return res.writeHead(200, { 'content-length': String(layer.length) }).end(layer);
      return sendError(res, 404, 'MANIFEST_UNKNOWN', 'not here');
    });

    const reason = await tooLarge(
      discoverInRepository(new RegistryClient({ env: {} }), { registry: server.host, repository: REPO }, SUBJECT),
    );
    expect(reason).toBe(
      `blob ${server.host}/${REPO}@${layerDigest} is too large: expected at most 1000000 JSON values, got more`,
    );
    expect(server.requests.filter((r) => r.path.includes('/blobs/'))).toHaveLength(1);
  });

  it('holds large JSON documents of at most one maximum-size blob in a run, however many are listed', async () => {
    const size = 17 * 1024 * 1024;
    const layers = Array.from({ length: 4 }, (_, i) => {
      const bytes = new Uint8Array(size).fill(0x41);
      bytes.set(new TextEncoder().encode(`{"n":${i},"payload":"`), 0);
      bytes.set(new TextEncoder().encode('"}'), size - 2);
      return { bytes, digest: sha256Digest(bytes) };
    });
    const empty = new TextEncoder().encode('{}');
    const referrers = layers.map((layer) =>
      jsonBytes({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 },
        layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: layer.digest, size }],
      }),
    );
    const server = await serve((_req, res, url) => {
      if (url.pathname === `/v2/${REPO}/referrers/${SUBJECT}`) {
        const manifests = referrers.map((r) => ({ mediaType: OCI_MANIFEST, digest: r.digest, size: r.size }));
        return sendJson(res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, { 'content-type': OCI_INDEX });
      }
      const referrer = referrers.find((r) => url.pathname === `/v2/${REPO}/manifests/${r.digest}`);
      if (referrer) return sendManifest(res, referrer.bytes, OCI_MANIFEST);
      const layer = layers.find((l) => url.pathname === `/v2/${REPO}/blobs/${l.digest}`);
      if (layer) return res.writeHead(200, { 'content-length': String(size) }).end(layer.bytes);
      return sendError(res, 404, 'MANIFEST_UNKNOWN', 'not here');
    });

    const reason = await tooLarge(
      discoverInRepository(
        new RegistryClient({ env: {}, maxBlobBytes: 40 * 1024 * 1024 }),
        { registry: server.host, repository: REPO },
        SUBJECT,
      ),
    );
    expect(reason).toMatch(
      /^blob 127\.0\.0\.1:\d+\/acme\/app@sha256:[0-9a-f]{64} is too large: expected JSON blobs above 16777216 bytes to total at most 41943040 bytes in a run, got more$/,
    );
    expect(server.requests.filter((r) => r.path.includes('/blobs/')).length).toBeLessThanOrEqual(2);
  });

  it('refuses a referrers listing past 500 entries page by page', async () => {
    const entry = (i: number) => ({
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode(`referrer ${i}`)),
      size: 10,
      annotations: { junk: 'x'.repeat(1000) },
    });
    const server = await serve((_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? '0');
      const manifests = Array.from({ length: 200 }, (_, i) => entry(page * 200 + i));
      sendJson(
        res,
        200,
        { schemaVersion: 2, mediaType: OCI_INDEX, manifests },
        {
          'content-type': OCI_INDEX,
          link: `</v2/${REPO}/referrers/${SUBJECT}?page=${page + 1}>; rel="next"`,
        },
      );
    });
    const reason = await tooLarge(
      new RegistryClient({ env: {} }).listReferrers({ registry: server.host, repository: REPO }, SUBJECT),
    );
    expect(reason).toBe(
      `referrers of ${server.host}/${REPO}@${SUBJECT} is too large: expected at most 500 manifests, got more`,
    );
    // Three pages; the fallback tag is read beside the first (src/registry/referrers.ts), its answer unused.
    expect(server.requests.filter((request) => request.path.includes('/referrers/'))).toHaveLength(3);
    expect(server.requests).toHaveLength(4);
  });
});
