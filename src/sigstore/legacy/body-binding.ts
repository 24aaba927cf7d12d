import { createHash } from 'node:crypto';
import { pem } from '@sigstore/core';
import * as z from 'zod/mini';
import { verificationError } from '../../errors.js';
import type { LegacyLayerEvidence } from '../../model/evidence.js';
import type { RekorBody } from './rekor-bundle.js';
import type { LegacyBundle } from './to-bundle.js';
import { parseOrThrow } from './zod-error.js';

const sha256Hash = z.strictObject({
  algorithm: z.literal('sha256'),
  value: z.string().check(z.regex(/^[a-f0-9]{64}$/)),
});

/** hashedrekord 0.0.1 and rekord 0.0.1 share the parts cosign compares. */
const signatureSpec = z.looseObject({
  data: z.looseObject({ hash: sha256Hash }),
  signature: z.looseObject({
    content: z.string().check(z.minLength(1)),
    publicKey: z.looseObject({ content: z.string().check(z.minLength(1)) }),
  }),
});

const dsseSpec = z.looseObject({
  envelopeHash: sha256Hash,
  payloadHash: sha256Hash,
  signatures: z
    .array(z.looseObject({ signature: z.string().check(z.minLength(1)), verifier: z.string().check(z.minLength(1)) }))
    .check(z.length(1)),
});

const intotoV001Spec = z.looseObject({
  content: z.looseObject({ hash: sha256Hash, payloadHash: sha256Hash }),
  publicKey: z.string().check(z.minLength(1)),
});

/** The Rekor kinds a legacy layer may be logged as, per layer format (cosign `VerifyBundle` `bundleHash`). */
const SUPPORTED_KINDS: Record<LegacyLayerEvidence['format'], string[]> = {
  'legacy-sig': ['hashedrekord/0.0.1', 'rekord/0.0.1'],
  'legacy-att': ['dsse/0.0.1', 'intoto/0.0.1'],
};

/** `kind/apiVersion` of a Rekor body. */
export function kindVersionOf(body: RekorBody): string {
  return `${body.kind}/${body.apiVersion}`;
}

/**
 * What cosign's `VerifyBundle` checks between the Rekor body and the layer, for every legacy kind: the logged key
 * is the layer certificate, the logged hash is sha256 of the layer bytes, and (`.sig`) the logged signature is the
 * layer signature; for dsse also the logged envelope signature and payload hash. sigstore-js checks only part of
 * this (its dsse check ignores the verifier and envelopeHash), and nothing for intoto 0.0.1 or rekord.
 *
 * @throws VerificationError TLOG_ERROR when the body is of an unexpected kind or does not describe this layer.
 */
export function verifyBodyBinding(layer: LegacyLayerEvidence, legacy: LegacyBundle): void {
  const kind = kindVersionOf(legacy.body);
  if (!SUPPORTED_KINDS[layer.format].includes(kind)) {
    throw verificationError(
      'TLOG_ERROR',
      `expected Rekor kind ${SUPPORTED_KINDS[layer.format].join(' or ')} for a ${layer.format} layer, got ${kind}`,
    );
  }
  const layerHash = createHash('sha256').update(layer.payload).digest('hex');
  const certificate = legacy.annotations.certificateDer;
  const spec: unknown = legacy.body.spec;
  switch (kind) {
    case 'hashedrekord/0.0.1':
    case 'rekord/0.0.1': {
      const parsed = parseSpec(signatureSpec, spec, kind);
      expectHash(parsed.data.hash.value, layerHash, 'data.hash');
      expectSameKey(parsed.signature.publicKey.content, certificate);
      expectSameBytes(Buffer.from(parsed.signature.content, 'base64'), legacy.annotations.signature, 'signature');
      return;
    }
    case 'dsse/0.0.1': {
      const parsed = parseSpec(dsseSpec, spec, kind);
      const [logged] = parsed.signatures;
      const [signed] = legacy.envelope?.signatures ?? [];
      if (!logged || !signed) throw verificationError('TLOG_ERROR', 'expected one DSSE signature, got none');
      expectHash(parsed.envelopeHash.value, layerHash, 'envelopeHash');
      expectSameKey(logged.verifier, certificate);
      expectSameBytes(Buffer.from(logged.signature, 'base64'), Buffer.from(signed.sig, 'base64'), 'DSSE signature');
      expectHash(parsed.payloadHash.value, payloadHashOf(legacy), 'payloadHash');
      return;
    }
    default: {
      // intoto 0.0.1 has no logged signature: the DSSE signature is bound through content.hash.
      const parsed = parseSpec(intotoV001Spec, spec, kind);
      expectHash(parsed.content.hash.value, layerHash, 'content.hash');
      expectSameKey(parsed.publicKey, certificate);
      expectHash(parsed.content.payloadHash.value, payloadHashOf(legacy), 'content.payloadHash');
    }
  }
}

function parseSpec<T extends z.ZodMiniType>(schema: T, spec: unknown, kind: string): z.infer<T> {
  try {
    return parseOrThrow(schema, spec, `${kind} Rekor body`);
  } catch (cause) {
    throw verificationError('TLOG_ERROR', `expected a well-formed ${kind} Rekor body, got one that is not`, cause);
  }
}

/** sha256 (hex) of the DSSE payload the envelope carries. */
function payloadHashOf(legacy: LegacyBundle): string {
  const payload = Buffer.from(legacy.envelope?.payload ?? '', 'base64');
  return createHash('sha256').update(payload).digest('hex');
}

function expectHash(logged: string, actual: string, field: string): void {
  if (logged !== actual) {
    throw verificationError('TLOG_ERROR', `expected Rekor ${field} sha256:${actual}, got sha256:${logged}`);
  }
}

/** The logged key is base64(PEM); cosign compares the DER of its first block with the layer certificate. */
function expectSameKey(loggedBase64Pem: string, certificateDer: Buffer): void {
  const der = pem.toDER(Buffer.from(loggedBase64Pem, 'base64').toString('utf8'));
  if (!der.equals(certificateDer)) {
    throw verificationError('TLOG_ERROR', 'expected the Rekor entry key to be the layer certificate, got another key');
  }
}

function expectSameBytes(logged: Buffer, actual: Buffer, field: string): void {
  if (!logged.equals(actual)) {
    throw verificationError('TLOG_ERROR', `expected the Rekor entry ${field} to be the layer's, got another one`);
  }
}
