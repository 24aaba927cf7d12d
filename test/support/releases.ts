/**
 * Whole releases in the real test registry: an image index plus the signature, SBOM and provenance that the
 * natrontech pipelines publish, in the storage format each release era used (verification-semantics A.3/A.4).
 */
import { createHash } from 'node:crypto';
import { sha256Digest, type Digest } from '../../src/model/digest.js';
import {
  pushBlob,
  pushImageIndex,
  pushJsonManifest,
  pushManifest,
  startRegistry,
  type TestRegistry,
} from './registry.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  CYCLONEDX_PREDICATE_TYPE,
  cyclonedxStatement,
  slsaProvenanceStatement,
} from './statements.js';
import { OCI_INDEX, OCI_MANIFEST, pushLegacy, pushReferrer } from './test-sigstore/cosign-layout.js';
import {
  createTestSigstore,
  type GithubIdentity,
  type LegacyLayer,
  type Tamper,
  type TestSigstore,
} from './test-sigstore/index.js';

export { pushLegacy, pushReferrer, fetchJsonManifest } from './test-sigstore/cosign-layout.js';

/** The slsa-github-generator container workflow as a job workflow (the provenance signer). */
export const CONTAINER_GENERATOR_WORKFLOW = {
  repository: 'slsa-framework/slsa-github-generator',
  path: '.github/workflows/generator_container_slsa3.yml',
};

/** What one release carries and where. Defaults mirror natrontech/gcp-mysql-backup v1.1.2. */
export interface ReleaseSpec {
  /** Image repository in the test registry, also the GitHub repository (`owner/name`). */
  repo: string;
  tag: string;
  signature?: 'bundle' | 'legacy' | 'none';
  sbom?: 'bundle' | 'legacy-in-att' | 'none';
  provenance?: 'legacy' | 'none';
  /** Repositories for legacy evidence (`COSIGN_REPOSITORY` / `provenance-repository`); default the image repo. */
  signatureRepo?: string;
  sbomRepo?: string;
  provenanceRepo?: string;
  /** Ref the release workflow ran for (default `refs/tags/<tag>`). */
  ref?: string;
  /**
   * Changes to the release workflow's identity, for signature, SBOM and the provenance's caller: e.g. a fork that
   * calls the project's release workflow as a reusable workflow (`repository` + `jobWorkflow`), or `extensions`.
   */
  signer?: Partial<GithubIdentity>;
  /** Ref recorded in the provenance's configSource and environment (default `ref`). */
  provenanceRef?: string;
  /** Generator ref in the provenance signer's SAN and builder id (default `refs/tags/v2.1.0`). */
  generatorRef?: string;
  /** Event that triggered the run (default `push`). */
  trigger?: string;
  /** Signing time (default: the test Sigstore's `now`). */
  signedAt?: Date;
  /** Platforms of a plain multi-arch index; default is buildx's amd64 image plus its attestation manifest. */
  platforms?: string[];
  /** Overrides metadata.component of the SBOM (e.g. a Go module bom-ref). */
  sbomComponent?: Record<string, string>;
  tamper?: { signature?: Tamper; sbom?: Tamper; provenance?: Tamper };
}

/** The pushed image index. */
export interface MintedRelease {
  digest: Digest;
  size: number;
  mediaType: string;
  /** `host/repo:tag`. */
  reference: string;
}

/** Pushes the image and every piece of evidence the spec asks for; returns the image index descriptor. */
export async function mintRelease(
  reg: TestRegistry,
  sigstore: TestSigstore,
  spec: ReleaseSpec,
): Promise<MintedRelease> {
  const ref = spec.ref ?? `refs/tags/${spec.tag}`;
  const seed = `${spec.repo}:${spec.tag}`;
  const image = spec.platforms
    ? await pushImageIndex(reg, spec.repo, spec.tag, { platforms: spec.platforms, seed })
    : await pushBuildxIndex(reg, spec.repo, spec.tag, seed);
  const subject = { digest: image.digest, size: image.size, mediaType: OCI_INDEX };
  const imageName = `${reg.host}/${spec.repo}`;
  const sha = createHash('sha1').update(seed).digest('hex');
  const signedAt = spec.signedAt;
  const releaseIdentity: GithubIdentity = {
    repository: spec.repo,
    workflowPath: '.github/workflows/release.yml',
    ref,
    sha,
    trigger: spec.trigger ?? 'push',
    ...spec.signer,
  };
  const tamper = spec.tamper ?? {};

  const signature = spec.signature ?? 'bundle';
  if (signature === 'legacy') {
    const layer = await sigstore.signImage({
      digest: image.digest,
      repository: imageName,
      identity: releaseIdentity,
      signedAt,
      tamper: tamper.signature,
    });
    await pushLegacy(reg, spec.signatureRepo ?? spec.repo, image.digest, 'sig', [layer]);
  } else if (signature === 'bundle') {
    // release.yml signs with -a repo=… -a workflow=… -a ref=<sha>.
    const annotations = { repo: spec.repo, workflow: 'Release', ref: sha };
    const bundle = await sigstore.bundleSignature({
      digest: image.digest,
      identity: releaseIdentity,
      annotations,
      signedAt,
      tamper: tamper.signature,
    });
    await pushReferrer(reg, spec.repo, subject, bundle, COSIGN_SIGN_PREDICATE_TYPE, signedAt);
  }

  const sbom = spec.sbom ?? 'bundle';
  const sbomStatement = cyclonedxStatement({
    image: imageName,
    digest: image.digest,
    version: spec.tag,
    component: spec.sbomComponent,
  });
  if (sbom === 'bundle') {
    const bundle = await sigstore.bundleAttestation({
      statement: sbomStatement,
      identity: releaseIdentity,
      signedAt,
      tamper: tamper.sbom,
    });
    await pushReferrer(reg, spec.repo, subject, bundle, CYCLONEDX_PREDICATE_TYPE, signedAt);
  } else if (sbom === 'legacy-in-att') {
    const layer = await sigstore.attestLegacy({
      statement: sbomStatement,
      identity: releaseIdentity,
      signedAt,
      tamper: tamper.sbom,
    });
    await pushLegacy(reg, spec.sbomRepo ?? spec.repo, image.digest, 'att', [layer]);
  }

  if ((spec.provenance ?? 'legacy') === 'legacy') {
    const generatorRef = spec.generatorRef ?? 'refs/tags/v2.1.0';
    const statement = slsaProvenanceStatement({
      image: imageName,
      digest: image.digest,
      sourceRepository: spec.repo,
      ref: spec.provenanceRef ?? ref,
      sha,
      generatorRef,
      eventName: spec.trigger ?? 'push',
    });
    const identity: GithubIdentity = {
      ...releaseIdentity,
      jobWorkflow: { ...CONTAINER_GENERATOR_WORKFLOW, ref: generatorRef },
    };
    // generator_container_slsa3 v2.x runs cosign 2.2.3: legacy .att, Rekor dsse.
    const layer: LegacyLayer = await sigstore.attestLegacy({
      statement,
      identity,
      signedAt,
      tamper: tamper.provenance,
    });
    await pushLegacy(reg, spec.provenanceRepo ?? spec.repo, image.digest, 'att', [layer]);
  }
  return { ...subject, reference: `${imageName}:${spec.tag}` };
}

/**
 * natrontech/gcp-mysql-backup's storage eras: v0.7.0 unsigned; v0.8.0 legacy `.sig` and one `.att` with SBOM + SLSA
 * (generator v2.0.0); v1.1.2 bundle signature and SBOM, legacy SLSA `.att`; `latest` the same, built from main.
 */
export async function mintGcpMysqlBackupHistory(
  reg: TestRegistry,
  sigstore: TestSigstore,
): Promise<Record<'v0.7.0' | 'v0.8.0' | 'v1.1.2' | 'latest', MintedRelease>> {
  const repo = 'natrontech/gcp-mysql-backup';
  return {
    'v0.7.0': await mintRelease(reg, sigstore, {
      repo,
      tag: 'v0.7.0',
      signature: 'none',
      sbom: 'none',
      provenance: 'none',
    }),
    'v0.8.0': await mintRelease(reg, sigstore, {
      repo,
      tag: 'v0.8.0',
      signature: 'legacy',
      sbom: 'legacy-in-att',
      generatorRef: 'refs/tags/v2.0.0',
      signedAt: new Date('2025-02-24T15:04:05Z'),
    }),
    'v1.1.2': await mintRelease(reg, sigstore, { repo, tag: 'v1.1.2', signedAt: new Date('2026-06-25T10:20:00Z') }),
    latest: await mintRelease(reg, sigstore, {
      repo,
      tag: 'latest',
      ref: 'refs/heads/main',
      trigger: 'schedule',
      signedAt: new Date('2026-06-26T10:20:00Z'),
    }),
  };
}

/**
 * natrontech/pbs-exporter ≤ v0.8.0: a real multi-arch index whose legacy signature and provenance live in
 * `natrontech/signatures` and whose Go-module SBOM lives in `natrontech/sbom` (COSIGN_REPOSITORY era).
 */
export async function mintPbsExporterLike(
  reg: TestRegistry,
  sigstore: TestSigstore,
  tag = 'v0.8.0',
): Promise<MintedRelease> {
  const bomRef = `pkg:golang/github.com/natrontech/pbs-exporter@${tag}?type=module`;
  return mintRelease(reg, sigstore, {
    repo: 'natrontech/pbs-exporter',
    tag,
    platforms: ['linux/arm64', 'linux/arm/v7', 'linux/amd64'],
    signature: 'legacy',
    sbom: 'legacy-in-att',
    provenance: 'legacy',
    signatureRepo: 'natrontech/signatures',
    provenanceRepo: 'natrontech/signatures',
    sbomRepo: 'natrontech/sbom',
    sbomComponent: {
      'bom-ref': bomRef,
      type: 'application',
      name: 'github.com/natrontech/pbs-exporter',
      version: tag,
      purl: bomRef,
    },
    signedAt: new Date('2025-10-01T08:00:00Z'),
  });
}

/**
 * What `docker/build-push-action` pushes for a public repo without `platforms:`: an OCI index with the linux/amd64
 * image and BuildKit's provenance attestation manifest (platform unknown/unknown).
 */
async function pushBuildxIndex(
  reg: TestRegistry,
  repo: string,
  tag: string,
  seed: string,
): Promise<{ digest: Digest; size: number }> {
  const pushImage = async (
    layerMediaType: string,
    layerBytes: Buffer,
    config: object,
    layerAnnotations?: Record<string, string>,
  ) => {
    const layer = await pushBlob(reg, repo, layerBytes);
    const configBlob = await pushBlob(
      reg,
      repo,
      Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
      layers: [{ mediaType: layerMediaType, ...layer, ...(layerAnnotations && { annotations: layerAnnotations }) }],
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    return {
      mediaType: OCI_MANIFEST,
      digest: await pushManifest(reg, repo, sha256Digest(bytes), bytes, OCI_MANIFEST),
      size: bytes.byteLength,
    };
  };
  const amd64 = await pushImage(
    'application/vnd.oci.image.layer.v1.tar+gzip',
    createHash('sha256').update(`${seed}/linux/amd64/layer`).digest(),
    { architecture: 'amd64', os: 'linux', config: { Labels: { seed } } },
  );
  const buildkitProvenance = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: `pkg:docker/${repo}@${tag}?platform=linux%2Famd64`, digest: { sha256: amd64.digest.slice(7) } }],
    predicate: {
      builder: { id: '' },
      buildType: 'https://mobyproject.org/buildkit@v1',
      metadata: { reproducible: false },
    },
  };
  const attestation = await pushImage(
    'application/vnd.in-toto+json',
    Buffer.from(JSON.stringify(buildkitProvenance)),
    { architecture: 'unknown', os: 'unknown', config: {} },
    { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
  );
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { ...amd64, platform: { architecture: 'amd64', os: 'linux' } },
      {
        ...attestation,
        annotations: {
          'vnd.docker.reference.digest': amd64.digest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
        platform: { architecture: 'unknown', os: 'unknown' },
      },
    ],
  };
  const pushed = await pushJsonManifest(reg, repo, tag, index);
  return { digest: pushed.digest, size: pushed.size };
}

/** Points `toTag` at the manifest `fromTag` names, byte for byte (what `crane tag` does). */
export async function retag(reg: TestRegistry, repo: string, fromTag: string, toTag: string): Promise<void> {
  const response = await fetch(`http://${reg.host}/v2/${repo}/manifests/${fromTag}`, {
    headers: { accept: OCI_INDEX },
  });
  if (response.status !== 200) throw new Error(`expected 200 for ${repo}:${fromTag}, got ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  await pushManifest(reg, repo, toTag, bytes, response.headers.get('content-type') ?? OCI_INDEX);
}

/**
 * A fresh registry holding the gcp-mysql-backup-like history signed by the seeded test Sigstore, whose trusted root
 * is written into `dir` (what `npm run bench` verifies, and what the training layout is saved from). The caller stops
 * the registry; it is stopped here if minting fails.
 */
export async function startGcpMysqlBackupRegistry(dir: string): Promise<{ reg: TestRegistry; trustedRoot: string }> {
  const reg = await startRegistry();
  try {
    const sigstore = await createTestSigstore();
    const trustedRoot = await sigstore.writeTrustedRoot(dir);
    await mintGcpMysqlBackupHistory(reg, sigstore);
    return { reg, trustedRoot };
  } catch (error) {
    await reg.stop();
    throw error;
  }
}
