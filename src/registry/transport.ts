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
 * What the layers read of a response, and nothing more: the node:http exchange (http.ts) answers with it, and a
 * WHATWG `Response` (globalThis.fetch) satisfies it as it is.
 */
export interface RegistryResponse {
  readonly status: number;
  /** Repeated headers come joined with ", ", as fetch's `Headers.get` joins them. */
  readonly headers: { get(name: string): string | null };
  readonly body: ResponseBody | null;
}

export interface ResponseBody {
  getReader(): BodyReader;
  /** Gives up on the rest of the body. */
  cancel(): Promise<void>;
}

export interface BodyReader {
  read(): Promise<{ done: true; value?: Uint8Array } | { done: false; value: Uint8Array }>;
  cancel(): Promise<void>;
}

/**
 * One HTTP exchange with no redirect followed and nothing decompressed; the abort signal covers the answer and
 * reading the body, both rejecting with `signal.reason`. http.ts is the default; globalThis.fetch has this shape too.
 */
export type HttpExchange = (url: URL, init: ExchangeInit) => Promise<RegistryResponse>;

export interface ExchangeInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** For fetch: the redirect layer follows redirects itself. */
  redirect: 'manual';
  signal: AbortSignal;
}

/**
 * A response whose status is final for this layer. The body is still unread; the caller reads it with the caps in
 * limits.ts. The per-request timeout signal stays attached to the body.
 */
export type RegistryFetch = (request: RegistryRequest) => Promise<RegistryResponse>;

/** Discards a response body we will not read, so the connection can be reused. */
export async function discardBody(response: RegistryResponse): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Cancelling an already-failed stream can throw; nothing is left to release then.
  }
}
