import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HashAlgorithm } from '../../src/sigstore/bundle/prehash.js';
import { type ArtifactInput, verifySigstoreBundle } from '../../src/sigstore/bundle/index.js';
import { verifyIdentity } from '../../src/sigstore/identity.js';
import { loadTrustRoot } from '../../src/sigstore/trust.js';
import { corpusDir } from '../support/corpus.js';

const REALWORLD = corpusDir();

interface CorpusCase {
  id: string;
  group: string;
  files: string[];
  expected: string;
  why: string;
  identity?: string | null;
  issuer?: string | null;
  key?: string | null;
  artifact?: string | null;
  subjectDigest?: string | null;
  payloadDigest?: string | null;
  trustedRoot: string;
}

/** Bundle cases outside sigstore-conformance; legacy .sig/.att layers and derived/ belong to the legacy verifier. */
const GROUPS = new Set([
  'sigstore-java',
  'sigstore-js fixtures',
  'slsa-verifier bundles',
  'slsa-verifier bare DSSE (no tlog)',
  'sigstore-go',
  'sigstore-python',
  'cosign',
]);

const corpus = JSON.parse(readFileSync(join(REALWORLD, 'cases.json'), 'utf8')) as { cases: CorpusCase[] };
const cases = corpus.cases.filter((c) => GROUPS.has(c.group) || c.id === 'sigstore-rs/bundle_v03.json');

function toArtifact(c: CorpusCase): ArtifactInput | undefined {
  if (c.artifact) return { bytes: readFileSync(join(REALWORLD, c.artifact)) };
  const digest = c.subjectDigest ?? c.payloadDigest;
  if (!digest) return undefined;
  const [algorithm, hex] = digest.split(':') as [HashAlgorithm, string];
  return { digest: { algorithm, hex } };
}

async function verifyCase(c: CorpusCase): Promise<void> {
  const bundle = JSON.parse(readFileSync(join(REALWORLD, c.files[0] as string), 'utf8')) as unknown;
  // Some cases name an alternative root in parentheses; the first path is the one to use.
  const trust = await loadTrustRoot({ path: join(REALWORLD, c.trustedRoot.split(' ')[0] as string) });
  const artifact = toArtifact(c);
  const publicKey = c.key ? readFileSync(join(REALWORLD, c.key), 'utf8') : undefined;
  const result = verifySigstoreBundle(bundle, trust, {
    ...(artifact ? { artifact } : {}),
    ...(publicKey ? { publicKey } : {}),
  });
  if (c.identity && c.issuer) {
    if (!result.signer) throw new Error('expected a keyless bundle');
    verifyIdentity(result.signer, { identity: c.identity, issuer: c.issuer });
  }
}

describe('real-world bundle corpus (cases.json)', () => {
  it('selects the bundle cases', () => {
    expect(cases.length).toBe(63);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    if (c.expected.startsWith('valid')) await expect(verifyCase(c)).resolves.toBeUndefined();
    else await expect(verifyCase(c)).rejects.toThrow();
  });
});
