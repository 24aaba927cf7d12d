/**
 * cosign's registry layouts, written into a real test registry: legacy `sha256-<hex>.sig|.att` manifests (one layer
 * per signature, appended like cosign does) and v3 bundle referrers with the `sha256-<hex>` referrers fallback index.
 */
import { digestHex, sha256Digest, type Digest } from '../../../src/model/digest.js';
import { pushBlob, pushJsonManifest, pushManifest, type TestRegistry } from '../registry.js';
import { BUNDLE_V03_MEDIA_TYPE } from './bundles.js';
import type { LegacyLayer } from './legacy-layers.js';

import { OCI_CONFIG, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, type Descriptor } from '../../../src/registry/media-types.js';

export { OCI_INDEX, OCI_MANIFEST, type Descriptor };
/** go-containerregistry's zero time, which cosign's stub config carries. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A type alias, not an interface, so it fits pushJsonManifest's index-signature parameter. */
type OciManifest = {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
};

/**
 * Pushes `layers` to `<repo>:sha256-<hex>.<kind>` for the subject, appending to the layers already there, with
 * cosign's stub image config (diff_ids = layer digests). Returns the new manifest's descriptor.
 */
export async function pushLegacy(
  reg: TestRegistry,
  repo: string,
  subjectDigest: Digest,
  kind: 'sig' | 'att',
  layers: LegacyLayer[],
): Promise<Descriptor> {
  const tag = `sha256-${digestHex(subjectDigest)}.${kind}`;
  const existing = await fetchJsonManifest<OciManifest>(reg, repo, tag, OCI_MANIFEST);
  const all = [...(existing?.layers ?? [])];
  for (const layer of layers) {
    const blob = await pushBlob(reg, repo, layer.payload);
    all.push({ mediaType: layer.mediaType, ...blob, annotations: layer.annotations });
  }
  const config = await pushBlob(
    reg,
    repo,
    Buffer.from(
      JSON.stringify({
        architecture: '',
        created: ZERO_TIME,
        history: all.map(() => ({ created: ZERO_TIME })),
        os: '',
        rootfs: { type: 'layers', diff_ids: all.map((l) => l.digest) },
        config: {},
      }),
    ),
  );
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...config },
    layers: all,
  };
  const pushed = await pushJsonManifest(reg, repo, tag, manifest);
  return { mediaType: OCI_MANIFEST, digest: pushed.digest, size: pushed.size };
}

/**
 * Pushes a bundle the way cosign v3 does: an image manifest (artifactType bundle v0.3, empty config, one bundle
 * layer, `subject`, cosign's annotations) by digest, then appends it to the `sha256-<hex>` fallback index, whose
 * entries carry no artifactType (as on GHCR). Returns the referrer manifest's descriptor.
 */
export async function pushReferrer(
  reg: TestRegistry,
  repo: string,
  subject: { digest: Digest; size: number; mediaType: string },
  bundle: object,
  predicateType: string,
  created: Date = new Date(0),
): Promise<Descriptor> {
  const layer = await pushBlob(reg, repo, Buffer.from(JSON.stringify(bundle)));
  const empty = await pushBlob(reg, repo, Buffer.from('{}'));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY, ...empty },
    layers: [{ mediaType: BUNDLE_V03_MEDIA_TYPE, ...layer }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': predicateType,
      'org.opencontainers.image.created': created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
  // Referrers are untagged: they are put by digest and found through the fallback index only.
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await pushManifest(reg, repo, sha256Digest(bytes), bytes, OCI_MANIFEST);
  const referrer: Descriptor = { mediaType: OCI_MANIFEST, digest, size: bytes.byteLength };

  const indexTag = `sha256-${digestHex(subject.digest)}`;
  const existing = await fetchJsonManifest<{ manifests: Descriptor[] }>(reg, repo, indexTag, OCI_INDEX);
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...(existing?.manifests ?? []), referrer] };
  await pushJsonManifest(reg, repo, indexTag, index);
  return referrer;
}

/** GET a manifest by tag with the exact Accept distribution 2.8 needs; `undefined` on 404 (nothing pushed yet). */
export async function fetchJsonManifest<T>(
  reg: TestRegistry,
  repo: string,
  reference: string,
  mediaType: string,
): Promise<T | undefined> {
  const url = `http://${reg.host}/v2/${repo}/manifests/${reference}`;
  const headers: Record<string, string> = { accept: mediaType };
  let response = await fetch(url, { headers });
  const challenge = response.headers.get('www-authenticate');
  if (response.status === 401 && challenge !== null) {
    await response.arrayBuffer();
    headers.authorization = `Bearer ${await pullToken(reg, repo, challenge)}`;
    response = await fetch(url, { headers });
  }
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`expected 200 or 404 for ${repo}:${reference}, got ${response.status}`);
  return (await response.json()) as T;
}

/** A pull token from the realm the registry named (credentials when the registry has them). */
async function pullToken(reg: TestRegistry, repo: string, challenge: string): Promise<string> {
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
  if (realm === undefined) throw new Error(`expected a Bearer realm, got ${challenge}`);
  const url = new URL(realm);
  const service = /service="([^"]+)"/.exec(challenge)?.[1];
  if (service !== undefined) url.searchParams.set('service', service);
  url.searchParams.set('scope', `repository:${repo}:pull`);
  const auth = reg.credentials
    ? {
        authorization: `Basic ${Buffer.from(`${reg.credentials.username}:${reg.credentials.password}`).toString('base64')}`,
      }
    : undefined;
  const response = await fetch(url, auth ? { headers: auth } : {});
  if (response.status !== 200) throw new Error(`expected 200 from the token realm, got ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}
