import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { TestCA } from './ca.js';

/** Media type of a Sigstore trusted_root.json. */
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/** A transparency or CT log as the trusted root names it. */
export interface LogKey {
  baseUrl: string;
  publicKey: KeyObject;
  validFrom: Date;
}

/** The trusted root a verifier needs for this test instance: one CA (intermediate + root), one Rekor, one CT log. */
export function toTrustedRoot(o: { ca: TestCA; tlog: LogKey; ctlog: LogKey }): object {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [toLogInstance(o.tlog)],
    certificateAuthorities: [
      {
        subject: { organization: o.ca.organization, commonName: 'sigstore' },
        uri: 'https://fulcio.verify-release.test',
        // Real public-good roots list the chain leaf-side first: intermediate, then root.
        certChain: {
          certificates: [o.ca.intermediate, o.ca.root].map((c) => ({
            rawBytes: Buffer.from(c.rawData).toString('base64'),
          })),
        },
        validFor: { start: o.ca.validFrom.toISOString(), end: o.ca.validTo.toISOString() },
      },
    ],
    ctlogs: [toLogInstance(o.ctlog)],
    timestampAuthorities: [],
  };
}

function toLogInstance(log: LogKey): object {
  const der = log.publicKey.export({ format: 'der', type: 'spki' });
  return {
    baseUrl: log.baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: der.toString('base64'),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: log.validFrom.toISOString() },
    },
    logId: { keyId: createHash('sha256').update(der).digest('base64') },
  };
}
