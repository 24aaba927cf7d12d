import { ANNOTATION } from '../../src/sigstore/legacy/annotations.js';
import {
  trustRootFromJson,
  verifyEvidence,
  verifyIdentity,
  verifySigstoreBundle,
  verifyStatementSubject,
  type ArtifactInput,
  type TrustRoot,
} from '../../src/sigstore/index.js';
import type { Json, SweepTarget } from './mutations.js';
import { readCaseLayers, readCorpusFile, readCorpusJson, type RealworldCase } from './oci-layout.js';

/** The real-world corpus as verification inputs: what the mutation sweep and the DER tests verify. */

const roots = new WeakMap<object, TrustRoot>();

function trustOf(root: Json): TrustRoot {
  let trust = roots.get(root as object);
  if (!trust) {
    trust = trustRootFromJson(root, 'file');
    roots.set(root as object, trust);
  }
  return trust;
}

/**
 * verify-release's full per-evidence pipeline: crypto, then identity, then the digest claim.
 *
 * @throws the first failure (a VerifyReleaseError with its code).
 */
export function verifyTarget(t: SweepTarget): void {
  const trust = trustOf(t.root);
  if (t.layer) {
    const verified = verifyEvidence(t.layer, trust);
    verifyIdentity(verified.signer, { identity: t.identity ?? '', issuer: t.issuer ?? '' });
    if (verified.content.type !== 'in-toto') throw new Error('expected an in-toto statement in a legacy .att layer');
    verifyStatementSubject(verified.content.statement, `sha256:${t.digest?.hex}`);
    return;
  }
  const options: { artifact?: ArtifactInput; publicKey?: string } = {};
  if (t.artifact) options.artifact = { bytes: t.artifact };
  else if (t.digest) options.artifact = { digest: t.digest };
  if (t.publicKey) options.publicKey = t.publicKey;
  const result = verifySigstoreBundle(t.bundle, trust, options);
  if (!t.publicKey) verifyIdentity(result.signer!, { identity: t.identity ?? '', issuer: t.issuer ?? '' });
}

/** Whether the target verifies. */
export function verifies(t: SweepTarget): boolean {
  try {
    verifyTarget(t);
    return true;
  } catch {
    return false;
  }
}

/** Whether the input carries an RFC 3161 timestamp (bundle or legacy annotation). */
export function hasRfc3161(t: SweepTarget): boolean {
  const material = (t.bundle as any)?.verificationMaterial ?? {};
  return (
    (material.timestampVerificationData?.rfc3161Timestamps ?? []).length > 0 ||
    Boolean(t.layer?.annotations[ANNOTATION.rfc3161])
  );
}

/** The verification input of one corpus case: its bundle or legacy layer, root, artifact or digest, identity. */
export function targetOf(c: RealworldCase): SweepTarget | undefined {
  const root = readCorpusJson(c.trustedRoot.split(' ')[0] ?? '') as Json;
  const base = {
    id: c.id,
    root,
    ...(c.identity ? { identity: c.identity } : {}),
    ...(c.issuer ? { issuer: c.issuer } : {}),
  };
  const digestOf = (value: string | null | undefined) => {
    const [algorithm, hex] = (value ?? '').split(':');
    return algorithm === 'sha256' || algorithm === 'sha512'
      ? { digest: { algorithm, hex: hex ?? '' } as SweepTarget['digest'] }
      : {};
  };
  if (c.layerBlob) {
    const [layer] = readCaseLayers(c);
    return { ...base, layer, ...digestOf(c.subjectDigest) };
  }
  const file = (c.files ?? [])
    .map((f) => f.split(' ')[0] ?? '')
    .find((f) => !/README$|trusted_root\.json$|key\.pub$/.test(f) && f !== c.artifact);
  if (!file) return undefined;
  const bundle = readCorpusJson(file) as Json;
  const key = c.key ? readCorpusFile(c.key).toString('utf8') : undefined;
  const artifact = c.subjectDigest
    ? {}
    : c.artifact
      ? { artifact: readCorpusFile(c.artifact) }
      : digestOf(c.payloadDigest);
  return { ...base, bundle, ...artifact, ...digestOf(c.subjectDigest), ...(key ? { publicKey: key } : {}) };
}
