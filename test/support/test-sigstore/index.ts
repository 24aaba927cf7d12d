/**
 * A test-only Sigstore: its own Fulcio-like CA (root → intermediate → leaf), CT log and Rekor keys, and the
 * matching trusted_root.json. Everything runs in-process; minted evidence has the exact shapes cosign writes
 * (legacy `.sig`/`.att` layers, v0.3 bundles) and verifies with plain @sigstore/verify.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../../../src/model/digest.js';
import { cosignSignStatement } from '../statements.js';
import { toDsseBundleJson } from './bundles.js';
import { createTestCA } from './ca.js';
import type { GithubIdentity } from './identity.js';
import {
  DSSE_ENVELOPE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  tamperJson,
  toEnvelopeBytes,
  toLegacyAnnotations,
  toSimpleSigningPayload,
  type LegacyLayer,
} from './legacy-layers.js';
import { caWindow, lazyForeignCA, newLogKey, signAndLog, type SigningContext, type Tamper } from './sign.js';
import { dsseBody, hashedrekordBody, intotoBody, type TreePosition } from './tlog.js';
import { DEFAULT_SEED, seededRandom } from './random.js';
import { toTrustedRoot } from './trusted-root.js';

export { BUNDLE_V03_MEDIA_TYPE } from './bundles.js';
export { GITHUB_ACTIONS_ISSUER, toSubjectAlternativeName, type GithubIdentity } from './identity.js';
export {
  DSSE_ENVELOPE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type LegacyLayer,
} from './legacy-layers.js';
export type { Tamper } from './sign.js';
export type { TreePosition } from './tlog.js';

/** The Rekor base URL in the trusted root; its host is the checkpoint key name. */
export const TEST_REKOR_URL = 'https://rekor.verify-release.test';
const TEST_CTLOG_URL = 'https://ctfe.verify-release.test';

/** Options every minting call takes. */
interface MintOptions {
  identity: GithubIdentity;
  /** When the certificate was issued (default: the instance's `now`); the log time is 5 s later. */
  signedAt?: Date;
  tamper?: Tamper;
  /** Where the log entry sits (default: a seeded random log index and tree size). */
  tree?: TreePosition;
}

/** One test Sigstore instance. Minting is async because certificates are built with WebCrypto. */
export interface TestSigstore {
  /** trusted_root.json (mediaType application/vnd.dev.sigstore.trustedroot+json;version=0.1). */
  trustedRoot: object;
  /** Writes trusted_root.json into `dir` (created if missing) and returns its path. */
  writeTrustedRoot(dir: string): Promise<string>;
  /** A cosign `.sig` layer: simple-signing payload, logged as hashedrekord 0.0.1. */
  signImage(
    o: MintOptions & { digest: Digest; repository: string; annotations?: Record<string, string> },
  ): Promise<LegacyLayer>;
  /** A cosign `.att` layer: DSSE envelope over the statement, logged as dsse 0.0.1 (cosign ≥2.2 default) or intoto 0.0.1. */
  attestLegacy(o: MintOptions & { statement: object; rekorKind?: 'dsse' | 'intoto' }): Promise<LegacyLayer>;
  /** cosign v3 `sign --new-bundle-format`: a v0.3 bundle over the sign/v1 statement for `digest`. */
  bundleSignature(o: MintOptions & { digest: Digest; annotations?: Record<string, string> }): Promise<object>;
  /** cosign v3 `attest --new-bundle-format`: a v0.3 bundle (dsse 0.0.1, SET + inclusion proof) over the statement. */
  bundleAttestation(o: MintOptions & { statement: object }): Promise<object>;
}

/**
 * Creates the keys and CA; `now` (default: the current time) is the default signing time. Log indexes, tree sizes,
 * audit paths and serial numbers come from `seed` (default {@link DEFAULT_SEED}): the same seed mints the same
 * structures, so any failure can be replayed.
 */
export async function createTestSigstore(options?: { now?: Date; seed?: string }): Promise<TestSigstore> {
  const now = options?.now ?? new Date();
  const random = seededRandom(options?.seed ?? DEFAULT_SEED);
  const ca = await createTestCA({ organization: 'verify-release.test', ...caWindow(now), random });
  const ctx: SigningContext = {
    now,
    random,
    ca,
    tlogKey: newLogKey(),
    ctlogKey: newLogKey(),
    tlogBaseUrl: TEST_REKOR_URL,
    foreign: { ca: lazyForeignCA(now, random), tlogKey: newLogKey(), ctlogKey: newLogKey() },
  };
  const validFrom = ca.validFrom;
  const trustedRoot = toTrustedRoot({
    ca,
    tlog: { baseUrl: TEST_REKOR_URL, publicKey: ctx.tlogKey.publicKey, validFrom },
    ctlog: { baseUrl: TEST_CTLOG_URL, publicKey: ctx.ctlogKey.publicKey, validFrom },
  });

  async function attest(o: MintOptions & { statement: object; rekorKind: 'dsse' | 'intoto' }) {
    const payload = Buffer.from(JSON.stringify(o.statement));
    const signed = await signAndLog(ctx, {
      payload,
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      identity: o.identity,
      signedAt: o.signedAt,
      tamper: o.tamper,
      ...(o.tree ? { tree: o.tree } : {}),
      buildBody: (b) => {
        const envelope = toEnvelopeBytes(b);
        return o.rekorKind === 'dsse' ? dsseBody({ ...b, envelope }) : intotoBody({ ...b, envelope });
      },
    });
    return { payload: o.tamper === 'payload' ? tamperJson(payload) : payload, signed };
  }

  async function bundleAttestation(o: MintOptions & { statement: object }): Promise<object> {
    const { payload, signed } = await attest({ ...o, rekorKind: 'dsse' });
    return toDsseBundleJson({
      payload,
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signed,
      withProof: o.tamper !== 'no-inclusion-proof',
    });
  }

  return {
    trustedRoot,
    async writeTrustedRoot(dir) {
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'trusted_root.json');
      await writeFile(path, `${JSON.stringify(trustedRoot, null, 2)}\n`);
      return path;
    },
    async signImage(o) {
      const payload = toSimpleSigningPayload(o);
      const signed = await signAndLog(ctx, {
        payload,
        identity: o.identity,
        signedAt: o.signedAt,
        tamper: o.tamper,
        ...(o.tree ? { tree: o.tree } : {}),
        ...(o.tree ? { tree: o.tree } : {}),
        buildBody: (b) =>
          hashedrekordBody({ artifact: b.payload, signature: b.signature, certificatePem: b.certificatePem }),
      });
      return {
        mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
        payload: o.tamper === 'payload' ? tamperJson(payload) : payload,
        annotations: toLegacyAnnotations({ signed, attestation: false }),
      };
    },
    async attestLegacy(o) {
      const { payload, signed } = await attest({ ...o, rekorKind: o.rekorKind ?? 'dsse' });
      const predicateType = (o.statement as { predicateType?: unknown }).predicateType;
      return {
        mediaType: DSSE_ENVELOPE_MEDIA_TYPE,
        payload: toEnvelopeBytes({ payload, signature: signed.signature }),
        annotations: toLegacyAnnotations({
          signed,
          attestation: true,
          ...(typeof predicateType === 'string' ? { predicateType } : {}),
        }),
      };
    },
    bundleSignature: (o) => bundleAttestation({ ...o, statement: cosignSignStatement(o) }),
    bundleAttestation,
  };
}
