import { isLoopbackRegistry } from '../model/reference.js';
import type { RegistryFetch } from './transport.js';

/** A repository in a registry: `registry` is host[:port] as written in references (`docker.io`, `ghcr.io`). */
export interface RepositoryRef {
  registry: string;
  repository: string;
}

/** What every registry operation needs: the composed transport and where to send requests. */
export interface RegistryContext {
  fetch: RegistryFetch;
  /** The `/v2/<name>/<path>` URL of a repository. */
  urlFor(repo: RepositoryRef, path: string): URL;
  maxBlobBytes: number;
}

// Docker Hub is named docker.io in references but serves the API elsewhere.
const API_HOSTS: Record<string, string> = {
  'docker.io': 'registry-1.docker.io',
  'index.docker.io': 'registry-1.docker.io',
};

/**
 * The API base URL of a registry: plain HTTP for loopback registries and for hosts listed as insecure, HTTPS otherwise.
 */
export function toRegistryBaseUrl(registry: string, insecureRegistries: readonly string[]): URL {
  const host = toApiHost(registry);
  const plain = isLoopbackRegistry(registry) || insecureRegistries.includes(registry);
  return new URL(`${plain ? 'http' : 'https'}://${host}/`);
}

/** The host[:port] that serves a registry's API: the only host its credentials and challenges are accepted from. */
export function toApiHost(registry: string): string {
  return API_HOSTS[registry] ?? registry;
}

/** Whether `url` is on the registry's own API host (default ports normalised by URL). */
export function isRegistryHost(url: URL, registry: string): boolean {
  try {
    return new URL(`${url.protocol}//${toApiHost(registry)}/`).host === url.host;
  } catch {
    return false;
  }
}

/** `/v2/<name>/<path>` on the registry's API host. */
export function toRepositoryUrl(base: URL, repo: RepositoryRef, path: string): URL {
  return new URL(`/v2/${repo.repository}/${path}`, base);
}
