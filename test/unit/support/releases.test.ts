/**
 * Mints natrontech-like release histories into a real docker-registry (distribution 2.8) and reads every object
 * back over plain HTTP: tags, cosign layouts, fallback indexes, blob digests, and the bundles through @sigstore/verify.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestHex, type Digest } from '../../../src/model/digest.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import {
  fetchJsonManifest,
  mintGcpMysqlBackupHistory,
  mintPbsExporterLike,
  mintRelease,
  type MintedRelease,
} from '../../support/releases.js';
import { createTestSigstore, type TestSigstore } from '../../support/test-sigstore/index.js';
import { createReferenceVerifier, type ReferenceVerifier } from '../../support/test-sigstore/reference-verify.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const GCP = 'natrontech/gcp-mysql-backup';

interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}
interface Manifest {
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}
interface Index {
  mediaType: string;
  manifests: Descriptor[];
}

let registry: TestRegistry;
let sigstore: TestSigstore;
let reference: ReferenceVerifier;
let history: Awaited<ReturnType<typeof mintGcpMysqlBackupHistory>>;
let pbs: MintedRelease;

beforeAll(async () => {
  registry = await startRegistry();
  sigstore = await createTestSigstore({ now: new Date('2026-11-27T12:00:00Z') });
  reference = createReferenceVerifier(sigstore.trustedRoot);
  history = await mintGcpMysqlBackupHistory(registry, sigstore);
  pbs = await mintPbsExporterLike(registry, sigstore);
});

afterAll(async () => {
  await registry?.stop();
});

const manifest = (repo: string, reference: string) =>
  fetchJsonManifest<Manifest>(registry, repo, reference, OCI_MANIFEST);
const index = (repo: string, reference: string) => fetchJsonManifest<Index>(registry, repo, reference, OCI_INDEX);
const tagOf = (digest: Digest, suffix = '') => `sha256-${digestHex(digest)}${suffix}`;

/** Reads a blob and checks its bytes against the descriptor digest. */
async function blob(repo: string, digest: Digest): Promise<Buffer> {
  const response = await fetch(`http://${registry.host}/v2/${repo}/blobs/${digest}`);
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(digest);
  return bytes;
}

/** Statement inside a legacy DSSE layer. */
async function attestedStatement(
  repo: string,
  layer: Descriptor,
): Promise<{ predicateType: string; predicate: any; subject: any[] }> {
  const envelope = JSON.parse((await blob(repo, layer.digest)).toString()) as { payload: string };
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
}

/** Every bundle referrer of `subject` via the fallback tag, verified with @sigstore/verify. */
async function referrerBundles(repo: string, subject: MintedRelease, san: string) {
  const fallback = await index(repo, tagOf(subject.digest));
  expect(fallback?.mediaType).toBe(OCI_INDEX);
  const found = [];
  for (const entry of fallback?.manifests ?? []) {
    expect(entry.artifactType).toBeUndefined();
    const referrer = await manifest(repo, entry.digest);
    expect(referrer?.artifactType).toBe(BUNDLE);
    expect(referrer?.config).toMatchObject({ mediaType: 'application/vnd.oci.empty.v1+json', size: 2 });
    expect(referrer?.subject).toEqual({ mediaType: OCI_INDEX, digest: subject.digest, size: subject.size });
    expect(referrer?.layers.map((l) => l.mediaType)).toEqual([BUNDLE]);
    const bundle = JSON.parse((await blob(repo, referrer!.layers[0]!.digest)).toString()) as object;
    expect(reference.verifyBundle(bundle, san).identity?.subjectAlternativeName).toBe(san);
    found.push(referrer!.annotations ?? {});
  }
  return found;
}

describe('gcp-mysql-backup history', () => {
  it('v0.7.0 is an unsigned buildx index: amd64 image plus attestation manifest', async () => {
    const image = await index(GCP, 'v0.7.0');
    expect(image?.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual([
      'linux/amd64',
      'unknown/unknown',
    ]);
    expect(image?.manifests[1]?.annotations?.['vnd.docker.reference.type']).toBe('attestation-manifest');
    for (const suffix of ['.sig', '.att', ''])
      expect(await manifest(GCP, tagOf(history['v0.7.0'].digest, suffix))).toBeUndefined();
  });

  it('v0.8.0 has a legacy .sig and one .att with the SBOM and SLSA layers, appended like cosign', async () => {
    const { digest } = history['v0.8.0'];
    const sig = await manifest(GCP, tagOf(digest, '.sig'));
    expect(sig?.layers.map((l) => l.mediaType)).toEqual(['application/vnd.dev.cosign.simplesigning.v1+json']);
    const payload = JSON.parse((await blob(GCP, sig!.layers[0]!.digest)).toString());
    expect(payload.critical.image['docker-manifest-digest']).toBe(digest);

    const att = await manifest(GCP, tagOf(digest, '.att'));
    expect(att?.layers.map((l) => l.annotations?.predicateType)).toEqual([
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v0.2',
    ]);
    const config = JSON.parse((await blob(GCP, att!.config.digest)).toString());
    expect(config.rootfs.diff_ids).toEqual(att?.layers.map((l) => l.digest));
    const provenance = await attestedStatement(GCP, att!.layers[1]!);
    expect(provenance.predicate.builder.id).toMatch(/generator_container_slsa3\.yml@refs\/tags\/v2\.0\.0$/);
    expect(provenance.subject[0].digest.sha256).toBe(digestHex(digest));
    expect(await index(GCP, tagOf(digest))).toBeUndefined();
  });

  it('v1.1.2 has bundle signature and SBOM referrers and a legacy SLSA .att, and no .sig', async () => {
    const release = history['v1.1.2'];
    const annotations = await referrerBundles(
      GCP,
      release,
      `https://github.com/${GCP}/.github/workflows/release.yml@refs/tags/v1.1.2`,
    );
    expect(annotations.map((a) => a['dev.sigstore.bundle.predicateType'])).toEqual([
      'https://sigstore.dev/cosign/sign/v1',
      'https://cyclonedx.org/bom',
    ]);
    expect(annotations[0]).toMatchObject({
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'org.opencontainers.image.created': '2026-06-25T10:20:00Z',
    });
    expect(await manifest(GCP, tagOf(release.digest, '.sig'))).toBeUndefined();
    const att = await manifest(GCP, tagOf(release.digest, '.att'));
    expect(att?.layers).toHaveLength(1);
    const provenance = await attestedStatement(GCP, att!.layers[0]!);
    expect(provenance.predicate.invocation.configSource.uri).toBe(`git+https://github.com/${GCP}@refs/tags/v1.1.2`);
    expect(provenance.predicate.invocation.environment.github_ref_type).toBe('tag');
  });

  it('latest is built from main: main identities and branch provenance', async () => {
    const release = history.latest;
    expect(release.digest).not.toBe(history['v1.1.2'].digest);
    await referrerBundles(GCP, release, `https://github.com/${GCP}/.github/workflows/release.yml@refs/heads/main`);
    const att = await manifest(GCP, tagOf(release.digest, '.att'));
    const provenance = await attestedStatement(GCP, att!.layers[0]!);
    expect(provenance.predicate.invocation.configSource.uri).toBe(`git+https://github.com/${GCP}@refs/heads/main`);
    expect(provenance.predicate.invocation.environment).toMatchObject({
      github_ref_type: 'branch',
      github_event_name: 'schedule',
    });
  });
});

describe('pbs-exporter-like release', () => {
  it('keeps signature and provenance in natrontech/signatures and the SBOM in natrontech/sbom', async () => {
    const image = await index('natrontech/pbs-exporter', 'v0.8.0');
    expect(image?.manifests).toHaveLength(3);
    for (const suffix of ['.sig', '.att'])
      expect(await manifest('natrontech/pbs-exporter', tagOf(pbs.digest, suffix))).toBeUndefined();
    const sig = await manifest('natrontech/signatures', tagOf(pbs.digest, '.sig'));
    expect(sig?.layers).toHaveLength(1);
    const provenance = await manifest('natrontech/signatures', tagOf(pbs.digest, '.att'));
    expect(provenance?.layers.map((l) => l.annotations?.predicateType)).toEqual(['https://slsa.dev/provenance/v0.2']);
    const sbom = await manifest('natrontech/sbom', tagOf(pbs.digest, '.att'));
    const statement = await attestedStatement('natrontech/sbom', sbom!.layers[0]!);
    expect(statement.predicate.metadata.component['bom-ref']).toBe(
      'pkg:golang/github.com/natrontech/pbs-exporter@v0.8.0?type=module',
    );
  });
});

describe('token-auth registry', () => {
  it('appends referrers to the fallback index through bearer tokens', async () => {
    const secured = await startRegistry({ auth: 'token' });
    try {
      const release = await mintRelease(secured, sigstore, { repo: 'acme/app', tag: 'v1.2.3', provenance: 'none' });
      const fallback = await fetchJsonManifest<Index>(secured, 'acme/app', tagOf(release.digest), OCI_INDEX);
      expect(fallback?.manifests).toHaveLength(2);
    } finally {
      await secured.stop();
    }
  });
});
