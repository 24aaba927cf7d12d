import type { Descriptor, RegistrySource, RepositoryRef } from '../registry/index.js';
import { formatRepository } from '../model/reference.js';
import { digestHex, isDigest, type Digest } from '../model/digest.js';
import type { BundleEvidence } from '../model/evidence.js';
import { RegistryError } from '../errors.js';

const BUNDLE_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';

/**
 * Reads the Sigstore bundles attached to `digest` as OCI 1.1 referrers (referrers API, else the `sha256-<hex>`
 * fallback tag). Every listed manifest is fetched and inspected: GHCR's fallback index does not carry
 * artifactType, so filtering on the index entries would miss real bundles (sigstore/cosign#4641).
 */
export async function fetchBundleReferrers(
  client: RegistrySource,
  repo: RepositoryRef,
  digest: Digest,
): Promise<BundleEvidence[]> {
  // At most 500 entries (the client refuses more), validated page by page.
  const { via, manifests } = await client.listReferrers(repo, digest);
  const found = await Promise.all(manifests.map((descriptor) => fetchBundle(client, repo, descriptor, via, digest)));
  return found.filter((evidence): evidence is BundleEvidence => evidence !== undefined);
}

async function fetchBundle(
  client: RegistrySource,
  repo: RepositoryRef,
  descriptor: Descriptor,
  via: 'referrers-api' | 'referrers-tag',
  subject: Digest,
): Promise<BundleEvidence | undefined> {
  const manifest = await client.getManifest(repo, descriptor.digest);
  const json = manifest.json as { artifactType?: unknown; layers?: Descriptor[]; annotations?: Record<string, string> };
  const layers = Array.isArray(json.layers) ? json.layers : [];
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined;
  const layerIndex = layers.findIndex(
    (layer) => typeof layer.mediaType === 'string' && layer.mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX),
  );
  const layer = layers[layerIndex];
  // Not a Sigstore bundle (e.g. a BuildKit attestation or an SBOM stored another way): not evidence we read.
  if (!layer) return undefined;
  if (!isDigest(layer.digest)) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `referrer ${manifest.digest} has a bundle layer with an invalid digest`,
    );
  }
  // Scanned and parsed one large document at a time; referrers sharing a layer share one parsed bundle.
  const bundle = await client
    .getJsonBlob(repo, { digest: layer.digest, size: layer.size }, 'parse')
    .catch((error: unknown) => {
      if (
        error instanceof RegistryError &&
        error.code === 'MALFORMED_RESPONSE' &&
        error.message.startsWith('expected JSON')
      )
        throw new RegistryError('MALFORMED_RESPONSE', `referrer ${manifest.digest} holds a bundle that is not JSON`);
      throw error;
    });
  return {
    format: 'bundle',
    location: {
      repository: formatRepository(repo),
      via,
      ...(via === 'referrers-tag' ? { tag: `sha256-${digestHex(subject)}` } : {}),
      manifestDigest: manifest.digest,
      layerIndex,
    },
    bundle,
    ...(artifactType ? { artifactType } : {}),
    annotations: { ...(json.annotations ?? {}) },
  };
}
