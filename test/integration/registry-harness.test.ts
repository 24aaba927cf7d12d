import { describe, expect, it } from 'vitest';
import { pushImageIndex, startRegistry } from '../support/registry.js';

describe('test harness', () => {
  it('fails with the install command when docker-registry is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRegistry()).rejects.toThrow(
        'docker-registry is not installed (apt-get install -y docker-registry)',
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('pushes the same digests for the same seed, on anonymous and token registries', async () => {
    const plain = await startRegistry();
    const token = await startRegistry({ auth: 'token' });
    try {
      const a = await pushImageIndex(plain, 'acme/app', 'v1', { seed: 's' });
      const b = await pushImageIndex(token, 'other/name', 'v2', { seed: 's' });
      const c = await pushImageIndex(plain, 'acme/app', 'v3', { seed: 't' });
      expect(b.digest).toBe(a.digest);
      expect(b.children).toEqual(a.children);
      expect(c.digest).not.toBe(a.digest);
      expect(token.credentials?.username).toBe('alice');
      expect(plain.credentials).toBeUndefined();
    } finally {
      await plain.stop();
      await token.stop();
    }
  });
});
