import { bundleToJSON, toDSSEBundle, type TransparencyLogEntry } from '@sigstore/bundle';
import type { SignedContent } from './sign.js';
import type { RekorEntry } from './tlog.js';

/** Media type of a v0.3 Sigstore bundle (also the referrer's artifactType and layer media type). */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/**
 * A v0.3 bundle (leaf certificate only, DSSE envelope) as cosign v3 and actions/attest write it. The tlog entry has
 * the SET and, unless `withProof` is false, the inclusion proof with its signed checkpoint.
 */
export function toDsseBundleJson(o: {
  payload: Uint8Array;
  payloadType: string;
  signed: SignedContent;
  withProof: boolean;
}): object {
  const bundle = toDSSEBundle({
    artifact: Buffer.from(o.payload),
    artifactType: o.payloadType,
    signature: o.signed.signature,
    certificate: o.signed.certificateDer,
  });
  if (o.signed.entry) bundle.verificationMaterial.tlogEntries = [toTlogEntry(o.signed.entry, o.withProof)];
  return bundleToJSON(bundle);
}

function toTlogEntry(entry: RekorEntry, withProof: boolean): TransparencyLogEntry {
  const body = Buffer.from(entry.body, 'base64');
  const { kind, apiVersion } = JSON.parse(body.toString('utf8')) as { kind: string; apiVersion: string };
  const proof = entry.inclusionProof;
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: Buffer.from(entry.logID, 'hex') },
    kindVersion: { kind, version: apiVersion },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: { signedEntryTimestamp: Buffer.from(entry.signedEntryTimestamp, 'base64') },
    inclusionProof: withProof
      ? {
          logIndex: String(proof.logIndex),
          // The mock reports the root hash in hex; the bundle carries bytes.
          rootHash: Buffer.from(proof.rootHash, 'hex'),
          treeSize: String(proof.treeSize),
          hashes: proof.hashes.map((h) => Buffer.from(h, 'hex')),
          checkpoint: { envelope: proof.checkpoint },
        }
      : undefined,
    canonicalizedBody: body,
  };
}
