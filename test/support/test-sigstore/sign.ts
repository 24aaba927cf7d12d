import { createPrivateKey, generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import type { KeyPairKeyObjectResult } from 'node:crypto';
import type * as x509 from '@peculiar/x509';
import { dsse, pem } from '@sigstore/core';
import { createTestCA, type TestCA } from './ca.js';
import type { GithubIdentity } from './identity.js';
import type { SeededRandom } from './random.js';
import { logEntry, type RekorEntry, type TreePosition } from './tlog.js';

/**
 * Ways a minted signature can be broken on purpose. Each one must make a correct verifier fail:
 * - `payload`: the signed payload is changed after signing (DSSE payload or simple-signing blob);
 * - `signature`: one bit of the signature is flipped (the log entry still holds the original);
 * - `set-bitflip`: one bit of the Rekor SET is flipped;
 * - `set-untrusted-key`: the entry (SET and checkpoint) comes from a Rekor key outside the trusted root;
 * - `tlog-body-mismatch`: the logged body describes other content than the one shipped;
 * - `no-tlog`: no transparency log entry at all (no `dev.sigstore.cosign/bundle`, empty `tlogEntries`);
 * - `no-inclusion-proof`: a v0.3 bundle whose entry has only the SET (bundles only);
 * - `cert-expired-before-log`: the log integrated the entry after the certificate's notAfter;
 * - `cert-not-yet-valid`: the log integrated the entry before the certificate's notBefore;
 * - `wrong-ca`: the leaf chains to a CA outside the trusted root (with a valid SCT);
 * - `sct-untrusted-key`: the embedded SCT is signed by a CT log outside the trusted root;
 * - `no-sct`: the leaf has no SCT extension;
 * - `cert-swap`: the shipped certificate is another valid one for the same identity, with another key.
 */
export type Tamper =
  | 'payload'
  | 'signature'
  | 'set-bitflip'
  | 'set-untrusted-key'
  | 'tlog-body-mismatch'
  | 'no-tlog'
  | 'no-inclusion-proof'
  | 'cert-expired-before-log'
  | 'cert-not-yet-valid'
  | 'wrong-ca'
  | 'sct-untrusted-key'
  | 'no-sct'
  | 'cert-swap';

/** Key material of one test Sigstore instance, plus a foreign set for the negative cases. */
export interface SigningContext {
  now: Date;
  /** Every structural choice (log index, tree size, hashes, serials) comes from here. */
  random: SeededRandom;
  ca: TestCA;
  tlogKey: KeyPairKeyObjectResult;
  ctlogKey: KeyPairKeyObjectResult;
  tlogBaseUrl: string;
  foreign: { ca: () => Promise<TestCA>; tlogKey: KeyPairKeyObjectResult; ctlogKey: KeyPairKeyObjectResult };
}

/** What one signing produced: the certificate shipped with it, the signature and (unless `no-tlog`) the log entry. */
export interface SignedContent {
  certificateDer: Buffer;
  certificatePem: string;
  /** PEM intermediate + root, as cosign's `dev.sigstore.cosign/chain` annotation. */
  chainPem: string;
  signature: Buffer;
  entry?: RekorEntry;
}

/** Builds the canonical Rekor body; `payload` is what the log entry claims was signed. */
export type BodyBuilder = (o: { payload: Uint8Array; signature: Uint8Array; certificatePem: string }) => object;

const LEAF_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const TEN_MINUTES = 10 * 60_000;

/** A fresh P-256 key pair, as Node KeyObjects (what the logs sign with). */
export function newLogKey(): KeyPairKeyObjectResult {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The Fulcio-like foreign CA is created on first use: most tests never need it. */
export function lazyForeignCA(now: Date, random: SeededRandom): () => Promise<TestCA> {
  let ca: Promise<TestCA> | undefined;
  return () => (ca ??= createTestCA({ organization: 'foreign.test', ...caWindow(now), random }));
}

/** CA and log validity: five years before `now` to ten years after, so back-dated release histories chain. */
export function caWindow(now: Date): { validFrom: Date; validTo: Date } {
  const year = 365 * 24 * 3600_000;
  return { validFrom: new Date(now.getTime() - 5 * year), validTo: new Date(now.getTime() + 10 * year) };
}

/**
 * Signs `payload` (DSSE PAE over it when `payloadType` is given) with a fresh ephemeral key under a Fulcio-like
 * certificate valid 10 minutes from `signedAt`, then logs `buildBody(...)` at signedAt + 5 s, applying `tamper`.
 */
export async function signAndLog(
  ctx: SigningContext,
  o: {
    payload: Uint8Array;
    payloadType?: string;
    identity: GithubIdentity;
    buildBody: BodyBuilder;
    signedAt?: Date;
    tamper?: Tamper;
    /** Where the entry sits in the log (default: a seeded random index and tree size). */
    tree?: TreePosition;
  },
): Promise<SignedContent> {
  const { tamper } = o;
  const notBefore = new Date(Math.floor((o.signedAt ?? ctx.now).getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + TEN_MINUTES);
  const integratedTime =
    tamper === 'cert-expired-before-log'
      ? new Date(notAfter.getTime() + 60_000)
      : tamper === 'cert-not-yet-valid'
        ? new Date(notBefore.getTime() - 60_000)
        : new Date(notBefore.getTime() + 5_000);

  const ca = tamper === 'wrong-ca' ? await ctx.foreign.ca() : ctx.ca;
  const ctLogKey =
    tamper === 'no-sct' ? undefined : tamper === 'sct-untrusted-key' ? ctx.foreign.ctlogKey : ctx.ctlogKey;
  const issue = async (): Promise<{ cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> => {
    const keys = await webcrypto.subtle.generateKey(LEAF_KEY, true, ['sign', 'verify']);
    const cert = await ca.issueLeaf({ publicKey: keys.publicKey, identity: o.identity, notBefore, notAfter, ctLogKey });
    return { cert, keys };
  };
  const { cert, keys } = await issue();
  const privateKey = createPrivateKey({
    key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    format: 'der',
    type: 'pkcs8',
  });
  const payload = Buffer.from(o.payload);
  const toSign = o.payloadType === undefined ? payload : dsse.preAuthEncoding(o.payloadType, payload);
  const signature = sign('sha256', toSign, privateKey);
  const certificateDer = Buffer.from(cert.rawData);
  const certificatePem = pem.fromDER(certificateDer);

  const logged = tamper === 'tlog-body-mismatch' ? Buffer.concat([payload, Buffer.from(' ')]) : payload;
  const body = o.buildBody({ payload: logged, signature, certificatePem });
  const entry =
    tamper === 'no-tlog'
      ? undefined
      : logEntry(
          tamper === 'set-untrusted-key' ? ctx.foreign.tlogKey : ctx.tlogKey,
          ctx.tlogBaseUrl,
          body,
          integratedTime,
          ctx.random,
          o.tree,
        );
  if (entry && tamper === 'set-bitflip') entry.signedEntryTimestamp = flipLastBit(entry.signedEntryTimestamp);

  const shipped = tamper === 'cert-swap' ? Buffer.from((await issue()).cert.rawData) : certificateDer;
  return {
    certificateDer: shipped,
    certificatePem: pem.fromDER(shipped),
    chainPem: [ca.intermediate, ca.root].map((c) => pem.fromDER(Buffer.from(c.rawData))).join(''),
    signature: tamper === 'signature' ? Buffer.from(flipLastBit(signature.toString('base64')), 'base64') : signature,
    ...(entry ? { entry } : {}),
  };
}

/** Flips the lowest bit of the last byte: DER structure stays intact, the signature value does not. */
function flipLastBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}
