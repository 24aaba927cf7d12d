import { pem } from '@sigstore/core';
import * as z from 'zod/mini';
import { verificationError } from '../../errors.js';
import { parseJsonOrThrow, parseOrThrow } from './zod-error.js';

/** Layer annotation keys written by cosign (`pkg/oci/static/signature.go`). */
export const ANNOTATION = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PEM_CERTIFICATE = /^\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/;

// `chain` and `predicateType` are deliberately not read: the chain is built from the trusted root only, and the
// predicate type is taken from the verified statement, never from an unsigned annotation.
const annotationsSchema = z.looseObject({
  [ANNOTATION.signature]: z.string().check(z.regex(BASE64, 'expected base64')),
  [ANNOTATION.certificate]: z.string().check(z.regex(PEM_CERTIFICATE, 'expected exactly one PEM certificate')),
  [ANNOTATION.bundle]: z.string().check(z.minLength(1)),
  [ANNOTATION.rfc3161]: z.optional(z.string().check(z.minLength(1))),
});

const rfc3161Schema = z.strictObject({
  SignedRFC3161Timestamp: z.string().check(z.minLength(1), z.regex(BASE64, 'expected base64')),
});

/** The annotations of one legacy layer that verification uses, decoded. */
export interface LegacyAnnotations {
  /** Raw signature over the layer bytes (`.sig`); empty for `.att`, whose signature is inside the DSSE envelope. */
  signature: Buffer;
  /** DER of the leaf certificate. */
  certificateDer: Buffer;
  /** The `dev.sigstore.cosign/bundle` JSON text. */
  rekorBundle: string;
  /** DER of the RFC3161 TimeStampResp, when the layer carries one. */
  rfc3161Timestamp?: Buffer;
}

/**
 * Reads and checks the annotations of a legacy layer. A `.sig` layer must carry a signature and a `.att` layer
 * must carry the empty one (cosign writes `""`); keyless layers only, so a certificate is required.
 *
 * @throws VerificationError BUNDLE_INVALID when an annotation is missing or malformed.
 */
export function toLegacyAnnotations(
  annotations: Record<string, string>,
  format: 'legacy-sig' | 'legacy-att',
): LegacyAnnotations {
  const parsed = parseOrThrow(annotationsSchema, annotations, 'legacy layer annotations');
  const signature = Buffer.from(parsed[ANNOTATION.signature], 'base64');
  if (format === 'legacy-sig' && signature.length === 0) {
    throw verificationError('BUNDLE_INVALID', `expected a signature annotation on a .sig layer, got an empty one`);
  }
  if (format === 'legacy-att' && signature.length !== 0) {
    throw verificationError(
      'BUNDLE_INVALID',
      `expected an empty signature annotation on a .att layer, got ${signature.length} bytes`,
    );
  }
  const result: LegacyAnnotations = {
    signature,
    certificateDer: pem.toDER(parsed[ANNOTATION.certificate]),
    rekorBundle: parsed[ANNOTATION.bundle],
  };
  const rfc3161 = parsed[ANNOTATION.rfc3161];
  if (rfc3161 !== undefined) {
    const json = parseJsonOrThrow(rfc3161, ANNOTATION.rfc3161);
    const timestamp = parseOrThrow(rfc3161Schema, json, ANNOTATION.rfc3161);
    result.rfc3161Timestamp = Buffer.from(timestamp.SignedRFC3161Timestamp, 'base64');
  }
  return result;
}
