import { RegistryError } from '../errors.js';
import { oneLine } from './errors.js';
import { MAX_SMALL_BODY_BYTES, parseJson, readBody } from './limits.js';
import type { RegistryResponse } from './transport.js';

/** One entry of the distribution spec's `{"errors": [...]}` body. */
interface RegistryDiagnostic {
  code: string;
  message?: string;
}

/**
 * Turns a non-success response into a RegistryError: 401/403 → AUTH, 404 → NOT_FOUND, anything else → REGISTRY,
 * keeping the status and the registry's first error code (MANIFEST_UNKNOWN, DENIED, TOOMANYREQUESTS…).
 */
export async function toResponseError(response: RegistryResponse, what: string): Promise<RegistryError> {
  const diagnostic = await readDiagnostic(response, what);
  const code =
    response.status === 401 || response.status === 403 ? 'AUTH' : response.status === 404 ? 'NOT_FOUND' : 'REGISTRY';
  const detail =
    diagnostic !== undefined
      ? ` ${diagnostic.code}${diagnostic.message ? ` "${oneLine(diagnostic.message)}"` : ''}`
      : '';
  return new RegistryError(code, `expected ${what}, got HTTP ${response.status}${detail}`, {
    status: response.status,
    ...(diagnostic !== undefined && { registryCode: diagnostic.code }),
  });
}

// The body is only diagnostic: any failure to read or parse it leaves the status to speak for itself.
async function readDiagnostic(response: RegistryResponse, what: string): Promise<RegistryDiagnostic | undefined> {
  try {
    const bytes = await readBody(response, { maxBytes: MAX_SMALL_BODY_BYTES, what: `error body of ${what}` });
    const json = parseJson(bytes, what) as { errors?: unknown };
    const first = Array.isArray(json.errors) ? (json.errors[0] as Record<string, unknown> | undefined) : undefined;
    if (first === undefined || typeof first.code !== 'string') return undefined;
    return { code: oneLine(first.code, 64), ...(typeof first.message === 'string' && { message: first.message }) };
  } catch {
    return undefined;
  }
}
