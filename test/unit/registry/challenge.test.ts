import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../../src/registry/challenge.js';

describe('parseChallenges', () => {
  it('parses a GHCR bearer challenge', () => {
    expect(
      parseChallenges('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/app:pull' },
      },
    ]);
  });

  it('parses several challenges in one header, unquoted values and odd spacing', () => {
    expect(
      parseChallenges(
        'Basic realm="basic-realm" , Bearer realm=https://auth.example/token, service = "svc", error="insufficient_scope"',
      ),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'basic-realm' } },
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'svc', error: 'insufficient_scope' },
      },
    ]);
  });

  it('keeps commas inside quotes and unescapes backslashes', () => {
    expect(parseChallenges('Bearer realm="https://a/t",scope="repository:a:pull,push",note="say \\"hi\\""')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://a/t', scope: 'repository:a:pull,push', note: 'say "hi"' } },
    ]);
  });

  it('lowercases scheme and parameter names, not values', () => {
    expect(parseChallenges('BEARER Realm="https://A/T"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://A/T' } },
    ]);
  });

  it('keeps a scheme without parameters and tolerates an unterminated quote', () => {
    expect(parseChallenges('Negotiate')).toEqual([{ scheme: 'negotiate', params: {} }]);
    expect(parseChallenges('Bearer realm="https://a/t')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://a/t' } },
    ]);
  });

  it('returns nothing for empty or garbage headers', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('=== ,,, "')).toEqual([]);
  });
});
