import { toSignedEntity, Verifier, type TrustMaterial } from '@sigstore/verify';
import { describeError, InternalError, verificationError, VerifyReleaseError } from '../../errors.js';
import type { LegacyLayerEvidence } from '../../model/evidence.js';
import type { BundleVerification } from '../bundle/index.js';
import { parseBundle } from '../bundle/parse.js';
import { toSignerInfo, verifyValidityCovers } from '../certificate.js';
import { kindVersionOf } from './body-binding.js';
import { fromLibraryError } from '../library-error.js';
import { verifyLegacySET } from './set.js';
import type { LegacyBundle } from './to-bundle.js';
import { withLeafEncodedOnce } from '../encode-once.js';

/**
 * Rekor kinds sigstore-js rejects ("unsupported intoto version: 0.0.1", "unsupported kind: rekord") that cosign
 * legacy layers still use: intoto 0.0.1 (cosign attestations before 2024, generator_container_slsa3 v1.4–v1.9) and
 * rekord 0.0.1 (2021 signatures).
 */
export const OWN_TLOG_KINDS: readonly string[] = ['intoto/0.0.1', 'rekord/0.0.1'];

/**
 * Verifies a legacy layer whose Rekor kind sigstore-js cannot check: the SET is verified here, the body binding by
 * `verifyBodyBinding` (the caller runs it first), and the library verifies chain, SCT, RFC3161 timestamps and the
 * signature with its tlog step disabled.
 *
 * The library's timestamp step does not look at the SET, it takes integratedTime as given (`@sigstore/verify`
 * `timestamp/index.ts`, `getTLogTimestamp`): that is only sound because the SET was verified before the library ran. The
 * entity keeps its transparency-log timestamp, so the chain and the leaf validity are checked at integratedTime,
 * never at "now".
 *
 * @throws VerificationError TLOG_ERROR, CERTIFICATE_ERROR, SCT_ERROR, TIMESTAMP_ERROR, SIGNATURE_ERROR, BUNDLE_INVALID.
 */
export function verifyWithOwnTlogCheck(
  layer: LegacyLayerEvidence,
  legacy: LegacyBundle,
  material: TrustMaterial,
): BundleVerification {
  const kind = kindVersionOf(legacy.body);
  if (!OWN_TLOG_KINDS.includes(kind)) {
    throw new InternalError(`expected one of ${OWN_TLOG_KINDS.join(', ')}, got ${kind}`);
  }
  verifyLegacySET(legacy.rekor, material.tlogs);
  const entity = toEntity(layer, legacy);
  if (!entity.timestamps.some((timestamp) => timestamp.$case === 'transparency-log')) {
    throw verificationError('TIMESTAMP_ERROR', 'expected the SET integratedTime as a verified time, got none');
  }
  try {
    new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 1, timestampThreshold: 1 }).verify({
      ...entity,
      tlogEntries: [],
    });
  } catch (error) {
    throw fromLibraryError(error);
  }
  const verifiedTimes = entity.timestamps.map((timestamp) =>
    timestamp.$case === 'transparency-log'
      ? new Date(legacy.rekor.Payload.integratedTime * 1000).toISOString()
      : timestamp.timestamp.signingTime.toISOString(),
  );
  const signer = toSignerInfo(legacy.annotations.certificateDer);
  verifyValidityCovers(
    signer,
    verifiedTimes.map((time) => new Date(time)),
  );
  const result: BundleVerification = {
    signer,
    tlogEntries: [
      {
        logIndex: String(legacy.rekor.Payload.logIndex),
        integratedTime: legacy.rekor.Payload.integratedTime,
        kind: legacy.body.kind,
        version: legacy.body.apiVersion,
      },
    ],
    verifiedTimes,
  };
  if (legacy.envelope) {
    result.dsse = { payloadType: legacy.envelope.payloadType, payload: Buffer.from(legacy.envelope.payload, 'base64') };
  }
  return result;
}

function toEntity(layer: LegacyLayerEvidence, legacy: LegacyBundle): ReturnType<typeof toSignedEntity> {
  try {
    // The same structural checks as every bundle (strict DER of the certificate and RFC3161 timestamps included).
    const { bundle } = parseBundle(legacy.bundle);
    return withLeafEncodedOnce(
      toSignedEntity(bundle, layer.format === 'legacy-sig' ? Buffer.from(layer.payload) : undefined),
    );
  } catch (error) {
    if (error instanceof VerifyReleaseError) throw error;
    throw verificationError(
      'BUNDLE_INVALID',
      `expected a valid v0.1 bundle from the legacy layer, got ${describeError(error)}`,
      error,
    );
  }
}
