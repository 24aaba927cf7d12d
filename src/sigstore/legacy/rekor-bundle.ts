import * as z from 'zod/mini';
import { verificationError } from '../../errors.js';
import { parseJsonOrThrow, parseOrThrow } from './zod-error.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX_SHA256 = /^[a-f0-9]{64}$/;

const base64String = z.string().check(z.minLength(1), z.regex(BASE64, 'expected base64'));

/** cosign's `dev.sigstore.cosign/bundle` annotation (Go field names outside, JSON tags inside). */
const rekorBundleSchema = z.strictObject({
  SignedEntryTimestamp: base64String,
  Payload: z.strictObject({
    body: base64String,
    integratedTime: z.int().check(z.positive()),
    logIndex: z.int().check(z.nonnegative()),
    logID: z.string().check(z.regex(HEX_SHA256, 'expected 64 lowercase hex characters')),
  }),
});

/** The parsed Rekor bundle annotation of a legacy layer: a SET over one Rekor v1 entry. */
export type RekorBundle = z.infer<typeof rekorBundleSchema>;

/** The fields of a Rekor entry body every kind shares; `spec` is checked per kind. */
const rekorBodySchema = z.looseObject({
  apiVersion: z.string().check(z.minLength(1)),
  kind: z.string().check(z.minLength(1)),
  spec: z.looseObject({}),
});

/** A decoded Rekor entry body (`canonicalizedBody`), still untrusted until its SET verified. */
export type RekorBody = z.infer<typeof rekorBodySchema>;

/**
 * Parses the `dev.sigstore.cosign/bundle` annotation.
 *
 * @throws VerificationError BUNDLE_INVALID when it is not JSON or a field is missing or malformed.
 */
export function toRekorBundle(annotation: string): RekorBundle {
  const json = parseJsonOrThrow(annotation, 'dev.sigstore.cosign/bundle');
  return parseOrThrow(rekorBundleSchema, json, 'dev.sigstore.cosign/bundle');
}

/**
 * Decodes the Rekor entry body carried in a Rekor bundle.
 *
 * @throws VerificationError BUNDLE_INVALID when the body is not a JSON object with apiVersion, kind and spec.
 */
export function toRekorBody(bundle: RekorBundle): RekorBody {
  const text = Buffer.from(bundle.Payload.body, 'base64').toString('utf8');
  const json = parseJsonOrThrow(text, 'Rekor entry body');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw verificationError('BUNDLE_INVALID', `invalid Rekor entry body: expected a JSON object, got ${typeof json}`);
  }
  return parseOrThrow(rekorBodySchema, json, 'Rekor entry body');
}
