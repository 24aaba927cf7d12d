import { isDeepStrictEqual } from 'node:util';
import type { CheckResult } from '../model/check-result.js';
import type { VerifiedEvidence } from '../model/evidence.js';
import { describeError, InternalError, verificationError } from '../errors.js';
import { findTopLevelMemberSpan } from '../model/json-span.js';
import { CYCLONEDX_PREDICATE_TYPE } from '../model/constants.js';
import { CHECK_TITLES, checkResult, oncePerContext, type Check } from './check.js';
import { describeNothingAccepted, selectAttestations } from './select.js';
import { toSourceClaims } from '../sigstore/signer-binding.js';

/**
 * The `predicate` member exactly as it appears in the signed payload bytes, so that writing it out reproduces the
 * attested document byte for byte. Cross-checked against the parsed statement.
 */
export function toRawPredicate(payload: Uint8Array, predicate: unknown): string {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  // The scanner relies on valid JSON; this also rejects anything JSON.parse would.
  JSON.parse(text);
  const span = findTopLevelMemberSpan(text, 'predicate');
  if (!span) throw verificationError('BUNDLE_INVALID', 'statement JSON: expected a predicate member, got none');
  const raw = text.slice(span.start, span.end);
  if (!isDeepStrictEqual(JSON.parse(raw), predicate)) {
    throw new InternalError('expected the predicate text to parse to the verified predicate, got a different value');
  }
  return raw;
}

function newestTime(candidate: VerifiedEvidence): number {
  const times = candidate.tlogEntries.flatMap((entry) =>
    entry.integratedTime === undefined ? [] : [entry.integratedTime * 1000],
  );
  times.push(...candidate.verifiedTimes.map((time) => Date.parse(time)).filter((time) => !Number.isNaN(time)));
  return times.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...times);
}

function describeSbom(document: unknown): Record<string, unknown> {
  const bom = document as { specVersion?: unknown; serialNumber?: unknown; components?: unknown };
  return {
    specVersion: bom.specVersion,
    serialNumber: bom.serialNumber,
    components: Array.isArray(bom.components) ? bom.components.length : 0,
  };
}

function result(status: CheckResult['status'], reason: string, evidence: Record<string, unknown>): CheckResult {
  return checkResult('sbom', status, reason, evidence);
}

/**
 * The `sbom` check over identity-matched, digest-bound attestations: picks the CycloneDX ones, uses the newest by
 * verified time (warning when several verify), and returns the SBOM document with its exact attested text.
 */
export function evaluateSbom(candidates: VerifiedEvidence[]): {
  result: CheckResult;
  sbom?: { document: unknown; raw: string };
} {
  const sboms = candidates.filter(
    (c) => c.content.type === 'in-toto' && c.content.statement.predicateType === CYCLONEDX_PREDICATE_TYPE,
  );
  const chosen = [...sboms].sort((a, b) => newestTime(b) - newestTime(a))[0];
  if (!chosen || chosen.content.type !== 'in-toto') {
    return {
      result: result('fail', `no verified SBOM attestation (${CYCLONEDX_PREDICATE_TYPE})`, {
        candidates: candidates.length,
      }),
    };
  }
  const document = chosen.content.statement.predicate;
  const bom = document as { bomFormat?: unknown; specVersion?: unknown } | undefined;
  if (typeof bom !== 'object' || bom === null || bom.bomFormat !== 'CycloneDX' || typeof bom.specVersion !== 'string') {
    return {
      result: result(
        'fail',
        'expected a CycloneDX document (bomFormat "CycloneDX", specVersion), got something else',
        {},
      ),
    };
  }
  let raw: string;
  try {
    raw = toRawPredicate(chosen.content.bytes, document);
  } catch (error) {
    return { result: result('error', describeError(error), { location: chosen.evidence.location }) };
  }
  const source = toSourceClaims(chosen.signer);
  const evidence: Record<string, unknown> = {
    ...describeSbom(document),
    location: chosen.evidence.location,
    // The signer's project and ref, which the selection bound (src/sigstore/signer-binding.ts).
    signer: chosen.signer.identity,
    sourceRepository: source.repository,
    sourceRef: source.ref,
    logIndex: chosen.tlogEntries[0]?.logIndex,
    attestations: sboms.length,
  };
  let reason = `CycloneDX ${bom.specVersion} SBOM with ${String(evidence['components'])} components`;
  if (sboms.length > 1) {
    const warning = `${sboms.length} SBOM attestations verified; using the newest (log index ${chosen.tlogEntries[0]?.logIndex ?? 'unknown'})`;
    evidence['warning'] = warning;
    reason = `${reason}; warning: ${warning}`;
  }
  return { result: result('pass', reason, evidence), sbom: { document, raw } };
}

/** The SBOM the `sbom` check accepts in this context, with its result (the same selection the check makes). */
export const selectSbom = oncePerContext((context): ReturnType<typeof evaluateSbom> => {
  const { outcomes, expectations, target } = context;
  const selection = selectAttestations(outcomes, [CYCLONEDX_PREDICATE_TYPE], expectations.sbom, target.digest);
  if (selection.accepted.length === 0) {
    return {
      result: checkResult('sbom', 'fail', describeNothingAccepted('CycloneDX SBOM', selection)),
    };
  }
  return evaluateSbom(selection.accepted);
});

export const sbomCheck: Check = {
  id: 'sbom',
  title: CHECK_TITLES.sbom,
  run: (context) => Promise.resolve(selectSbom(context).result),
};
