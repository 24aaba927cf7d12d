import { RegistryError } from '../errors.js';

/** Socket (node:http) and undici (fetch) error codes that mean the connection broke mid-flight: a retry may succeed. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/**
 * Maps a thrown exchange or stream error to a RegistryError: TIMEOUT when the per-request signal fired, NETWORK
 * otherwise, naming the host (never the full URL, which may carry a token on a redirect) and the low-level code.
 */
export function toTransportError(error: unknown, what: string, host?: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const where = host !== undefined ? ` from ${host}` : '';
  if (isTimeout(error)) {
    return new RegistryError('TIMEOUT', `expected a response${where} for ${what}, got a timeout`, { cause: error });
  }
  const code = networkCode(error);
  // The most common local mistake (wrong port, registry not started) reads as what it is, naming host:port.
  if (code === 'ECONNREFUSED' && host !== undefined) {
    return new RegistryError('NETWORK', `connection refused by ${host} (ECONNREFUSED) for ${what}`, { cause: error });
  }
  return new RegistryError('NETWORK', `expected a response${where} for ${what}, got ${describeNetworkCode(code)}`, {
    cause: error,
  });
}

/** What the common socket error codes mean, so "no network" reads as such; the code stays for searching. */
const NETWORK_CODE_MEANINGS: Record<string, string> = {
  ENOTFOUND: 'a failed DNS lookup',
  EAI_AGAIN: 'a failed DNS lookup',
  ECONNREFUSED: 'a refused connection',
  ECONNRESET: 'a reset connection',
  EHOSTUNREACH: 'an unreachable host',
  ENETUNREACH: 'an unreachable network',
};

function describeNetworkCode(code: string): string {
  const meaning = NETWORK_CODE_MEANINGS[code];
  return meaning !== undefined ? `${meaning} (${code})` : code;
}

/** Whether a transport error is a reset connection worth retrying (not a refusal, DNS failure or timeout). */
export function isTransientNetworkError(error: unknown): boolean {
  if (!(error instanceof RegistryError) || error.code !== 'NETWORK') return false;
  return TRANSIENT_CODES.has(networkCode(error.cause));
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/**
 * The most specific error code in a cause chain: node:http's errors carry it directly, fetch wraps the socket error in
 * `TypeError: fetch failed`.
 */
function networkCode(error: unknown): string {
  let current: unknown = error;
  // Without a code, the chain of messages: fetch's own is only "fetch failed" (its cause says e.g. "bad port").
  const messages: string[] = [];
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? oneLine(messages.join(': ')) : 'an unknown network error';
}

/** Collapses whitespace and bounds the length of text that came from a server. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
