import { RegistryError } from '../errors.js';
import { toTransportError } from './errors.js';
import { parseJson } from './json.js';
import type { RegistryResponse } from './transport.js';

export { parseJson } from './json.js';

/** Manifests and tag/referrer lists: generous for real indexes, small enough to never exhaust memory. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Default cap for blobs (cosign's `COSIGN_MAX_ATTACHMENT_SIZE` default). */
// Real bundles are kilobytes and real SBOM attestations a few MiB; a document near this size costs about four times
// its size in memory while it is parsed and verified, so the default keeps that under 400 MB.
export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
/** Token responses and error bodies (go-containerregistry uses the same). */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;

export interface ReadLimit {
  /** Reading more than this fails with TOO_LARGE. */
  maxBytes: number;
  /** The exact size the body must have (a descriptor's size), if known. */
  expectedSize?: number;
  /** For error messages, e.g. `blob ghcr.io/acme/app@sha256:…`. */
  what: string;
}

/**
 * Reads a response body completely, refusing bodies over the cap and bodies shorter than announced
 * (Content-Length or descriptor size), so a truncated or endless stream never reaches a parser.
 *
 * @throws RegistryError TOO_LARGE over the cap, MALFORMED_RESPONSE on truncation or size mismatch,
 *   TIMEOUT/NETWORK when the stream fails.
 */
export async function readBody(response: RegistryResponse, limit: ReadLimit): Promise<Uint8Array> {
  const { maxBytes, expectedSize, what } = limit;
  const header = response.headers.get('content-length');
  const announced = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  if (announced !== undefined && announced > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new RegistryError(
      'TOO_LARGE',
      `expected ${what} of at most ${maxBytes} bytes, got Content-Length ${announced}`,
      {
        status: response.status,
      },
    );
  }

  // With the size known up front, chunks go straight into one buffer: a 128 MiB blob never needs twice that.
  const known = expectedSize ?? announced;
  const preallocated = known !== undefined && known <= maxBytes ? new Uint8Array(known) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      if (reader === undefined) break;
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.byteLength > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new RegistryError('TOO_LARGE', `expected ${what} of at most ${maxBytes} bytes, got more`, {
          status: response.status,
        });
      }
      if (preallocated !== undefined) {
        if (received + value.byteLength > preallocated.byteLength) {
          await reader.cancel().catch(() => undefined);
          throw new RegistryError(
            'MALFORMED_RESPONSE',
            `expected ${what} of ${preallocated.byteLength} bytes${expectedSize !== undefined ? ' (descriptor size)' : ''}, got more`,
            { status: response.status },
          );
        }
        preallocated.set(value, received);
      } else chunks.push(value);
      received += value.byteLength;
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    const transportError = toTransportError(error, what);
    // A connection closed before Content-Length bytes arrived surfaces here as node:http's "aborted" (or fetch's
    // "terminated").
    if (transportError.code !== 'TIMEOUT' && announced !== undefined && received < announced) {
      throw truncated(what, announced, received, response.status, error);
    }
    throw transportError;
  }

  if (announced !== undefined && received !== announced) throw truncated(what, announced, received, response.status);
  if (expectedSize !== undefined && received !== expectedSize) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected ${what} of ${expectedSize} bytes (descriptor size), got ${received}${received < expectedSize ? ' (truncated)' : ''}`,
      { status: response.status },
    );
  }
  return preallocated ?? concat(chunks, received);
}

/** Reads a JSON body under the cap; malformed JSON is MALFORMED_RESPONSE. */
export async function readJson(response: RegistryResponse, limit: ReadLimit): Promise<unknown> {
  return parseJson(await readBody(response, limit), limit.what);
}

function truncated(what: string, announced: number, received: number, status: number, cause?: unknown): RegistryError {
  return new RegistryError(
    'MALFORMED_RESPONSE',
    `expected ${announced} bytes for ${what}, got ${received} (truncated)`,
    {
      status,
      cause,
    },
  );
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
