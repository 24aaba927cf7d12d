import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, VerifyReleaseError } from '../../src/errors.js';
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

/**
 * Why each invalid case fails: the stable code of the first step that rejects it. A failure for another reason (a
 * crash, a parser error where a signature check was meant) is a different outcome and fails the test.
 */
const EXPECTED_CODES: Record<string, ErrorCode> = {
  'slsa-verifier/bcr/MODULE-wrong-signer.bazel.intoto.jsonl': 'IDENTITY_MISMATCH',
  'slsa-verifier/gha-bundle/mismatch-tlog.intoto.sigstore': 'TLOG_ERROR',
  'slsa-verifier/gha-bundle/invalid-set.intoto.sigstore': 'TLOG_ERROR',
  'slsa-verifier/gha-bundle/invalid-dsse-sig.intoto.sigstore': 'TLOG_ERROR',
  'slsa-verifier/dsse-without-tlog/binary-linux-amd64-expired-cert.intoto.jsonl': 'BUNDLE_INVALID',
  'slsa-verifier/dsse-without-tlog/binary-linux-amd64-no-tlog-upload.intoto.jsonl': 'BUNDLE_INVALID',
  'slsa-verifier/dsse-without-tlog/binary-linux-amd64-untrusted-builder.intoto.jsonl': 'BUNDLE_INVALID',
  'slsa-verifier/dsse-without-tlog/gha_generic/v2.0.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl':
    'BUNDLE_INVALID',
  'cosign/oci-attestation.sigstore.json/wrong-digest': 'SIGNATURE_ERROR',
  'sigstore-js/client-invalid__v1.dsse.invalidBadSignature': 'TLOG_ERROR',
  'sigstore-js/client-invalid__v1.messageSignature.invalidExpiredCert': 'CERTIFICATE_ERROR',
  'sigstore-js/verify__V3.MESSAGE_SIGNATURE.WITH_SIGNING_CERT': 'TLOG_ERROR',
  'sigstore-go/pkg/testing/data/bundles/dsse-2sigs.sigstore.json': 'BUNDLE_INVALID',
  'sigstore-python/bundle_v3_no_signed_time.txt.sigstore.json': 'TIMESTAMP_ERROR',
  'sigstore-python/bundle_no_cert_v1.txt.sigstore': 'BUNDLE_INVALID',
  'sigstore-python/integration/Python-3.12.5.tgz.sigstore': 'BUNDLE_INVALID',
  'sigstore-java/bundle.v2.no.inclusion.sigstore': 'BUNDLE_INVALID',
  'sigstore-java/bundle.v3_1.no.inclusion.sigstore': 'BUNDLE_INVALID',
  'sigstore-java/bundle-with-expired-cert.sigstore': 'CERTIFICATE_ERROR',
  'sigstore-java/bundle-with-mismatched-set.sigstore': 'TLOG_ERROR',
  'sigstore-java/bundle-with-wrong-tlog-entry.sigstore': 'TLOG_ERROR',
  'sigstore-java/bundle-with-bad-checkpoint-signature.sigstore': 'TLOG_ERROR',
  'sigstore-java/bundle.dsse.bad-signature.sigstore': 'TLOG_ERROR',
  'sigstore-java/github-private-no-tlog/attestation.sigstore.json': 'TIMESTAMP_ERROR',
};

async function failureCode(c: CorpusCase): Promise<string> {
  try {
    await verifyCase(c);
  } catch (error) {
    return error instanceof VerifyReleaseError ? error.code : `not a VerifyReleaseError: ${String(error)}`;
  }
  return 'verified';
}

describe('real-world bundle corpus (cases.json)', () => {
  it('selects the bundle cases', () => {
    expect(cases.length).toBe(63);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    if (c.expected.startsWith('valid')) await expect(verifyCase(c)).resolves.toBeUndefined();
    else expect(await failureCode(c), c.why).toBe(EXPECTED_CODES[c.id] ?? '(no expected code for this case)');
  });

  it('names the expected code of every invalid case', () => {
    const invalid = cases.filter((c) => !c.expected.startsWith('valid')).map((c) => c.id);
    expect(Object.keys(EXPECTED_CODES).sort()).toEqual(invalid.sort());
  });
});
