import { createHash } from 'node:crypto';

/**
 * GitHub Actions workload identities as Fulcio encodes them in a signing certificate: the SAN URI
 * (`job_workflow_ref`) and the `1.3.6.1.4.1.57264.1.*` extensions (sigstore/fulcio `docs/oid-info.md`).
 */

/** The issuer GitHub Actions tokens carry. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** A GitHub Actions run that asks Fulcio for a certificate. */
export interface GithubIdentity {
  /** The calling repository, `owner/name`. */
  repository: string;
  /** Path of the calling workflow, e.g. `.github/workflows/release.yml`. */
  workflowPath: string;
  /** The ref the workflow ran for, e.g. `refs/tags/v1.1.2` or `refs/heads/main`. */
  ref: string;
  /** Commit sha1 of the run; a stable fake is derived from repository and ref when absent. */
  sha?: string;
  /** Event that triggered the run (default `push`). */
  trigger?: string;
  /** Issuer claim (default GitHub Actions); tests override it to mint a foreign issuer. */
  issuer?: string;
  /**
   * For reusable workflows (the SLSA generator): the SAN and Build Signer come from this workflow,
   * every other extension from the caller.
   */
  jobWorkflow?: { repository: string; path: string; ref: string };
  /**
   * Extension values by dotted OID that replace what Fulcio would derive (`null` leaves the extension out), e.g.
   * a Source Repository URI (`1.3.6.1.4.1.57264.1.12`) of another repository, or an old certificate without it.
   */
  extensions?: Record<string, string | null>;
}

/** One Fulcio extension: `raw` values are the bare bytes (deprecated `.1.1`–`.1.6`), others DER UTF8String. */
export interface FulcioExtension {
  oid: string;
  value: string;
  raw: boolean;
}

const OID = (n: number): string => `1.3.6.1.4.1.57264.1.${n}`;
const GITHUB = 'https://github.com';
/** Fixed fake ids so certificates are stable between runs; only their presence matters to verifiers. */
const REPOSITORY_ID = '800000001';
const OWNER_ID = '90000001';
const RUN_ID = '15000000001';

/** The certificate SAN URI: the job workflow ref (the reusable workflow's, when there is one). */
export function toSubjectAlternativeName(identity: GithubIdentity): string {
  const job = identity.jobWorkflow;
  if (job) return `${GITHUB}/${job.repository}/${job.path}@${job.ref}`;
  return `${GITHUB}/${identity.repository}/${identity.workflowPath}@${identity.ref}`;
}

/** The commit the identity's run is for; deterministic when the test did not pick one. */
export function toSourceSha(identity: GithubIdentity): string {
  return identity.sha ?? createHash('sha1').update(`${identity.repository}@${identity.ref}`).digest('hex');
}

/** Every extension Fulcio adds for a GitHub Actions token, in Fulcio's order. */
export function toFulcioExtensions(identity: GithubIdentity): FulcioExtension[] {
  const issuer = identity.issuer ?? GITHUB_ACTIONS_ISSUER;
  const trigger = identity.trigger ?? 'push';
  const sha = toSourceSha(identity);
  const owner = identity.repository.split('/')[0] ?? identity.repository;
  const callerWorkflow = `${GITHUB}/${identity.repository}/${identity.workflowPath}@${identity.ref}`;
  const job = identity.jobWorkflow;
  // A reusable workflow's digest is the generator's own commit; a plain workflow signs with the caller's.
  const signerDigest = job ? toSourceSha({ repository: job.repository, workflowPath: job.path, ref: job.ref }) : sha;
  const raw = (n: number, value: string): FulcioExtension => ({ oid: OID(n), value, raw: true });
  const utf8 = (n: number, value: string): FulcioExtension => ({ oid: OID(n), value, raw: false });
  const overrides = identity.extensions ?? {};
  const derived = [
    raw(1, issuer),
    raw(2, trigger),
    raw(3, sha),
    raw(4, identity.workflowPath),
    raw(5, identity.repository),
    raw(6, identity.ref),
    utf8(8, issuer),
    utf8(9, toSubjectAlternativeName(identity)),
    utf8(10, signerDigest),
    utf8(11, 'github-hosted'),
    utf8(12, `${GITHUB}/${identity.repository}`),
    utf8(13, sha),
    utf8(14, identity.ref),
    utf8(15, REPOSITORY_ID),
    utf8(16, `${GITHUB}/${owner}`),
    utf8(17, OWNER_ID),
    utf8(18, callerWorkflow),
    utf8(19, sha),
    utf8(20, trigger),
    utf8(21, `${GITHUB}/${identity.repository}/actions/runs/${RUN_ID}/attempts/1`),
    utf8(22, 'public'),
  ];
  return derived.flatMap((extension) => {
    const override = overrides[extension.oid];
    if (override === undefined) return [extension];
    return override === null ? [] : [{ ...extension, value: override }];
  });
}
