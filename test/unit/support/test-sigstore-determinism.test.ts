/**
 * The test Sigstore is deterministic where it matters (issue 10, item 6): log indexes, tree sizes, audit paths, tree
 * ids and serial numbers come from a seed. It used to draw them from crypto.randomInt, and the last entry of its tree
 * (treeSize = logIndex + 1) at an even index got an audit path one hash too long: about one minted bundle in 2,000
 * did not verify, and a test flaked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Digest } from '../../../src/model/digest.js';
import { trustRootFromJson, verifySigstoreBundle, type TrustRoot } from '../../../src/sigstore/index.js';
import { createTestSigstore, type TestSigstore, type TreePosition } from '../../support/test-sigstore/index.js';
import { createReferenceVerifier, type ReferenceVerifier } from '../../support/test-sigstore/reference-verify.js';
import { seededRandom } from '../../support/test-sigstore/random.js';
import { digest, release, releaseSan } from './release-fixture.js';

const NOW = new Date('2026-06-25T10:20:00Z');

let sigstore: TestSigstore;
let reference: ReferenceVerifier;
let trust: TrustRoot;

beforeAll(async () => {
  sigstore = await createTestSigstore({ now: NOW });
  reference = createReferenceVerifier(sigstore.trustedRoot);
  trust = trustRootFromJson(sigstore.trustedRoot, 'file');
});

interface Proof {
  logIndex: string;
  treeSize: string;
  hashes: string[];
  rootHash: string;
}

const proofOf = (bundle: object): Proof =>
  (bundle as { verificationMaterial: { tlogEntries: { inclusionProof: Proof }[] } }).verificationMaterial
    .tlogEntries[0]!.inclusionProof;

/** Both verifiers accept the bundle: plain @sigstore/verify and verify-release. */
function expectVerifies(bundle: object): void {
  expect(reference.verifyBundle(bundle, releaseSan).identity?.subjectAlternativeName).toBe(releaseSan);
  expect(
    verifySigstoreBundle(bundle, trust, { artifact: { digest: { algorithm: 'sha256', hex: digest.slice(7) } } }).signer
      ?.identity,
  ).toBe(releaseSan);
}

describe('deterministic test Sigstore', () => {
  it(
    'mints and verifies 200 bundles in a row',
    async () => {
      const sizes = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const bundle = await sigstore.bundleSignature({ digest, identity: release });
        expectVerifies(bundle);
        const proof = proofOf(bundle);
        sizes.add(Number(proof.treeSize) - Number(proof.logIndex));
      }
      // The positions vary (the loop is not 200 copies of one case).
      expect(sizes.size).toBeGreaterThan(150);
      // A loop, not a timing: on a loaded machine 200 mints take minutes, which is fine.
    },
    30 * 60_000,
  );

  it.each<[string, TreePosition]>([
    // The old off-by-one: the last entry of its tree at an even index got an audit path one hash too long.
    ['the last entry of its tree, at an even index', { logIndex: 4, treeSize: 5 }],
    ['the last of three entries', { logIndex: 2, treeSize: 3 }],
    ['the last entry of a large tree, at an even index', { logIndex: 9_999_998, treeSize: 9_999_999 }],
    ['the last entry of its tree, at an odd index', { logIndex: 5, treeSize: 6 }],
    ['the last of two entries', { logIndex: 1, treeSize: 2 }],
    ['the last entry of a full tree', { logIndex: 1023, treeSize: 1024 }],
    ['the entry after a full tree, as the last', { logIndex: 1024, treeSize: 1025 }],
    ['the second entry of a full tree', { logIndex: 1, treeSize: 1024 }],
    ['an entry in the middle', { logIndex: 4_321_987, treeSize: 4_322_500 }],
  ])('verifies %s', async (_name, tree) => {
    const bundle = await sigstore.bundleSignature({ digest, identity: release, tree });
    expectVerifies(bundle);
    expect(proofOf(bundle)).toMatchObject({ logIndex: String(tree.logIndex), treeSize: String(tree.treeSize) });
  });

  it('mints the same structures from the same seed, and others from another seed', async () => {
    const structure = async (seed: string) => {
      const instance = await createTestSigstore({ now: NOW, seed });
      const other = sha256Digest(Buffer.from('another image'));
      const proofs = [];
      for (const subject of [digest, other])
        proofs.push(proofOf(await instance.bundleSignature({ digest: subject, identity: release })));
      return proofs.map(({ logIndex, treeSize, hashes }) => ({ logIndex, treeSize, hashes }));
    };
    const [a, b, c] = [await structure('one'), await structure('one'), await structure('two')];
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('draws uniform integers in range from the seeded stream', () => {
    const random = seededRandom('range');
    const draws = Array.from({ length: 2000 }, () => random.int(1, 1001));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...draws)).toBeLessThanOrEqual(1000);
    expect(new Set(draws).size).toBeGreaterThan(800);
    expect(seededRandom('range').int(1, 1001)).toBe(draws[0]);
  });
});
