import type { CheckId, CheckResult } from '../model/check-result.js';
import type { Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import { RegistryClient } from '../registry/index.js';
import { resolveRelease, type ResolvedTarget } from '../release/index.js';
import { discoverEvidence, type DiscoveryResult } from '../discover/index.js';
import { findHints } from '../discover/hints.js';
import { loadTrustRoot, type TrustRoot } from '../sigstore/trust.js';
import { evaluateSignature } from '../checks/signature.js';
import { evaluateProvenance, isProvenanceCandidate, SLSA_PROVENANCE_TYPES } from '../checks/provenance/index.js';
import { CYCLONEDX_PREDICATE_TYPE, evaluatePolicies } from '../checks/policy.js';
import { evaluateSbom } from '../checks/sbom.js';
import { startPolicyEngine, type PolicyEngine } from '../policy/cue.js';
import { buildReport, type Report, type ReportTarget } from '../report/index.js';
import { describeError, UsageError } from '../errors.js';
import type { EvidenceOutcome } from '../checks/outcome.js';
import type { Expectations, VerifyReleaseOptions } from './options.js';
import { verifyAllEvidence } from './verify-evidence-all.js';
import { describeNothingAccepted, selectAttestations } from './select.js';

const TITLES: Record<CheckId, string> = {
  resolve: 'Release resolved',
  signature: 'Image signature',
  provenance: 'SLSA provenance',
  'provenance-policy': 'Provenance policy',
  sbom: 'SBOM attestation',
  'sbom-policy': 'SBOM policy',
};

export interface VerifyReleaseResult {
  report: Report;
  /** The verified SBOM (CycloneDX predicate), byte-exact as attested, when the sbom check passed. */
  sbom?: { document: unknown; raw: string };
}

/**
 * Resolves the release, discovers its evidence, verifies it and evaluates every selected check.
 * Never throws for registry or verification trouble: those become `error`/`fail` checks in the report.
 * Throws only for usage errors (bad options, unreadable policy or trusted-root files).
 */
export async function verifyRelease(options: VerifyReleaseOptions): Promise<VerifyReleaseResult> {
  const selected = new Set(options.checks);
  const progress = options.onProgress ?? (() => undefined);
  const needsPolicy = selected.has('provenance-policy') || selected.has('sbom-policy');
  // CUE takes ~0.5 s to start: start it now so it overlaps with registry round trips.
  const engine: PolicyEngine | undefined = needsPolicy ? startPolicyEngine() : undefined;
  const client = new RegistryClient({ ...options.registry, ...(options.env ? { env: options.env } : {}) });
  const imageName = formatRepository(options.image);
  const trustPromise = loadTrustRoot({
    ...(options.trustedRootPath ? { path: options.trustedRootPath } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.offlineTrust ? { offline: true } : {}),
  });
  // Attach a handler now: a bad --trusted-root must not become an unhandled rejection while we resolve.
  trustPromise.catch(() => undefined);

  progress(`resolving ${imageName}`);
  let target: ResolvedTarget;
  try {
    target = await resolveRelease({
      client,
      image: options.image,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      includePrereleases: options.includePrereleases ?? false,
    });
  } catch (error) {
    // A tag that cannot be one, or a reference and options that disagree: the command line is wrong (exit 2).
    if (error instanceof UsageError) throw error;
    // A bad --trusted-root is a usage error whether or not the registry answered (exit 2, not 3).
    if (options.trustedRootPath) await trustPromise;
    const reportTarget = unresolvedTarget(imageName, options);
    return {
      report: failedEarly(
        reportTarget,
        options.checks,
        'resolve',
        describeError(error),
        'release could not be resolved',
      ),
    };
  }
  const reportTarget = toReportTarget(target);
  const resolveResult: CheckResult = {
    id: 'resolve',
    title: TITLES.resolve,
    status: 'pass',
    reason: `${target.version ?? target.tag ?? 'digest'} is ${target.digest}`,
    evidence: { digest: target.digest, mediaType: target.mediaType, platforms: target.platforms },
  };

  const trust = await trustPromise; // usage errors (bad --trusted-root) propagate
  const expectations = options.expectations({
    ...(target.version !== undefined ? { version: target.version } : {}),
    ...(target.tag !== undefined ? { tag: target.tag } : {}),
  });

  progress(`discovering signatures and attestations for ${target.digest}`);
  let discovery: DiscoveryResult;
  try {
    discovery = await discoverEvidence(client, target.digest, {
      image: { registry: target.registry, repository: target.repository },
      signature: options.repositories.signature,
      sbom: options.repositories.sbom,
      provenance: options.repositories.provenance,
    });
  } catch (error) {
    const reason = `could not read evidence: ${describeError(error)}`;
    return {
      report: buildReport(reportTarget, [resolveResult, ...errorChecks(options.checks, reason)], notices(trust)),
    };
  }

  progress(`verifying ${discovery.evidence.length} signatures and attestations`);
  const outcomes = verifyAllEvidence(discovery.evidence, trust);
  const hints = discovery.evidence.length === 0 ? await collectHints(client, target, options) : [];
  const digest = target.digest;

  const checks: CheckResult[] = [];
  let sbom: VerifyReleaseResult['sbom'];
  for (const id of options.checks) {
    switch (id) {
      case 'resolve':
        checks.push(resolveResult);
        break;
      case 'signature':
        checks.push(
          evaluateSignature({
            outcomes,
            policy: expectations.signature,
            digest,
            searched: discovery.searched,
            repositories: discovery.repositories,
            hints,
          }),
        );
        break;
      case 'provenance':
        checks.push(provenanceCheck(outcomes, expectations, digest, hints));
        break;
      case 'provenance-policy':
        checks.push(await policyCheck('provenance-policy', outcomes, expectations, digest, engine!));
        break;
      case 'sbom': {
        const selection = selectAttestations(outcomes, [CYCLONEDX_PREDICATE_TYPE], expectations.sbom, digest);
        if (selection.accepted.length === 0) {
          checks.push(failed('sbom', describeNothingAccepted('CycloneDX SBOM', selection), hints));
          break;
        }
        const evaluated = evaluateSbom(selection.accepted);
        checks.push(evaluated.result);
        if (evaluated.result.status === 'pass' && evaluated.sbom) sbom = evaluated.sbom;
        break;
      }
      case 'sbom-policy':
        checks.push(await policyCheck('sbom-policy', outcomes, expectations, digest, engine!));
        break;
    }
  }
  return { report: buildReport(reportTarget, checks, notices(trust)), ...(sbom ? { sbom } : {}) };
}

function provenanceCheck(
  outcomes: EvidenceOutcome[],
  expectations: Expectations,
  digest: Digest,
  hints: string[],
): CheckResult {
  const candidates = outcomes.flatMap((o) => (o.verified && isProvenanceCandidate(o.verified) ? [o.verified] : []));
  if (candidates.length === 0) {
    const selection = selectAttestations(outcomes, SLSA_PROVENANCE_TYPES, expectations.provenanceSigner, digest);
    return failed('provenance', describeNothingAccepted('SLSA provenance', selection), hints);
  }
  return evaluateProvenance(candidates, { ...expectations.provenance, digest });
}

async function policyCheck(
  id: 'provenance-policy' | 'sbom-policy',
  outcomes: EvidenceOutcome[],
  expectations: Expectations,
  digest: Digest,
  engine: PolicyEngine,
): Promise<CheckResult> {
  const provenance = id === 'provenance-policy';
  const selection = provenance
    ? selectAttestations(outcomes, SLSA_PROVENANCE_TYPES, expectations.provenanceSigner, digest)
    : selectAttestations(outcomes, [CYCLONEDX_PREDICATE_TYPE], expectations.sbom, digest);
  if (selection.accepted.length === 0) {
    return failed(id, describeNothingAccepted(provenance ? 'SLSA provenance' : 'CycloneDX SBOM', selection), []);
  }
  const statements = selection.accepted.flatMap((v) => (v.content.type === 'in-toto' ? [v.content.statement] : []));
  const policies = provenance ? expectations.policies.provenance : expectations.policies.sbom;
  return evaluatePolicies(id, statements, policies, expectations.policyMode, engine);
}

async function collectHints(
  client: RegistryClient,
  target: ResolvedTarget,
  options: VerifyReleaseOptions,
): Promise<string[]> {
  const image = { registry: target.registry, repository: target.repository };
  let manifest: unknown;
  try {
    manifest = (await client.getManifest(image, target.digest)).json;
  } catch {
    manifest = {};
  }
  const { signature, sbom, provenance } = options.repositories;
  return findHints({
    client,
    image,
    digest: target.digest,
    manifest,
    searched: [image, ...signature, ...sbom, ...provenance],
  });
}

function failed(id: CheckId, reason: string, hints: string[]): CheckResult {
  const withHints = hints.length > 0 ? `${reason}; hint: ${hints.join('; ')}` : reason;
  return { id, title: TITLES[id], status: 'fail', reason: withHints, evidence: {} };
}

function errorChecks(ids: readonly CheckId[], reason: string): CheckResult[] {
  return ids
    .filter((id) => id !== 'resolve')
    .map((id) => ({ id, title: TITLES[id], status: 'error' as const, reason, evidence: {} }));
}

function failedEarly(
  target: ReportTarget,
  ids: readonly CheckId[],
  failedId: CheckId,
  reason: string,
  skipReason: string,
): Report {
  const checks: CheckResult[] = [{ id: failedId, title: TITLES[failedId], status: 'error', reason, evidence: {} }];
  for (const id of ids) {
    if (id !== failedId) checks.push({ id, title: TITLES[id], status: 'skip', reason: skipReason, evidence: {} });
  }
  return buildReport(target, checks);
}

function notices(trust: TrustRoot): string[] {
  return trust.notice ? [trust.notice] : [];
}

function toReportTarget(target: ResolvedTarget): ReportTarget {
  return {
    image: target.image,
    version: target.version ?? null,
    tag: target.tag ?? null,
    digest: target.digest,
    mediaType: target.mediaType,
    platforms: target.platforms,
  };
}

function unresolvedTarget(image: string, options: VerifyReleaseOptions): ReportTarget {
  return {
    image,
    version: options.tag ? null : (options.version ?? 'latest'),
    tag: options.tag ?? null,
    digest: options.image.digest ?? null,
    mediaType: null,
    platforms: [],
  };
}
