import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  formatImageReference,
  formatRepository,
  isLoopbackRegistry,
  parseImageReference,
} from '../../../src/model/reference.js';

const HEX = 'a'.repeat(64);

describe('parseImageReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['alpine:3.20', { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io/library/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['acme/app', { registry: 'docker.io', repository: 'acme/app' }],
    [
      'ghcr.io/natrontech/gcp-mysql-backup:v1.1.0',
      { registry: 'ghcr.io', repository: 'natrontech/gcp-mysql-backup', tag: 'v1.1.0' },
    ],
    ['GHCR.io/natrontech/gcp-mysql-backup', { registry: 'ghcr.io', repository: 'natrontech/gcp-mysql-backup' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000/a/b/c:latest', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'latest' }],
    ['127.0.0.1:5000/acme/app', { registry: '127.0.0.1:5000', repository: 'acme/app' }],
    ['[::1]:5000/acme/app', { registry: '[::1]:5000', repository: 'acme/app' }],
    [`ghcr.io/acme/app@sha256:${HEX}`, { registry: 'ghcr.io', repository: 'acme/app', digest: `sha256:${HEX}` }],
    [
      `ghcr.io/acme/app:v1@sha256:${HEX}`,
      { registry: 'ghcr.io', repository: 'acme/app', tag: 'v1', digest: `sha256:${HEX}` },
    ],
    ['registry.example.com/a__b/c.d/e-f--g', { registry: 'registry.example.com', repository: 'a__b/c.d/e-f--g' }],
    ['acme/app:_under.score-OK', { registry: 'docker.io', repository: 'acme/app', tag: '_under.score-OK' }],
  ])('parses %s', (input, expected) => {
    expect(parseImageReference(input)).toEqual(expected);
  });

  it.each([
    ['', 'got an empty string'],
    ['https://ghcr.io/acme/app', 'expected no URL scheme'],
    ['ghcr.io/acme/app@sha256:abc', 'expected digest sha256:<64 lowercase hex>, got "sha256:abc"'],
    [`ghcr.io/acme/app@sha512:${HEX}${HEX}`, 'expected digest sha256'],
    [`ghcr.io/acme/app@sha256:${'A'.repeat(64)}`, 'expected digest sha256'],
    ['ghcr.io/acme/app:', 'expected tag matching'],
    ['ghcr.io/acme/app:-dash', 'got "-dash"'],
    [`ghcr.io/acme/app:${'t'.repeat(129)}`, 'expected tag matching'],
    ['ghcr.io/acme//app', 'got ""'],
    ['ghcr.io/acme/app_', 'got "app_"'],
    ['ghcr.io/acme/a...b', 'got "a...b"'],
    ['-bad.io/acme/app', 'expected a registry host[:port], got "-bad.io"'],
    ['ghcr.io:port/acme/app', 'expected a registry host[:port]'],
    [`ghcr.io/${'a'.repeat(256)}`, 'expected a repository name of at most 255 characters'],
    ['ghcr.io/acme/app with space', 'got "app with space"'],
    ['ghcr.io/NatronTech/Gcp-MySQL-Backup', 'expected a lowercase repository name, got "NatronTech/Gcp-MySQL-Backup"'],
    ['UPPER/Case', 'expected a lowercase repository name, got "UPPER/Case"'],
  ])('rejects %j', (input, reason) => {
    let thrown: unknown;
    try {
      parseImageReference(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).code).toBe('USAGE');
    expect((thrown as UsageError).message).toContain(`invalid image reference "${input}"`);
    expect((thrown as UsageError).message).toContain(reason);
    expect((thrown as UsageError).message).not.toContain('\n');
  });
});

describe('formatRepository / formatImageReference', () => {
  it('formats host/name and the full reference', () => {
    expect(formatRepository({ registry: 'ghcr.io', repository: 'acme/app' })).toBe('ghcr.io/acme/app');
    const ref = parseImageReference(`ghcr.io/acme/app:v1@sha256:${HEX}`);
    expect(formatImageReference(ref)).toBe(`ghcr.io/acme/app:v1@sha256:${HEX}`);
  });
});

describe('isLoopbackRegistry', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['LOCALHOST:5000', true],
    ['127.0.0.1', true],
    ['127.1.2.3:443', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['127.0.0.1.nip.io', false],
    ['128.0.0.1:5000', false],
    ['127.0.0.256', false],
    ['ghcr.io', false],
    ['localhost.example.com', false],
    ['[::2]:5000', false],
  ])('%s → %s', (registry, expected) => {
    expect(isLoopbackRegistry(registry)).toBe(expected);
  });
});
