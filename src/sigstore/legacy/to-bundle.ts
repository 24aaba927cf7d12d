import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { LegacyLayerEvidence } from '../../model/evidence.js';
import { toLegacyAnnotations, type LegacyAnnotations } from './annotations.js';
import { toRekorBody, toRekorBundle, type RekorBody, type RekorBundle } from './rekor-bundle.js';
import { parseJsonOrThrow, parseOrThrow } from './zod-error.js';

/** Media type of the bundle a legacy layer converts to: v0.1 is the only version that allows a SET without a proof. */
export const LEGACY_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The DSSE envelope stored as a `.att` layer blob. */
const envelopeSchema = z.looseObject({
  payloadType: z.string().check(z.minLength(1)),
  payload: z.string().check(z.regex(BASE64, 'expected base64')),
  signatures: z
    .array(
      z.looseObject({
        keyid: z.optional(z.string()),
        sig: z.string().check(z.minLength(1), z.regex(BASE64, 'expected base64')),
      }),
    )
    .check(z.length(1, 'expected exactly one signature')),
});

/** A DSSE envelope as read from a `.att` layer. */
export type LegacyEnvelope = z.infer<typeof envelopeSchema>;

/** A legacy layer converted to a bundle, with the parts the cosign-specific checks need. */
export interface LegacyBundle {
  /** Sigstore bundle v0.1 JSON (the serialized protobuf form), ready for `bundleFromJSON`. */
  bundle: Record<string, unknown>;
  annotations: LegacyAnnotations;
  rekor: RekorBundle;
  body: RekorBody;
  /** The envelope, for `.att` layers. */
  envelope?: LegacyEnvelope;
}

/**
 * Converts a cosign legacy `.sig`/`.att` layer into the equivalent Sigstore bundle v0.1 (sigstore-go
 * `examples/oci-image-verification`): leaf certificate only (the `chain` annotation is ignored, the path is built
 * from the trusted root), one tlog entry with the SET as inclusion promise, RFC3161 timestamps from the annotation,
 * and as content a message signature over the layer bytes (`.sig`) or the layer's DSSE envelope (`.att`).
 *
 * @throws VerificationError BUNDLE_INVALID when an annotation, the Rekor bundle or the envelope is malformed.
 */
export function toLegacyBundle(layer: LegacyLayerEvidence): LegacyBundle {
  const annotations = toLegacyAnnotations(layer.annotations, layer.format);
  const rekor = toRekorBundle(annotations.rekorBundle);
  const body = toRekorBody(rekor);
  const verificationMaterial: Record<string, unknown> = {
    x509CertificateChain: { certificates: [{ rawBytes: annotations.certificateDer.toString('base64') }] },
    tlogEntries: [
      {
        logIndex: String(rekor.Payload.logIndex),
        logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
        kindVersion: { kind: body.kind, version: body.apiVersion },
        integratedTime: String(rekor.Payload.integratedTime),
        inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
        canonicalizedBody: rekor.Payload.body,
      },
    ],
  };
  if (annotations.rfc3161Timestamp) {
    verificationMaterial.timestampVerificationData = {
      rfc3161Timestamps: [{ signedTimestamp: annotations.rfc3161Timestamp.toString('base64') }],
    };
  }
  const bundle: Record<string, unknown> = { mediaType: LEGACY_BUNDLE_MEDIA_TYPE, verificationMaterial };
  if (layer.format === 'legacy-sig') {
    bundle.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(layer.payload).digest('base64') },
      signature: annotations.signature.toString('base64'),
    };
    return { bundle, annotations, rekor, body };
  }
  const text = Buffer.from(layer.payload).toString('utf8');
  const envelope = parseOrThrow(envelopeSchema, parseJsonOrThrow(text, 'DSSE envelope layer'), 'DSSE envelope layer');
  bundle.dsseEnvelope = {
    payloadType: envelope.payloadType,
    payload: envelope.payload,
    signatures: envelope.signatures.map((signature) => ({ keyid: signature.keyid ?? '', sig: signature.sig })),
  };
  return { bundle, annotations, rekor, body, envelope };
}
