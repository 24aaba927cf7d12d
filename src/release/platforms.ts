import type { RegistrySource, RepositoryRef } from '../registry/index.js';
import { DOCKER_CONFIG, isOciIndex, OCI_CONFIG, type Descriptor, type FetchedManifest } from '../registry/index.js';

/** Image configs are small; anything bigger is not worth reading just to name a platform. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The platforms a manifest serves, as `os/architecture[/variant]`: from an index's `manifests[].platform` (buildx
 * attestation manifests show as `unknown/unknown`), or for a single image from its config blob. Artifacts and
 * configs without os/architecture give `[]`.
 */
export async function fetchPlatforms(
  client: RegistrySource,
  repo: RepositoryRef,
  manifest: FetchedManifest,
): Promise<string[]> {
  if (isOciIndex(manifest.json)) return unique(manifest.json.manifests.flatMap(toPlatform));
  const { config } = manifest.json;
  if (![OCI_CONFIG, DOCKER_CONFIG].includes(config.mediaType) || config.size > MAX_CONFIG_BYTES) return [];
  const bytes = await client.getBlob(repo, config);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return [];
  }
  const { os, architecture, variant } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string') return [];
  return [formatPlatform({ os, architecture, ...(typeof variant === 'string' && { variant }) })];
}

function toPlatform(descriptor: Descriptor): string[] {
  return descriptor.platform !== undefined ? [formatPlatform(descriptor.platform)] : [];
}

function formatPlatform(platform: { os: string; architecture: string; variant?: string }): string {
  return [platform.os, platform.architecture, platform.variant]
    .filter((part) => part !== undefined && part !== '')
    .join('/');
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
