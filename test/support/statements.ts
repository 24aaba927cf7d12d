/**
 * In-toto statements as the real producers write them: cosign v3 `sign` (sign/v1), cosign `attest --type
 * cyclonedx` over a Syft CycloneDX 1.5 SBOM, and slsa-github-generator's generator_container_slsa3 v2.x SLSA v0.2
 * provenance (field set and order taken from its real v2.1.0 output in realworld/slsa-verifier).
 */
import { createHash } from 'node:crypto';
import { digestHex, type Digest } from '../../src/model/digest.js';
import type { InTotoStatement } from '../../src/model/evidence.js';

export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';
export const SLSA_CONTAINER_BUILD_TYPE = 'https://github.com/slsa-framework/slsa-github-generator/container@v1';
/** The container generator's reusable workflow, without `@ref`. */
export const SLSA_CONTAINER_GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';

/**
 * What `cosign sign --new-bundle-format` signs: an in-toto v1 statement with the `-a` annotations on the subject,
 * no subject name and no predicate (as in realworld/sigstore-rs/tests/data/bundle_v03.json).
 */
export function cosignSignStatement(o: { digest: Digest; annotations?: Record<string, string> }): InTotoStatement {
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ digest: { sha256: digestHex(o.digest) }, annotations: { ...o.annotations } }],
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
  };
}

/** Inputs of one generator_container_slsa3 run. */
export interface ProvenanceSpec {
  /** Image repository without tag, as the generator's `image` input (e.g. `ghcr.io/natrontech/gcp-mysql-backup`). */
  image: string;
  digest: Digest;
  /** The calling repository, `owner/name`. */
  sourceRepository: string;
  /** `github.ref` of the calling run, e.g. `refs/tags/v1.1.2` or `refs/heads/main`. */
  ref: string;
  /** Commit sha1 of the calling run. */
  sha: string;
  /** Calling workflow (default `.github/workflows/release.yml`). */
  entryPoint?: string;
  /** Generator ref in the builder id (default `refs/tags/v2.1.0`). */
  generatorRef?: string;
  /** `github.event_name` (default `push`). */
  eventName?: string;
}

/** SLSA v0.2 provenance exactly as generator_container_slsa3 v2.1.0 writes it (`_type` in-toto v0.1). */
export function slsaProvenanceStatement(o: ProvenanceSpec): InTotoStatement {
  const [owner = o.sourceRepository] = o.sourceRepository.split('/');
  const sourceUri = `git+https://github.com/${o.sourceRepository}@${o.ref}`;
  const runId = '15000000001';
  const isTag = o.ref.startsWith('refs/tags/');
  return {
    _type: IN_TOTO_STATEMENT_V01,
    predicateType: SLSA_PROVENANCE_V02,
    subject: [{ name: o.image, digest: { sha256: digestHex(o.digest) } }],
    predicate: {
      builder: { id: `${SLSA_CONTAINER_GENERATOR}@${o.generatorRef ?? 'refs/tags/v2.1.0'}` },
      buildType: SLSA_CONTAINER_BUILD_TYPE,
      invocation: {
        configSource: {
          uri: sourceUri,
          digest: { sha1: o.sha },
          entryPoint: o.entryPoint ?? '.github/workflows/release.yml',
        },
        environment: {
          github_actor: 'release-bot',
          github_actor_id: '41898282',
          github_base_ref: '',
          github_event_name: o.eventName ?? 'push',
          github_event_payload: {
            after: o.sha,
            base_ref: null,
            ref: o.ref,
            repository: {
              full_name: o.sourceRepository,
              html_url: `https://github.com/${o.sourceRepository}`,
              id: 800000001,
              name: o.sourceRepository.split('/')[1] ?? o.sourceRepository,
              owner: { login: owner, id: 90000001 },
              visibility: 'public',
            },
          },
          github_head_ref: '',
          github_ref: o.ref,
          github_ref_type: isTag ? 'tag' : 'branch',
          github_repository_id: '800000001',
          github_repository_owner: owner,
          github_repository_owner_id: '90000001',
          github_run_attempt: '1',
          github_run_id: runId,
          github_run_number: '42',
          github_sha1: o.sha,
        },
      },
      metadata: {
        buildInvocationID: `${runId}-1`,
        completeness: { parameters: true, environment: false, materials: false },
        reproducible: false,
      },
      materials: [{ uri: sourceUri, digest: { sha1: o.sha } }],
    },
  };
}

/**
 * What `cosign attest --type cyclonedx --predicate <syft cdx.json>` signs: in-toto v0.1 with a small but
 * realistic CycloneDX 1.5 document (Syft container SBOM: serialNumber, metadata.component, components).
 * `component` replaces metadata.component, e.g. a Go module SBOM's `pkg:golang/…?type=module` (pbs-exporter).
 */
export function cyclonedxStatement(o: {
  image: string;
  digest: Digest;
  version?: string;
  component?: Record<string, string>;
}): InTotoStatement {
  const hex = digestHex(o.digest);
  const uuid = createHash('sha256').update(hex).digest('hex');
  const serial = `urn:uuid:${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(13, 16)}-8${uuid.slice(17, 20)}-${uuid.slice(20, 32)}`;
  const component = (name: string, version: string, purl: string, type = 'library'): object => ({
    'bom-ref': purl,
    type,
    name,
    version,
    purl,
  });
  return {
    _type: IN_TOTO_STATEMENT_V01,
    predicateType: CYCLONEDX_PREDICATE_TYPE,
    subject: [{ name: o.image, digest: { sha256: hex } }],
    predicate: {
      $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: serial,
      version: 1,
      metadata: {
        timestamp: '2026-06-25T10:21:07Z',
        tools: { components: [{ type: 'application', author: 'anchore', name: 'syft', version: '1.26.1' }] },
        component: o.component ?? {
          'bom-ref': `${o.image}@${o.digest}`,
          type: 'container',
          name: o.image,
          version: o.version ?? o.digest,
        },
      },
      components: [
        component(
          'alpine-baselayout',
          '3.6.8-r1',
          'pkg:apk/alpine/alpine-baselayout@3.6.8-r1?arch=x86_64&distro=alpine-3.21.3',
        ),
        component(
          'mariadb-client',
          '11.4.5-r0',
          'pkg:apk/alpine/mariadb-client@11.4.5-r0?arch=x86_64&distro=alpine-3.21.3',
        ),
        component('cloud.google.com/go/storage', 'v1.50.0', 'pkg:golang/cloud.google.com/go/storage@v1.50.0'),
        component('github.com/robfig/cron/v3', 'v3.0.1', 'pkg:golang/github.com/robfig/cron/v3@v3.0.1'),
        { type: 'operating-system', name: 'alpine', version: '3.21.3', description: 'Alpine Linux v3.21' },
      ],
    },
  };
}
