/**
 * The shape every layer of the registry transport shares (like go-containerregistry's `http.RoundTripper` stack):
 * a function from one request to one response. Layers wrap the next one and add a single concern each:
 * redirects → auth (per hop) → retry → timeout/network errors (see client.ts for the composition).
 */

/** One HTTP request to a registry (or a host it redirected to). */
export interface RegistryRequest {
  url: URL;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** Form body, for the OAuth2 refresh-token grant only. */
  body?: string;
  /** The registry host[:port] the request is about; Authorization is only ever sent to its API host. */
  registry: string;
  /** The repository the request reads, for a `repository:<name>:pull` token scope. */
  repository?: string;
  /** Short description for error messages, e.g. `manifest ghcr.io/acme/app:v1`. */
  what: string;
}

/**
 * A response whose status is final for this layer. The body is still unread; the caller reads it with the caps in
 * limits.ts. The per-request timeout signal stays attached to the body.
 */
export type RegistryFetch = (request: RegistryRequest) => Promise<Response>;

/** Discards a response body we will not read, so the connection can be reused. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Cancelling an already-failed stream can throw; nothing is left to release then.
  }
}
