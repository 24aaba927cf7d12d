import { describe, expect, it } from 'vitest';
import { toRegistryBaseUrl, toRepositoryUrl } from '../../../src/registry/endpoint.js';

describe('toRegistryBaseUrl', () => {
  it.each([
    ['ghcr.io', [], 'https://ghcr.io/'],
    ['docker.io', [], 'https://registry-1.docker.io/'],
    ['localhost:5000', [], 'http://localhost:5000/'],
    ['127.0.0.1:41234', [], 'http://127.0.0.1:41234/'],
    ['[::1]:5000', [], 'http://[::1]:5000/'],
    ['registry.lan:5000', ['registry.lan:5000'], 'http://registry.lan:5000/'],
    ['registry.lan:5000', ['registry.lan'], 'https://registry.lan:5000/'],
  ])('%s with insecure %j → %s', (registry, insecure, expected) => {
    expect(toRegistryBaseUrl(registry, insecure).href).toBe(expected);
  });

  it('builds /v2/<name>/<path> URLs', () => {
    expect(
      toRepositoryUrl(new URL('https://ghcr.io/'), { registry: 'ghcr.io', repository: 'a/b' }, 'tags/list').href,
    ).toBe('https://ghcr.io/v2/a/b/tags/list');
  });
});
