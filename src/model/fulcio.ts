/** Fulcio certificate extension OIDs (sigstore/fulcio `docs/oid-info.md`). */
export const FULCIO_OID_PREFIX = '1.3.6.1.4.1.57264.1.';

export const FULCIO_OID = {
  /** Deprecated raw strings `.1.1`–`.1.6`, replaced by the DER UTF8String extensions from `.1.8` on. */
  issuer: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
  /** The otherName SAN type of Fulcio's username identities. */
  otherNameUsername: '1.3.6.1.4.1.57264.1.7',
  issuerV2: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerUri: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibility: '1.3.6.1.4.1.57264.1.22',
} as const;

/** Arcs of the deprecated extensions, which hold raw bytes rather than a DER UTF8String. */
export const FULCIO_RAW_STRING_ARCS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6]);

/**
 * A claim Fulcio writes twice, in a deprecated extension and in its replacement (issuer `.1.1`/`.1.8`, trigger
 * `.1.2`/`.1.20`, commit `.1.3`/`.1.13`, …). The one rule for reading it, shared by the certificate reader and the
 * provenance rules, as slsa-verifier's `getAndCheckExtension`: an empty value counts as absent; when both are present
 * they must be equal (`conflict` otherwise); the value is the replacement's, else the deprecated one's.
 */
export function pairedClaim(
  extensions: Readonly<Record<string, string>>,
  deprecatedOid: string,
  oid: string,
): { value: string | undefined; conflict?: { deprecated: string; current: string } } {
  const deprecated = extensions[deprecatedOid] ?? '';
  const current = extensions[oid] ?? '';
  if (deprecated !== '' && current !== '' && deprecated !== current) {
    return { value: undefined, conflict: { deprecated, current } };
  }
  const value = current !== '' ? current : deprecated;
  return { value: value === '' ? undefined : value };
}
