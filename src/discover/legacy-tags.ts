import type { RegistrySource, RepositoryRef } from '../registry/index.js';
import { formatRepository } from '../model/reference.js';
import { digestHex, isDigest, type Digest } from '../model/digest.js';
import type { LegacyLayerEvidence } from '../model/evidence.js';
import { RegistryError } from '../errors.js';

/** cosign writes at most this many layers to one `.sig`/`.att` manifest; more is a malformed or hostile manifest. */
const MAX_LAYERS = 1000;

/** cosign's tag for the signatures (`sig`) or attestations (`att`) of a digest: `sha256-<hex>.<suffix>`. */
export function legacyTag(digest: Digest, suffix: 'sig' | 'att'): string {
  return `sha256-${digestHex(digest)}.${suffix}`;
}

/**
 * Reads every layer of the cosign `.sig` or `.att` manifest for `digest` in `repo`. A missing tag is no evidence,
 * not an error (cosign treats a 404 the same way). Each blob is checked against its descriptor digest by the client.
 */
export async function fetchLegacyLayers(
  client: RegistrySource,
  repo: RepositoryRef,
  digest: Digest,
  suffix: 'sig' | 'att',
): Promise<LegacyLayerEvidence[]> {
  const tag = legacyTag(digest, suffix);
  const manifest = await client.findManifest(repo, tag);
  if (!manifest) return [];
  const layers = 'layers' in manifest.json && Array.isArray(manifest.json.layers) ? manifest.json.layers : [];
  if (layers.length > MAX_LAYERS) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `${formatRepository(repo)}:${tag} has ${layers.length} layers, more than cosign's limit of ${MAX_LAYERS}`,
    );
  }
  return Promise.all(
    layers.map(async (layer, layerIndex): Promise<LegacyLayerEvidence> => {
      if (!isDigest(layer.digest)) {
        throw new RegistryError(
          'MALFORMED_RESPONSE',
          `${formatRepository(repo)}:${tag} layer ${layerIndex} has an invalid digest`,
        );
      }
      // Scanned for nesting and size before the verifier parses it; large layers one at a time.
      const payload = await client.getJsonBlob(repo, { digest: layer.digest, size: layer.size }, 'bytes');
      return {
        format: suffix === 'sig' ? 'legacy-sig' : 'legacy-att',
        location: { repository: formatRepository(repo), via: 'tag', tag, manifestDigest: manifest.digest, layerIndex },
        mediaType: layer.mediaType,
        annotations: { ...(layer.annotations ?? {}) },
        payload,
        layerDigest: layer.digest,
      };
    }),
  );
}
