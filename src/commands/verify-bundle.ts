import { existsSync, promises as fsp } from 'node:fs';
import { describeError, UsageError } from '../errors.js';
import { type ArtifactInput, verifySigstoreBundle } from '../sigstore/bundle/index.js';
import { verifyIdentity } from '../sigstore/identity.js';
import { loadTrustRoot } from '../sigstore/trust.js';

/** Options of `verify-release verify-bundle`, the sigstore-conformance client protocol. */
export interface VerifyBundleOptions {
  bundle: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  /** PEM public key file (managed-key mode). */
  key?: string;
  trustedRoot?: string;
  staging?: boolean;
  /** The artifact path, or `sha256:<hex>` when that is not an existing path. */
  fileOrDigest: string;
  /** Environment for the public-good root's TUF client (`TUF_MIRROR`, `TUF_ROOT`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await fsp.readFile(path);
  } catch (error) {
    throw new UsageError(`expected a readable ${what} at ${path}, got ${describeError(error)}`, { cause: error });
  }
}

async function toArtifact(fileOrDigest: string): Promise<ArtifactInput> {
  if (SHA256_DIGEST.test(fileOrDigest) && !existsSync(fileOrDigest)) {
    return { digest: { algorithm: 'sha256', hex: fileOrDigest.slice('sha256:'.length) } };
  }
  return { bytes: await readInput(fileOrDigest, 'artifact') };
}

/**
 * Verifies one bundle as a sigstore-conformance client does: keyless with an exact identity and issuer, or
 * with a managed key. Uses `--trusted-root` or the public-good root. Resolves on success, throws otherwise.
 */
export async function verifyBundleCommand(o: VerifyBundleOptions): Promise<void> {
  if (o.staging) throw new UsageError('--staging is not supported; pass --trusted-root');
  if (o.key === undefined && (o.certificateIdentity === undefined || o.certificateOidcIssuer === undefined)) {
    throw new UsageError('expected --key, or --certificate-identity and --certificate-oidc-issuer, got neither');
  }
  if (o.key !== undefined && (o.certificateIdentity !== undefined || o.certificateOidcIssuer !== undefined)) {
    throw new UsageError('expected --key or --certificate-identity/--certificate-oidc-issuer, got both');
  }
  const bundleText = (await readInput(o.bundle, 'bundle')).toString('utf8');
  let bundleJson: unknown;
  try {
    bundleJson = JSON.parse(bundleText);
  } catch (error) {
    throw new UsageError(`expected JSON in ${o.bundle}, got ${describeError(error)}`, { cause: error });
  }
  const trust = await loadTrustRoot({
    ...(o.trustedRoot !== undefined && { path: o.trustedRoot }),
    ...(o.env !== undefined && { env: o.env }),
  });
  const artifact = await toArtifact(o.fileOrDigest);
  const publicKey = o.key === undefined ? undefined : (await readInput(o.key, 'public key')).toString('utf8');
  const result = verifySigstoreBundle(
    bundleJson,
    trust,
    publicKey === undefined ? { artifact } : { artifact, publicKey },
  );
  if (o.key === undefined) {
    if (!result.signer)
      throw new UsageError('expected a certificate bundle for identity verification, got a managed-key bundle');
    verifyIdentity(result.signer, { identity: o.certificateIdentity, issuer: o.certificateOidcIssuer });
  }
}
