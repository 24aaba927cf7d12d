/**
 * Independent verification of minted evidence with plain @sigstore/verify 3.1.1, for tests that must show the
 * fixtures are real. Deliberately separate from src/sigstore: it is the yardstick, not the code under test.
 */
import { createHash } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { pem } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, type Signer } from '@sigstore/verify';
import { GITHUB_ACTIONS_ISSUER } from './identity.js';
import type { LegacyLayer } from './legacy-layers.js';

/** The parsed `dev.sigstore.cosign/bundle` annotation. */
export interface CosignRekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

/** Verifies bundles and legacy layers against one trusted root, requiring exactly `san` and the GitHub issuer. */
export interface ReferenceVerifier {
  verifier: Verifier;
  verifyBundle(bundle: object, san: string): Signer;
  /** Converts the layer to a v0.1 bundle first; intoto 0.0.1 layers fail here (@sigstore/verify lacks that kind). */
  verifyLegacy(layer: LegacyLayer, san: string): Signer;
}

export function createReferenceVerifier(trustedRoot: object, options?: { tlogThreshold?: number }): ReferenceVerifier {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), options);
  return {
    verifier,
    verifyBundle: (bundle, san) => verifier.verify(toSignedEntity(bundleFromJSON(bundle)), exactPolicy(san)),
    verifyLegacy: (layer, san) =>
      verifier.verify(toSignedEntity(legacyToBundle(layer), Buffer.from(layer.payload)), exactPolicy(san)),
  };
}

/** An anchored SAN policy (@sigstore/verify treats the SAN as an unanchored regex) plus the GitHub issuer. */
export function exactPolicy(san: string): { subjectAlternativeName: string; extensions: { issuer: string } } {
  return {
    subjectAlternativeName: `^${san.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
    extensions: { issuer: GITHUB_ACTIONS_ISSUER },
  };
}

/** Runs `fn` and returns the error code it threw (sigstore's `code`), or `ok`. */
export function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** The layer's Rekor bundle annotation, parsed. */
export function cosignRekorBundle(layer: LegacyLayer): CosignRekorBundle | undefined {
  const text = layer.annotations['dev.sigstore.cosign/bundle'];
  return text === undefined ? undefined : (JSON.parse(text) as CosignRekorBundle);
}

/** A legacy layer as a v0.1 bundle (sigstore-go's oci-image-verification conversion, verification-semantics B.11). */
export function legacyToBundle(layer: LegacyLayer): ReturnType<typeof bundleFromJSON> {
  const cosign = cosignRekorBundle(layer);
  const body =
    cosign &&
    (JSON.parse(Buffer.from(cosign.Payload.body, 'base64').toString()) as { kind: string; apiVersion: string });
  const tlogEntries =
    cosign && body
      ? [
          {
            logIndex: String(cosign.Payload.logIndex),
            logId: { keyId: Buffer.from(cosign.Payload.logID, 'hex').toString('base64') },
            kindVersion: { kind: body.kind, version: body.apiVersion },
            integratedTime: String(cosign.Payload.integratedTime),
            inclusionPromise: { signedEntryTimestamp: cosign.SignedEntryTimestamp },
            canonicalizedBody: cosign.Payload.body,
          },
        ]
      : [];
  const signature = layer.annotations['dev.cosignproject.cosign/signature'] ?? '';
  const content =
    signature === ''
      ? { dsseEnvelope: JSON.parse(Buffer.from(layer.payload).toString()) as object }
      : {
          messageSignature: {
            messageDigest: {
              algorithm: 'SHA2_256',
              digest: createHash('sha256').update(layer.payload).digest('base64'),
            },
            signature,
          },
        };
  const certificate = pem.toDER(layer.annotations['dev.sigstore.cosign/certificate'] ?? '');
  return bundleFromJSON({
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: certificate.toString('base64') }] },
      tlogEntries,
    },
    ...content,
  });
}
