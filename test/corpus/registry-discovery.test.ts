/**
 * The real slsa-verifier container attestations (`cosign save` layouts of generator_container_slsa3 v1.4.0–v2.1.0)
 * pushed into the real test registry under cosign's `sha256-<hex>.att` tag, then found by discovery, verified and
 * checked exactly as a release would be. v2.1.0's layout holds the whole image, so it also runs through the CLI.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, VerifyReleaseError } from '../../src/errors.js';
import { RegistryClient } from '../../src/registry/index.js';
import { discoverEvidence } from '../../src/discover/index.js';
import { verifyAllEvidence } from '../../src/pipeline/verify-evidence-all.js';
import { trustRootFromJson } from '../../src/sigstore/trust.js';
import { verifyIdentity } from '../../src/sigstore/identity.js';
import { verifyStatementSubject } from '../../src/sigstore/claims.js';
import { evaluateProvenance } from '../../src/checks/provenance/index.js';
import { digestHex, type Digest } from '../../src/model/digest.js';
import { pushBlob, pushManifest, startRegistry, type TestRegistry } from '../support/registry.js';
import { loadCases, readCorpusJson, REALWORLD_DIR, type RealworldCase } from '../support/oci-layout.js';
import { cliJson, statuses } from '../e2e/helpers.js';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

const CASES = loadCases().filter((c) => c.group === 'slsa-verifier container (legacy .att)');
const SOURCE_URI = 'github.com/slsa-framework/example-package';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(async () => {
  await reg?.stop();
});

/** The `cosign save` layout folder of a case (its attManifest lives in `<layout>/blobs/sha256/`). */
function layoutOf(testCase: RealworldCase): string {
  return join(REALWORLD_DIR, dirname(dirname(dirname(testCase.attManifest!))));
}

function readBlob(layout: string, digest: string): Buffer {
  return readFileSync(join(layout, 'blobs', 'sha256', digest.replace('sha256:', '')));
}

/** Pushes one manifest from the layout: its config and layers (or, for an index, its children) first. */
async function pushFromLayout(layout: string, repo: string, descriptor: Descriptor, reference: string): Promise<void> {
  const bytes = readBlob(layout, descriptor.digest);
  const manifest = JSON.parse(bytes.toString('utf8')) as {
    mediaType?: string;
    manifests?: Descriptor[];
    config?: Descriptor;
    layers?: Descriptor[];
  };
  for (const child of manifest.manifests ?? []) await pushFromLayout(layout, repo, child, child.digest);
  for (const blob of [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])]) {
    await pushBlob(reg, repo, readBlob(layout, blob.digest));
  }
  await pushManifest(reg, repo, reference, bytes, manifest.mediaType ?? descriptor.mediaType);
}

/** Pushes the layout's `.att` manifest under cosign's tag for `subject`; returns the repository. */
async function pushAttestation(testCase: RealworldCase, subject: Digest): Promise<string> {
  const layout = layoutOf(testCase);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const atts = index.manifests.find((entry) => entry.annotations?.kind === 'dev.cosignproject.cosign/atts')!;
  const repo = `corpus/${testCase.id.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  await pushFromLayout(layout, repo, atts, `sha256-${digestHex(subject)}.att`);
  return repo;
}

/** The stable code each invalid case fails with: a crash or another step's failure is a different outcome. */
const EXPECTED_CODES: Record<string, ErrorCode> = {
  'slsa-verifier/generator_container_slsa3/v2.1.0/wrong-image-digest': 'CLAIM_MISMATCH',
  'slsa-verifier/generator_container_slsa3/v2.1.0/wrong-identity': 'IDENTITY_MISMATCH',
  'slsa-verifier/generator_container_slsa3/v2.1.0/wrong-issuer': 'IDENTITY_MISMATCH',
  'slsa-verifier/generator_container_slsa3/v2.1.0/staging-trusted-root': 'CERTIFICATE_ERROR',
};

function codeOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    return error instanceof VerifyReleaseError ? error.code : `not a VerifyReleaseError: ${String(error)}`;
  }
  return 'verified';
}

describe('real container attestations through registry discovery and verification', () => {
  it.each(CASES.map((c) => [c.id, c] as const))('%s', async (_id, testCase) => {
    const subject = testCase.subjectDigest as Digest;
    const repo = await pushAttestation(testCase, subject);
    const client = new RegistryClient({ env: {} });
    const discovery = await discoverEvidence(client, subject, { image: { registry: reg.host, repository: repo } });
    expect(discovery.evidence.map((e) => [e.format, e.location.tag])).toEqual([
      ['legacy-att', `sha256-${digestHex(subject)}.att`],
    ]);

    const trust = trustRootFromJson(readCorpusJson(testCase.trustedRoot.split(' ')[0]!), 'file');
    const [outcome] = verifyAllEvidence(discovery.evidence, trust);
    const accept = (): void => {
      if (!outcome?.verified) throw outcome?.error ?? new Error('no outcome');
      verifyIdentity(outcome.verified.signer, { identity: testCase.identity!, issuer: testCase.issuer! });
      if (outcome.verified.content.type !== 'in-toto') throw new Error('expected an in-toto statement');
      verifyStatementSubject(outcome.verified.content.statement, subject);
    };
    if (testCase.expected !== 'valid') {
      expect(codeOf(accept), testCase.why).toBe(EXPECTED_CODES[testCase.id] ?? '(no expected code for this case)');
      return;
    }
    accept();
    const provenance = evaluateProvenance([outcome!.verified!], { digest: subject, sourceUri: SOURCE_URI });
    expect([provenance.status, provenance.reason]).toEqual([
      'pass',
      expect.stringContaining('slsa-framework/example-package'),
    ]);
    const wrongSource = evaluateProvenance([outcome!.verified!], {
      digest: subject,
      sourceUri: 'github.com/slsa-framework/other',
    });
    expect(wrongSource.status).toBe('fail');
  });
});

describe('the real v2.1.0 release through the CLI', () => {
  const testCase = CASES.find((c) => c.id === 'slsa-verifier/generator_container_slsa3/v2.1.0')!;
  const repo = 'slsa-framework/example-package';
  let digest: string;
  let root: string;

  beforeAll(async () => {
    const layout = layoutOf(testCase);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const image = index.manifests.find((entry) => entry.annotations?.kind === 'dev.cosignproject.cosign/imageIndex')!;
    digest = image.digest;
    await pushFromLayout(layout, repo, image, 'v2.1.0-demo');
    const atts = index.manifests.find((entry) => entry.annotations?.kind === 'dev.cosignproject.cosign/atts')!;
    await pushFromLayout(layout, repo, atts, `sha256-${digestHex(digest as Digest)}.att`);
    root = join(REALWORLD_DIR, 'trusted-roots/public-good.trusted_root.json');
  });

  // --trusted-root is given once (a repeated single-valued flag is a usage error): `extra` may name another root.
  const run = (...extra: string[]) =>
    cliJson([
      '--image',
      `${reg.host}/${repo}@${digest}`,
      ...(extra.includes('--trusted-root') ? [] : ['--trusted-root', root]),
      '--checks',
      'resolve,provenance',
      ...extra,
    ]);

  it('passes resolve and provenance for its source repository', async () => {
    const { code, report } = await run('--source-uri', SOURCE_URI);
    expect(statuses(report)).toEqual({ resolve: 'pass', provenance: 'pass' });
    expect(report.checks[1]?.evidence).toMatchObject({
      builderId:
        'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0',
      sourceRepository: 'slsa-framework/example-package',
    });
    expect(code).toBe(0);
  });

  it.each([
    ['another source repository', ['--source-uri', 'github.com/slsa-framework/not-example-package']],
    ['a tag it was not built from', ['--source-uri', SOURCE_URI, '--source-tag', 'v9.9.9']],
    [
      'another builder',
      [
        '--source-uri',
        SOURCE_URI,
        '--builder-id',
        'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@v2.0.0',
      ],
    ],
    [
      'the staging trusted root',
      ['--source-uri', SOURCE_URI, '--trusted-root', join(REALWORLD_DIR, 'trusted-roots/staging.trusted_root.json')],
    ],
  ])('fails the provenance check for %s', async (_name, extra) => {
    const { code, report } = await run(...extra);
    expect(statuses(report).provenance).toBe('fail');
    expect(code).toBe(1);
  });
});
