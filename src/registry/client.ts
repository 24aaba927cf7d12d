import { RegistryError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import { withAuth } from './auth.js';
import { BlobReads } from './blob-reads.js';
import { fetchBlob } from './blob.js';
import { createCredentialResolver } from './credentials.js';
import type { Deadline } from './deadline.js';
import { toRegistryBaseUrl, toRepositoryUrl, type RegistryContext, type RepositoryRef } from './endpoint.js';
import { createBaseFetch, type RequestEvent } from './fetch.js';
import { createHttpExchange } from './http.js';
import { DEFAULT_MAX_BLOB_BYTES } from './limits.js';
import { fetchManifest, type FetchedManifest } from './manifest.js';
import { withRedirects } from './redirect.js';
import { probeManifest, probeReferrers } from './probe.js';
import { fetchReferrers, type ReferrersList } from './referrers.js';
import { withRetry } from './retry.js';
import type { RegistrySource } from './source.js';
import { fetchTags } from './tags.js';
import type { HttpExchange } from './transport.js';
import { createLimiter, MAX_CONCURRENT_REQUESTS } from './throttle.js';

/** How the client talks to registries. Every field has a default; tests inject env, fetch and sleep. */
export interface RegistryClientOptions {
  /** Per request, including reading the body (`--request-timeout`). Default 30 000 ms. */
  timeoutMs?: number;
  /** The whole run's deadline (`--timeout`): requests, body reads and retry waits end with its error. */
  deadline?: Deadline;
  /** Extra attempts for 429/502/503/504 and reset connections. Default 3. */
  retries?: number;
  /** Largest blob accepted. Default 64 MiB. */
  maxBlobBytes?: number;
  /** All blobs read over the client's lifetime together. Default 512 MiB, and never less than maxBlobBytes. */
  maxTotalBlobBytes?: number;
  /** Hosts (host[:port]) spoken to over plain HTTP; loopback registries always are. */
  insecureRegistries?: string[];
  /** Environment for credentials (DOCKER_CONFIG, HOME, PATH, GITHUB_TOKEN, GH_TOKEN). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** One HTTP exchange, redirects not followed. Default node:http (http.ts); globalThis.fetch fits too. */
  fetch?: HttpExchange;
  /** Waits between retries; the signal (the deadline) may end a wait early. Default a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about every HTTP exchange (`--verbose`): method, URL without query, status or failure, duration. */
  onRequest?: (event: RequestEvent) => void;
}

export { LARGE_DOCUMENT_BYTES } from './blob-reads.js';

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * A read-only OCI distribution client. Every manifest and blob it returns has had its sha256 checked against the digest
 * it was asked for (or, by tag, against `Docker-Content-Digest`) before parsing. Tokens and credentials are cached for
 * the client's lifetime (one run), and so are the bounds on requests in flight and on the blob bytes read in total.
 */
export class RegistryClient implements RegistrySource {
  readonly #context: RegistryContext;
  readonly #limit = createLimiter(MAX_CONCURRENT_REQUESTS);
  /** The run's memory rules for blobs and JSON documents (see getJsonBlob). */
  readonly #blobs: BlobReads;

  constructor(options: RegistryClientOptions = {}) {
    const insecure = options.insecureRegistries ?? [];
    const { deadline } = options;
    const base = createBaseFetch({
      exchange: options.fetch ?? createHttpExchange(),
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(deadline && { deadline }),
      ...(options.onRequest && { onRequest: options.onRequest }),
    });
    const retrying = withRetry(base, {
      retries: options.retries ?? 3,
      sleep: options.sleep ?? defaultSleep,
      ...(deadline && { deadline }),
    });
    // auth sits below redirects: each hop is authorised on its own, so only the registry's host sees credentials.
    const authorised = withAuth(retrying, {
      resolveCredentials: createCredentialResolver(options.env ?? process.env),
      tokenFetch: withRedirects(retrying),
    });
    const transport = withRedirects(authorised);
    this.#context = {
      fetch: transport,
      urlFor: (repo, path) => toRepositoryUrl(toRegistryBaseUrl(repo.registry, insecure), repo, path),
      maxBlobBytes: options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES,
    };
    this.#blobs = new BlobReads(this.#context.maxBlobBytes, options.maxTotalBlobBytes, (repo, descriptor) =>
      this.#limit(() => fetchBlob(this.#context, repo, descriptor)),
    );
  }

  /**
   * Fetches a manifest or index by tag or digest.
   *
   * @throws RegistryError NOT_FOUND when the registry has no such manifest.
   */
  async getManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest> {
    const manifest = await this.findManifest(repo, reference);
    if (manifest === undefined) {
      const separator = reference.startsWith('sha256:') ? '@' : ':';
      throw new RegistryError(
        'NOT_FOUND',
        `expected manifest ${formatRepository(repo)}${separator}${reference}, got HTTP 404`,
        {
          status: 404,
        },
      );
    }
    return manifest;
  }

  /** Like getManifest, but a 404 is `undefined` (cosign `.sig`/`.att` tags that do not exist). */
  findManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest | undefined> {
    return this.#limit(() => fetchManifest(this.#context, repo, reference));
  }

  /**
   * Fetches a blob, checked against its digest (and size, when given).
   *
   * @throws RegistryError TOO_LARGE when it would take the blobs read so far past the total budget.
   */
  async getBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }): Promise<Uint8Array> {
    return this.#blobs.blob(repo, descriptor);
  }

  /**
   * Fetches a blob that holds one JSON document (a Sigstore bundle, a cosign `.sig`/`.att` layer), checked against
   * its digest and scanned (nesting at most 10,000, at most 1,000,000 values) before anything parses it. `parse`
   * returns the parsed document, `bytes` the scanned bytes (for a verifier that parses them itself).
   *
   * Memory stays bounded by construction: a document above 16 MiB is downloaded, scanned and parsed while holding
   * the one large-document slot, so several large layers are never in memory half-read or half-parsed at once; and a
   * digest read once in a repository is shared, not read again (four referrers naming one layer cost one).
   *
   * @throws RegistryError TOO_LARGE over the caps or the scan's limits, MALFORMED_RESPONSE when it is not JSON, …
   */
  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'parse'): Promise<unknown>;
  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'bytes'): Promise<Uint8Array>;
  getJsonBlob(
    repo: RepositoryRef,
    descriptor: { digest: Digest; size?: number },
    as: 'parse' | 'bytes',
  ): Promise<unknown> {
    return this.#blobs.json(repo, descriptor, as);
  }

  /** Whether a manifest exists (one HEAD request; nothing downloaded, nothing verified). */
  hasManifest(repo: RepositoryRef, reference: string): Promise<boolean> {
    return this.#limit(() => probeManifest(this.#context, repo, reference));
  }

  /** Whether anything refers to `subject` (the referrers API's first page, else a HEAD of the fallback tag). */
  hasReferrers(repo: RepositoryRef, subject: Digest, take: () => boolean = () => true): Promise<boolean> {
    return this.#limit(() => probeReferrers(this.#context, repo, subject, take));
  }

  /** All tags of a repository, following Link pagination; unsorted. */
  listTags(repo: RepositoryRef, options: { maxPages?: number } = {}): Promise<string[]> {
    return this.#limit(() => fetchTags(this.#context, repo, options));
  }

  /** Manifests referring to `subject`, via the referrers API or the `sha256-<hex>` fallback tag. */
  listReferrers(repo: RepositoryRef, subject: Digest): Promise<ReferrersList> {
    return this.#limit(() => fetchReferrers(this.#context, repo, subject));
  }
}
