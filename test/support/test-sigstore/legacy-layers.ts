import type { Digest } from '../../../src/model/digest.js';
import type { SignedContent } from './sign.js';

/** Layer media type of a cosign `.sig` signature (simple signing). */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer media type of a cosign `.att` attestation (a DSSE envelope). */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
/** DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** One layer of a cosign `.sig` or `.att` manifest: the blob and the layer descriptor's annotations. */
export interface LegacyLayer {
  mediaType: string;
  payload: Uint8Array;
  annotations: Record<string, string>;
}

/**
 * cosign's simple-signing payload bytes, in Go's field order. `optional` holds the `-a key=value` annotations,
 * `null` without any (sigstore/sigstore pkg/signature/payload).
 */
export function toSimpleSigningPayload(o: {
  digest: Digest;
  repository: string;
  annotations?: Record<string, string>;
}): Buffer {
  const payload = {
    critical: {
      identity: { 'docker-reference': o.repository },
      image: { 'docker-manifest-digest': o.digest },
      type: 'cosign container image signature',
    },
    optional: o.annotations && Object.keys(o.annotations).length > 0 ? o.annotations : null,
  };
  return Buffer.from(JSON.stringify(payload));
}

/** The DSSE envelope bytes cosign stores as an `.att` layer (field order and empty keyid as in real layers). */
export function toEnvelopeBytes(o: { payload: Uint8Array; signature: Uint8Array }): Buffer {
  const envelope = {
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: Buffer.from(o.payload).toString('base64'),
    signatures: [{ keyid: '', sig: Buffer.from(o.signature).toString('base64') }],
  };
  return Buffer.from(JSON.stringify(envelope));
}

/**
 * The layer annotations cosign writes (sorted like Go's map marshalling). The signature annotation is empty for
 * attestations; `dev.sigstore.cosign/bundle` is omitted when nothing was logged.
 */
export function toLegacyAnnotations(o: {
  signed: SignedContent;
  attestation: boolean;
  predicateType?: string;
}): Record<string, string> {
  const { signed } = o;
  const annotations: Record<string, string> = {
    'dev.cosignproject.cosign/signature': o.attestation ? '' : signed.signature.toString('base64'),
  };
  if (signed.entry) {
    annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
      SignedEntryTimestamp: signed.entry.signedEntryTimestamp,
      Payload: {
        body: signed.entry.body,
        integratedTime: signed.entry.integratedTime,
        logIndex: signed.entry.logIndex,
        logID: signed.entry.logID,
      },
    });
  }
  annotations['dev.sigstore.cosign/certificate'] = signed.certificatePem;
  annotations['dev.sigstore.cosign/chain'] = signed.chainPem;
  if (o.predicateType !== undefined) annotations.predicateType = o.predicateType;
  return annotations;
}

/** A copy of `bytes` with the JSON value changed in a way that keeps it valid JSON (for the `payload` tamper). */
export function tamperJson(bytes: Uint8Array): Buffer {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...value, tampered: true }));
}
