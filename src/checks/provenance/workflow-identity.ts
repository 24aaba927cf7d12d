import type { SignerInfo } from '../../model/evidence.js';
import { FULCIO_OID, pairedClaim as readPairedClaim } from '../../model/fulcio.js';
import { provenanceError } from './errors.js';

export { FULCIO_OID } from '../../model/fulcio.js';

const GITHUB = 'https://github.com/';

/** What the signing certificate of a GitHub Actions build says about the workflow that signed. */
export interface WorkflowIdentity {
  /** The signing (reusable) workflow without its ref, e.g. `https://github.com/o/r/.github/workflows/x.yml`. */
  workflowId: string;
  /** The signing workflow's ref, the text after the `@` in the SAN, e.g. `refs/tags/v2.1.0`. */
  workflowRef: string;
  /** The OIDC issuer (`.1.8`, or `.1.1` on old certificates). */
  issuer: string;
  /** The repository that ran the build, `owner/repo`. */
  sourceRepository: string;
  /** The commit the build ran at. */
  sourceSha1: string;
  buildTrigger: string;
}

// Checks that a deprecated claim and its replacement agree, and returns whichever is set.
function pairedClaim(signer: SignerInfo, deprecatedOid: string, oid: string, what: string): string {
  const { value, conflict } = readPairedClaim(signer.extensions, deprecatedOid, oid);
  if (conflict) {
    throw provenanceError(
      'invalidFormat',
      `expected equal ${what} claims, got '${conflict.deprecated}' and '${conflict.current}'`,
    );
  }
  if (value === undefined) {
    throw provenanceError('invalidCertificate', `expected a ${what} claim, got none (${deprecatedOid}, ${oid})`);
  }
  return value;
}

function toSourceRepository(signer: SignerInfo): string {
  const deprecated = signer.extensions[FULCIO_OID.githubWorkflowRepository] ?? '';
  const uri = signer.extensions[FULCIO_OID.sourceRepositoryUri] ?? '';
  if (deprecated !== '' && uri !== '' && GITHUB + deprecated !== uri) {
    throw provenanceError('invalidFormat', `expected source repository '${GITHUB}${deprecated}', got '${uri}'`);
  }
  // Certificates from before Fulcio's .1.8+ extensions (generator v1.4–v1.9) only carry .1.5.
  const repository = uri !== '' ? (uri.startsWith(GITHUB) ? uri.slice(GITHUB.length) : uri) : deprecated;
  if (repository === '') throw provenanceError('invalidCertificate', 'expected a source repository claim, got none');
  return repository;
}

function toWorkflow(identity: string): { workflowId: string; workflowRef: string } {
  let url: URL;
  try {
    url = new URL(identity);
  } catch (cause) {
    throw provenanceError('invalidFormat', `expected a URI certificate identity, got '${identity}'`, cause);
  }
  const at = url.pathname.indexOf('@');
  const path = at < 0 ? url.pathname : url.pathname.slice(0, at);
  const ref = at < 0 ? '' : url.pathname.slice(at + 1);
  // The URL parser normalises (dot segments, escapes); accept only identities it leaves unchanged.
  if (
    url.href !== identity ||
    url.protocol !== 'https:' ||
    url.host !== 'github.com' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw provenanceError('malformedUri', `expected a https://github.com/ workflow URI, got '${identity}'`);
  }
  if (path === '/' || ref === '') throw provenanceError('malformedUri', `workflow uri: '${identity}'`);
  return { workflowId: `https://github.com${path}`, workflowRef: ref };
}

/**
 * Reads the GitHub workflow identity from a verified Fulcio certificate, as slsa-verifier's
 * `GetWorkflowInfoFromCertificate`: each deprecated claim (`.1.1`–`.1.6`) and its replacement (`.1.8`+) must agree
 * when both are present, and at least one must be present. Throws {@link ProvenanceRuleError}.
 */
export function toWorkflowIdentity(signer: SignerInfo): WorkflowIdentity {
  const buildTrigger = pairedClaim(signer, FULCIO_OID.githubWorkflowTrigger, FULCIO_OID.buildTrigger, 'build trigger');
  const sourceSha1 = pairedClaim(
    signer,
    FULCIO_OID.githubWorkflowSha,
    FULCIO_OID.sourceRepositoryDigest,
    'source digest',
  );
  const configDigest = signer.extensions[FULCIO_OID.buildConfigDigest] ?? '';
  if (configDigest !== '' && configDigest !== sourceSha1) {
    throw provenanceError('invalidFormat', `expected build config digest '${sourceSha1}', got '${configDigest}'`);
  }
  const issuer = pairedClaim(signer, FULCIO_OID.issuer, FULCIO_OID.issuerV2, 'issuer');
  return {
    ...toWorkflow(signer.identity),
    issuer,
    sourceRepository: toSourceRepository(signer),
    sourceSha1,
    buildTrigger,
  };
}
