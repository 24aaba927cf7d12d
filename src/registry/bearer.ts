import { RegistryError } from '../errors.js';
import type { Challenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import { oneLine } from './errors.js';
import { MAX_SMALL_BODY_BYTES, readJson } from './limits.js';
import { toResponseError } from './response-error.js';
import type { RegistryFetch, RegistryResponse } from './transport.js';

export interface TokenRequest {
  challenge: Challenge;
  /** e.g. `repository:acme/app:pull`; undefined for registry-wide requests. */
  scope: string | undefined;
  registry: string;
  credentials: Credentials | undefined;
  /** A plain-HTTP registry may name a plain-HTTP realm; an HTTPS registry may not. */
  allowHttpRealm: boolean;
}

/**
 * Exchanges a Bearer challenge for a token (distribution token spec): a GET on the realm with `service` and `scope`,
 * Basic-authenticated when credentials exist, or the OAuth2 refresh-token grant (POST) for an identity token.
 *
 * @returns the token (`token`, or `access_token` for OAuth2 servers).
 * @throws RegistryError AUTH when the realm is unusable or refuses, MALFORMED_RESPONSE when no token comes back.
 */
export async function fetchBearerToken(next: RegistryFetch, request: TokenRequest): Promise<string> {
  const realm = toRealmUrl(request);
  const { service } = request.challenge.params;
  const what = `a token for ${request.scope ?? request.registry} from ${realm.host}`;
  let response: RegistryResponse;
  if (request.credentials !== undefined && 'identityToken' in request.credentials) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'verify-release',
      refresh_token: request.credentials.identityToken,
    });
    if (service !== undefined) form.set('service', service);
    if (request.scope !== undefined) form.set('scope', request.scope);
    response = await next({
      url: realm,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      registry: realm.host,
      what,
    });
  } else {
    if (service !== undefined) realm.searchParams.set('service', service);
    if (request.scope !== undefined) realm.searchParams.set('scope', request.scope);
    const headers: Record<string, string> = {};
    if (request.credentials !== undefined) headers.authorization = toBasicAuthorization(request.credentials);
    response = await next({ url: realm, headers, registry: realm.host, what });
  }
  if (response.status < 200 || response.status > 299) {
    const error = await toResponseError(response, what);
    throw new RegistryError('AUTH', error.message, {
      status: error.status,
      ...(error.registryCode && { registryCode: error.registryCode }),
      cause: error,
    });
  }
  const json = (await readJson(response, { maxBytes: MAX_SMALL_BODY_BYTES, what })) as Record<string, unknown> | null;
  const token = json?.token ?? json?.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError('MALFORMED_RESPONSE', `expected a token or access_token field in ${what}, got none`);
  }
  return token;
}

/** `Basic base64(user:password)`. */
export function toBasicAuthorization(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

// Credentials go to the realm, so a realm that is not a proper URL, or that would downgrade to plain HTTP, is refused
// (go-containerregistry bearer.go validateRealmURL).
function toRealmUrl(request: TokenRequest): URL {
  const { realm } = request.challenge.params;
  let url: URL | undefined;
  try {
    url = realm !== undefined ? new URL(realm) : undefined;
  } catch {
    url = undefined;
  }
  const allowed = url?.protocol === 'https:' || (url?.protocol === 'http:' && request.allowHttpRealm);
  if (url === undefined || !allowed || url.username !== '' || url.password !== '') {
    // Never echo userinfo: the realm comes from the server and may embed credentials.
    const shown = url !== undefined ? `${url.protocol}//${url.host}${url.pathname}` : oneLine(realm ?? '', 100);
    throw new RegistryError('AUTH', `expected an https token realm from ${request.registry}, got "${shown}"`);
  }
  return url;
}
