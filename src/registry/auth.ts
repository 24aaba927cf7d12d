import { RegistryError } from '../errors.js';
import { fetchBearerToken, toBasicAuthorization } from './bearer.js';
import { parseChallenges, type Challenge } from './challenge.js';
import type { CredentialResolver } from './credentials.js';
import { discardBody, type RegistryFetch, type RegistryRequest } from './transport.js';

/**
 * The auth layer: sends each request with the Authorization cached for its registry and repository scope; on a 401 it
 * reads the challenge (Basic or Bearer), obtains a fresh Authorization once and repeats the request. One bearer token
 * per `repository:<name>:pull` scope, cached for the run; an expired one is replaced on its first 401.
 *
 * @param next the layer below (redirects, retry, timeout); token requests go through it too.
 */
export function withAuth(next: RegistryFetch, resolveCredentials: CredentialResolver): RegistryFetch {
  const authorizations = new Map<string, string>();
  return async (request) => {
    const scope = request.repository !== undefined ? `repository:${request.repository}:pull` : undefined;
    const key = `${request.registry} ${scope ?? ''}`;
    const cached = authorizations.get(key);
    const first = await next(withAuthorization(request, cached));
    if (first.status !== 401) return first;

    const challenge = pickChallenge(first.headers.get('www-authenticate'));
    if (challenge === undefined) return first;
    await discardBody(first);
    const authorization = await authorize(next, request, challenge, scope, resolveCredentials);
    authorizations.set(key, authorization);
    return next(withAuthorization(request, authorization));
  };
}

async function authorize(
  next: RegistryFetch,
  request: RegistryRequest,
  challenge: Challenge,
  scope: string | undefined,
  resolveCredentials: CredentialResolver,
): Promise<string> {
  const credentials = await resolveCredentials(request.registry);
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
  const token = await fetchBearerToken(next, {
    challenge,
    scope: scope ?? challenge.params.scope,
    registry: request.registry,
    credentials,
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

function withAuthorization(request: RegistryRequest, authorization: string | undefined): RegistryRequest {
  if (authorization === undefined) return request;
  return { ...request, headers: { ...request.headers, authorization } };
}
