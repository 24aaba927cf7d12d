import { RegistryError } from '../errors.js';
import { fetchBearerToken, toBasicAuthorization } from './bearer.js';
import { parseChallenges, type Challenge } from './challenge.js';
import type { CredentialResolver } from './credentials.js';
import { isRegistryHost } from './endpoint.js';
import { oneLine } from './errors.js';
import { discardBody, type RegistryFetch, type RegistryRequest } from './transport.js';

export interface AuthOptions {
  resolveCredentials: CredentialResolver;
  /** Carries token requests to the realm (redirects, retry, timeout); never through this layer. */
  tokenFetch: RegistryFetch;
}

/**
 * The auth layer, one HTTP hop at a time (the redirect layer sits above it, as net/http's client sits above
 * go-containerregistry's bearer transport): a request to the registry's own API host is sent with the Authorization
 * cached for its repository scope; on a 401 from that host it reads the challenge (Basic or Bearer), obtains a fresh
 * Authorization once and repeats the request. One bearer token per `repository:<name>:pull` scope, cached for the run.
 *
 * Any other host (a CDN a blob redirected to) gets no Authorization, and its challenges are not answered: the
 * registry's credentials would go to a realm that host chose. Such a 401 fails with AUTH.
 *
 * @param next the layer below (retry, timeout).
 */
export function withAuth(next: RegistryFetch, options: AuthOptions): RegistryFetch {
  const authorizations = new Map<string, string>();
  // Requests that meet the same challenge at once (the releases of a batch start together) share one token request.
  const authorizing = new Map<string, Promise<string>>();
  return async (request) => {
    if (!isRegistryHost(request.url, request.registry)) {
      const response = await next(withoutAuthorization(request));
      if (response.status === 401 && pickChallenge(response.headers.get('www-authenticate')) !== undefined) {
        const realm = realmHost(response.headers.get('www-authenticate'));
        await discardBody(response);
        throw new RegistryError(
          'AUTH',
          `expected ${request.what} from ${request.url.host} without credentials, got HTTP 401 asking to authenticate${realm ? ` at ${realm}` : ''}; credentials for ${request.registry} are sent to ${request.registry} only`,
          { status: 401 },
        );
      }
      return response;
    }
    const scope = request.repository !== undefined ? `repository:${request.repository}:pull` : undefined;
    const key = `${request.registry} ${scope ?? ''}`;
    const cached = authorizations.get(key);
    const first = await next(withAuthorization(request, cached));
    if (first.status !== 401) return first;

    const challenge = pickChallenge(first.headers.get('www-authenticate'));
    if (challenge === undefined) return first;
    await discardBody(first);
    let pending = authorizing.get(key);
    if (pending === undefined) {
      pending = authorize(options, request, challenge, scope);
      authorizing.set(key, pending);
      const settled = (): void => void authorizing.delete(key);
      pending.then(settled, settled);
    }
    const authorization = await pending;
    authorizations.set(key, authorization);
    return next(withAuthorization(request, authorization));
  };
}

async function authorize(
  options: AuthOptions,
  request: RegistryRequest,
  challenge: Challenge,
  scope: string | undefined,
): Promise<string> {
  const credentials = await options.resolveCredentials(request.registry);
  if (challenge.scheme === 'basic') {
    if (credentials === undefined || !('password' in credentials)) {
      throw new RegistryError(
        'AUTH',
        `expected username/password credentials for ${request.registry} (Basic auth), got none`,
        {
          status: 401,
        },
      );
    }
    return toBasicAuthorization(credentials);
  }
  const token = await fetchBearerToken(options.tokenFetch, {
    challenge,
    scope: scope ?? challenge.params.scope,
    registry: request.registry,
    credentials,
    // A realm may be plain HTTP only when the registry itself is (loopback or --insecure-registry).
    allowHttpRealm: request.url.protocol === 'http:',
  });
  return `Bearer ${token}`;
}

// Bearer is preferred when a registry offers both; unknown schemes leave the 401 to be reported as it is.
function pickChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const challenges = parseChallenges(header);
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

function realmHost(header: string | null): string | undefined {
  const realm = pickChallenge(header)?.params.realm;
  if (realm === undefined) return undefined;
  try {
    return new URL(realm).host;
  } catch {
    return oneLine(realm, 100);
  }
}

function withAuthorization(request: RegistryRequest, authorization: string | undefined): RegistryRequest {
  if (authorization === undefined) return request;
  return { ...request, headers: { ...request.headers, authorization } };
}

function withoutAuthorization(request: RegistryRequest): RegistryRequest {
  if (request.headers?.authorization === undefined) return request;
  const headers = { ...request.headers };
  delete headers.authorization;
  return { ...request, headers };
}
