import type { Digest } from './digest.js';

/** Where a piece of evidence was found. */
export interface EvidenceLocation {
  /** Repository it was read from, `host/name` (e.g. `ghcr.io/natrontech/signatures`). */
  repository: string;
  /** `tag`: a cosign `sha256-<hex>.sig|.att` tag; `referrers-api` / `referrers-tag`: an OCI 1.1 referrer. */
  via: 'tag' | 'referrers-api' | 'referrers-tag';
  /** The tag read, for `tag` and `referrers-tag`. */
  tag?: string;
  /** Digest of the manifest that holds the layer (the `.sig`/`.att` manifest or the referrer manifest). */
  manifestDigest: Digest;
  /** Index of the layer within that manifest. */
  layerIndex: number;
}

/** A cosign legacy layer: one signature (`.sig`, simple signing) or one DSSE attestation (`.att`). */
export interface LegacyLayerEvidence {
  format: 'legacy-sig' | 'legacy-att';
  location: EvidenceLocation;
  /** The layer's media type. */
  mediaType: string;
  /** The layer descriptor's annotations (`dev.cosignproject.cosign/signature`, `dev.sigstore.cosign/bundle`, …). */
  annotations: Record<string, string>;
  /** The layer blob, already checked against its descriptor digest. */
  payload: Uint8Array;
  layerDigest: Digest;
}

/** A Sigstore bundle stored as an OCI 1.1 referrer (cosign `--new-bundle-format`, `actions/attest`). */
export interface BundleEvidence {
  format: 'bundle';
  location: EvidenceLocation;
  /** The parsed bundle JSON (still untrusted and unvalidated). */
  bundle: unknown;
  /** The referrer manifest's artifactType, if any. */
  artifactType?: string;
  /** The referrer manifest's annotations (e.g. `dev.sigstore.bundle.predicateType`); informational only. */
  annotations: Record<string, string>;
}

export type Evidence = LegacyLayerEvidence | BundleEvidence;

/** Identity requirements on the signing certificate (cosign's flags). Exactly one of each pair must be set. */
export interface IdentityPolicy {
  /** Exact SAN match. */
  identity?: string;
  /** Go RE2 regular expression, unanchored (cosign semantics). */
  identityRegexp?: string;
  /** Exact OIDC issuer match. */
  issuer?: string;
  /** Go RE2 regular expression, unanchored. */
  issuerRegexp?: string;
}

/** What a verified Fulcio certificate says. */
export interface SignerInfo {
  /** The certificate's SAN (URI or email); for GitHub Actions the workflow ref. */
  identity: string;
  /** OIDC issuer from 1.3.6.1.4.1.57264.1.8, falling back to .1.1. */
  issuer?: string;
  /** Every Fulcio extension present, keyed by dotted OID, decoded to text. */
  extensions: Record<string, string>;
  notBefore: string;
  notAfter: string;
}

/** An in-toto statement (v0.1 or v1), as decoded from a DSSE payload. */
export interface InTotoStatement {
  _type: string;
  subject: { name?: string; digest: Record<string, string>; annotations?: Record<string, unknown> }[];
  predicateType: string;
  predicate?: unknown;
  [key: string]: unknown;
}

/** cosign's simple-signing payload (legacy `.sig`). */
export interface SimpleSigningPayload {
  critical: {
    identity?: { 'docker-reference'?: string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional?: Record<string, unknown> | null;
}

export type VerifiedContent =
  | { type: 'simple-signing'; payload: SimpleSigningPayload; bytes: Uint8Array }
  | { type: 'in-toto'; statement: InTotoStatement; bytes: Uint8Array };

/** A transparency log entry whose inclusion (SET or proof) was verified. */
export interface VerifiedTlogEntry {
  logIndex: string;
  /** Unix seconds; absent for Rekor v2 entries. */
  integratedTime?: number;
  kind: string;
  version: string;
}

/**
 * A piece of evidence whose Sigstore cryptography verified: certificate chain, SCT, transparency log,
 * timestamps and signature. Identity and digest claims are checked separately (src/sigstore/identity.ts,
 * src/sigstore/claims.ts).
 */
export interface VerifiedEvidence {
  evidence: Evidence;
  signer: SignerInfo;
  content: VerifiedContent;
  tlogEntries: VerifiedTlogEntry[];
  /** Every verified time (SET integrated times, RFC3161 times), ISO 8601. */
  verifiedTimes: string[];
}
