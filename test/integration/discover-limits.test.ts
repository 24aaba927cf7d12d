import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { discoverInRepository } from '../../src/discover/index.js';
import { findHints, HINT_REQUEST_BUDGET } from '../../src/discover/hints.js';
import { sha256Digest } from '../../src/model/digest.js';
import { OCI_MANIFEST, RegistryClient } from '../../src/registry/index.js';
import { rejection } from '../support/expect-error.js';
import { jsonBytes, sendError, sendManifest, startFaultServer, type FaultServer } from '../support/fault-server.js';

// A hostile `.sig`/`.att` manifest may list up to 1000 layers of up to 128 MiB each: discovery must neither open a
// connection per layer at once nor hold more evidence in memory than a release could plausibly carry.
const REPO = 'acme/app';
const SUBJECT = sha256Digest(new TextEncoder().encode('the image'));
const SUBJECT_HEX = SUBJECT.slice('sha256:'.length);
const EMPTY = new TextEncoder().encode('{}');

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

function cosignManifest(layers: { digest: string; size: number }[]) {
  return jsonBytes({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(EMPTY), size: 2 },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', ...layer })),
  });
}

/** Serves `manifest` at the `.sig` tag, nothing else but blobs, which `onBlob` answers. */
async function serveSignatures(
  manifest: Uint8Array,
  onBlob: (res: ServerResponse, digest: string) => void,
): Promise<FaultServer> {
  const server = await startFaultServer((_req, res, url) => {
    if (url.pathname === `/v2/${REPO}/manifests/sha256-${SUBJECT_HEX}.sig`)
      return sendManifest(res, manifest, OCI_MANIFEST);
    if (url.pathname.startsWith(`/v2/${REPO}/blobs/`)) return onBlob(res, url.pathname.split('/').pop() ?? '');
    return sendError(res, 404, 'MANIFEST_UNKNOWN', 'not here');
  });
  servers.push(server);
  return server;
}

describe('discovery bounds', () => {
  it('refuses layers whose sizes add up past the evidence budget, without downloading them all', async () => {
    // Below the 16 MiB of a "large" document, so only the run's total budget (512 MiB) applies.
    const huge = 15 * 1024 * 1024;
    const layers = Array.from({ length: 1000 }, (_, i) => ({
      digest: sha256Digest(new TextEncoder().encode(`layer ${i}`)),
      size: huge,
    }));
    const server = await serveSignatures(
      cosignManifest(layers).bytes,
      (res) => void sendError(res, 404, 'BLOB_UNKNOWN', 'gone'),
    );
    const client = new RegistryClient({ env: {} });

    const error = await rejection(
      discoverInRepository(client, { registry: server.host, repository: REPO }, SUBJECT),
      RegistryError,
    );

    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(
      /^expected evidence blobs of at most 536870912 bytes in total, got more with blob 127\.0\.0\.1:\d+\/acme\/app@sha256:[0-9a-f]{64} \(15728640 bytes\)$/,
    );
    expect(server.requests.filter((request) => request.path.includes('/blobs/')).length).toBeLessThanOrEqual(8);
  });

  it('fetches the layers of one manifest at most 8 at a time', async () => {
    const blobs = new Map<string, Uint8Array>(
      Array.from({ length: 40 }, (_, i) => {
        const bytes = new TextEncoder().encode(`signature payload ${i}`);
        return [sha256Digest(bytes), bytes] as const;
      }),
    );
    let inFlight = 0;
    let mostInFlight = 0;
    const manifest = cosignManifest([...blobs].map(([digest, bytes]) => ({ digest, size: bytes.byteLength })));
    const server = await serveSignatures(manifest.bytes, (res, digest) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      // Answered on a later turn of the event loop so that unbounded requests would overlap here.
      setTimeout(() => {
        inFlight--;
        res.writeHead(200).end(blobs.get(digest));
      }, 5);
    });

    const found = await discoverInRepository(
      new RegistryClient({ env: {} }),
      { registry: server.host, repository: REPO },
      SUBJECT,
    );

    expect(found.evidence).toHaveLength(40);
    expect(mostInFlight).toBeGreaterThan(0);
    expect(mostInFlight).toBeLessThanOrEqual(8);
  });

  it('looks for hints on a bounded number of platform manifests of a huge index', async () => {
    const server = await startFaultServer((_req, res) => void sendError(res, 404, 'MANIFEST_UNKNOWN', 'not here'));
    servers.push(server);
    const children = Array.from({ length: 200 }, (_, i) => ({
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode(`platform ${i}`)),
      size: 10,
      platform: { os: 'linux', architecture: `arch${i}` },
    }));
    const image = { registry: server.host, repository: REPO };

    const hints = await findHints({
      client: new RegistryClient({ env: {} }),
      image,
      digest: SUBJECT,
      manifest: { manifests: children },
      searched: [image],
    });

    expect(hints).toEqual([]);
    // One `.sig` lookup per platform manifest looked at, plus one each for acme/signatures and acme/sbom.
    expect(server.requests.filter((request) => request.path.endsWith('.sig')).length).toBeLessThanOrEqual(16 + 2);
  });

  it('probes for hints within a fixed request budget, never downloading a layer, and calls what it finds unverified', async () => {
    // An index of 16 platform manifests, each with `.sig` and `.att` manifests of 1,000 layers (issue 7, item 12).
    const children = Array.from({ length: 16 }, (_, i) => ({
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(new TextEncoder().encode(`platform ${i}`)),
      size: 10,
      platform: { os: 'linux', architecture: `arch${i}` },
    }));
    const junk = cosignManifest(
      Array.from({ length: 1000 }, (_, i) => ({
        digest: sha256Digest(new TextEncoder().encode(`junk ${i}`)),
        size: 10,
      })),
    );
    const tags = new Set(
      children.flatMap((child) => ['sig', 'att'].map((suffix) => `sha256-${child.digest.slice(7)}.${suffix}`)),
    );
    const server = await startFaultServer((_req, res, url) => {
      const tag = url.pathname.split('/manifests/')[1];
      if (url.pathname.startsWith(`/v2/${REPO}/manifests/`) && tag !== undefined && tags.has(tag))
        return sendManifest(res, junk.bytes, OCI_MANIFEST);
      return sendError(res, 404, 'MANIFEST_UNKNOWN', 'not here');
    });
    servers.push(server);
    const image = { registry: server.host, repository: REPO };

    const hints = await findHints({
      client: new RegistryClient({ env: {} }),
      image,
      digest: SUBJECT,
      manifest: { manifests: children },
      searched: [image],
    });

    expect(server.requests.filter((request) => request.path.includes('/blobs/'))).toEqual([]);
    expect(server.requests.length).toBeLessThanOrEqual(40);
    expect(HINT_REQUEST_BUDGET).toBe(40);
    expect(hints.length).toBeGreaterThan(0);
    for (const hint of hints)
      expect(hint).toMatch(/^unverified artifacts found at 127\.0\.0\.1:\d+\/acme\/app:sha256-[0-9a-f]{64}\.sig: /);
  });
});
