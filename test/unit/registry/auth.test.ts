import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/errors.js';
import { withAuth } from '../../../src/registry/auth.js';
import type { Credentials } from '../../../src/registry/credentials.js';
import type { RegistryFetch, RegistryRequest } from '../../../src/registry/transport.js';

const CHALLENGE = 'Bearer realm="https://auth.example/token",service="registry.example"';

function request(repository: string): RegistryRequest {
  return {
    url: new URL(`https://registry.example/v2/${repository}/tags/list`),
    registry: 'registry.example',
    repository,
    what: `tag list of ${repository}`,
  };
}

/** A registry that wants `Bearer token-for-<scope>`, and a token endpoint that hands those out. */
function fakeRegistry(
  challenge = CHALLENGE,
): RegistryFetch & { seen: { url: string; method: string; authorization?: string; body?: string }[] } {
  const seen: { url: string; method: string; authorization?: string; body?: string }[] = [];
  const fn = async (req: RegistryRequest): Promise<Response> => {
    const authorization = req.headers?.authorization;
    seen.push({
      url: req.url.href,
      method: req.method ?? 'GET',
      ...(authorization && { authorization }),
      ...(req.body && { body: req.body }),
    });
    if (req.url.host === 'auth.example') {
      const scope = req.url.searchParams.get('scope') ?? new URLSearchParams(req.body).get('scope');
      return Response.json({ token: `token-for-${scope}` });
    }
    const repo = req.url.pathname.split('/').slice(2, -2).join('/');
    if (authorization === `Bearer token-for-repository:${repo}:pull`) return Response.json({ tags: [] });
    return new Response('', { status: 401, headers: { 'www-authenticate': challenge } });
  };
  return Object.assign(fn, { seen });
}

const anonymous = async (): Promise<Credentials | undefined> => undefined;

describe('withAuth', () => {
  it('gets one token per repository scope and reuses it', async () => {
    const next = fakeRegistry();
    const fetch = withAuth(next, { resolveCredentials: anonymous, tokenFetch: next });
    for (const repo of ['a/app', 'a/app', 'a/sigs', 'a/app']) expect((await fetch(request(repo))).status).toBe(200);
    expect(next.seen.filter((r) => r.url.startsWith('https://auth.example')).map((r) => r.url)).toEqual([
      'https://auth.example/token?service=registry.example&scope=repository%3Aa%2Fapp%3Apull',
      'https://auth.example/token?service=registry.example&scope=repository%3Aa%2Fsigs%3Apull',
    ]);
    expect(next.seen).toHaveLength(2 * 3 + 2);
  });

  it('sends Basic credentials to the realm, and refresh tokens as an OAuth2 POST', async () => {
    const next = fakeRegistry();
    await withAuth(next, { resolveCredentials: async () => ({ username: 'u', password: 'p' }), tokenFetch: next })(
      request('a/app'),
    );
    expect(next.seen[1]).toMatchObject({
      method: 'GET',
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });

    const oauth = fakeRegistry();
    await withAuth(oauth, { resolveCredentials: async () => ({ identityToken: 'refresh-1' }), tokenFetch: oauth })(
      request('a/app'),
    );
    expect(oauth.seen[1]).toMatchObject({ method: 'POST', url: 'https://auth.example/token' });
    expect(Object.fromEntries(new URLSearchParams(oauth.seen[1]!.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: 'verify-release',
      refresh_token: 'refresh-1',
      service: 'registry.example',
      scope: 'repository:a/app:pull',
    });
  });

  it.each([
    [
      'Bearer realm="http://auth.example/token"',
      'expected an https token realm from registry.example, got "http://auth.example/token"',
    ],
    ['Bearer service="x"', 'expected an https token realm from registry.example, got ""'],
    [
      'Bearer realm="https://user:pw@auth.example/token"',
      'expected an https token realm from registry.example, got "https://auth.example/token"',
    ],
  ])('refuses an unsafe realm: %s', async (challenge, message) => {
    const next = fakeRegistry(challenge);
    const error = await withAuth(next, {
      resolveCredentials: async () => ({ username: 'u', password: 'secret' }),
      tokenFetch: next,
    })(request('a/app')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'AUTH', message });
    expect(next.seen).toHaveLength(1);
  });

  it("sends nothing to another host and never answers that host's challenge", async () => {
    const next = fakeRegistry();
    const hop: RegistryRequest = {
      url: new URL('https://cdn.example/blob?sig=1'),
      headers: { authorization: 'Bearer registry-token' },
      registry: 'registry.example',
      repository: 'a/app',
      what: 'blob a/app@sha256:1',
    };
    const error = await withAuth(next, {
      resolveCredentials: async () => ({ username: 'u', password: 'secret' }),
      tokenFetch: next,
    })(hop).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'AUTH',
      message:
        'expected blob a/app@sha256:1 from cdn.example without credentials, got HTTP 401 asking to authenticate at auth.example; credentials for registry.example are sent to registry.example only',
    });
    expect(next.seen).toEqual([{ url: 'https://cdn.example/blob?sig=1', method: 'GET' }]);
  });

  it('returns a 401 without a usable challenge as it is, for the caller to report', async () => {
    const next = fakeRegistry('Negotiate');
    expect((await withAuth(next, { resolveCredentials: anonymous, tokenFetch: next })(request('a/app'))).status).toBe(
      401,
    );
  });
});
