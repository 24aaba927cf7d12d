import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { afterAll, describe, expect, it } from 'vitest';
import type { LegacyLayerEvidence } from '../../src/model/evidence.js';
import { ANNOTATION } from '../../src/sigstore/legacy/annotations.js';
import {
  flipBase64,
  jsonMutations,
  rootMutations,
  setForeignCa,
  toSetTag,
  withPayload,
  type Json,
  type Mutation,
  type SweepTarget,
} from '../support/mutations.js';
import { targetOf, verifies } from '../support/sweep-targets.js';
import { loadCases, readCorpusJson } from '../support/oci-layout.js';

/**
 * Mutation sweep: every valid real-world bundle and legacy layer, with each security-relevant field, input and
 * trusted-root entry changed once. Every mutation must be rejected and every unmutated input must verify. The same
 * mutations are run through plain @sigstore/verify 3.1.1 (Verifier + its own policy) for comparison.
 */

/** Facts about an input that decide whether a field is used at all. */
interface Facts {
  hasTsa: boolean;
  rekorV2: boolean;
  /** Key hints (hex) of the log's own checkpoint signatures, from the trusted root. */
  logHints: Set<string>;
  hasSet: boolean;
  hasProof: boolean;
  managedKey: boolean;
  v01: boolean;
}

function factsOf(t: SweepTarget): Facts {
  const material = (t.bundle as any)?.verificationMaterial ?? {};
  const entries: any[] = material.tlogEntries ?? [];
  return {
    rekorV2: entries.some((e) => e.kindVersion?.version === '0.0.2'),
    logHints: logHintsOf(t, entries),
    hasTsa:
      (material.timestampVerificationData?.rfc3161Timestamps ?? []).length > 0 ||
      Boolean(t.layer?.annotations[ANNOTATION.rfc3161]),
    hasSet: t.layer !== undefined || entries.some((e) => e.inclusionPromise),
    hasProof: entries.length > 0 && entries.every((e) => e.inclusionProof?.checkpoint),
    managedKey: t.publicKey !== undefined,
    v01: /version=0\.1$/.test(String((t.bundle as any)?.mediaType)),
  };
}

/**
 * Checkpoint key hints of the trusted logs: Rekor v1 (ECDSA) uses sha256(SPKI)[:4]; Rekor v2 (C2SP signed note,
 * Ed25519) uses sha256(name || 0x0A || 0x01 || raw key)[:4], with the name of the signature line.
 */
function logHintsOf(t: SweepTarget, entries: any[]): Set<string> {
  const hints = new Set<string>();
  const names = entries.flatMap((e) =>
    [...String(e.inclusionProof?.checkpoint?.envelope ?? '').matchAll(/^— (\S+) /gm)].map((m) => m[1] ?? ''),
  );
  for (const tlog of ((t.root as any).tlogs ?? []) as any[]) {
    const spki = Buffer.from(tlog.publicKey?.rawBytes ?? '', 'base64');
    hints.add(createHash('sha256').update(spki).digest('hex').slice(0, 8));
    for (const name of names) {
      const noteKey = Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([1]), spki.subarray(-32)]);
      hints.add(createHash('sha256').update(noteKey).digest('hex').slice(0, 8));
    }
  }
  return hints;
}

/** The key hint (hex) of the checkpoint signature line a mutation changed, if it changed one. */
function mutatedSignatureHint(t: SweepTarget, name: string): string | undefined {
  const line = /checkpoint\.envelope:line(\d+)$/.exec(name)?.[1];
  const envelope = (t.bundle as any)?.verificationMaterial?.tlogEntries?.[0]?.inclusionProof?.checkpoint?.envelope;
  const text = String(envelope ?? '').split('\n')[Number(line)] ?? '';
  if (line === undefined || !text.startsWith('— ')) return undefined;
  return Buffer.from(text.split(' ').pop() ?? '', 'base64')
    .subarray(0, 4)
    .toString('hex');
}

/**
 * Accepted mutations of fields that are genuinely irrelevant for that input, each with the reason it is safe.
 * Anything accepted and not matched here fails the sweep.
 */
type Applies = (facts: Facts, name: string, original: SweepTarget, mutated: SweepTarget) => boolean;

const EXCLUSIONS: [RegExp, Applies, string][] = [
  [
    /^annotation:dev\.sigstore\.cosign\/chain:/,
    () => true,
    'the chain annotation is ignored: the path is built from the trusted root only',
  ],
  [/^annotation:predicateType:/, () => true, 'informational: the predicate type is read from the verified statement'],
  [
    /x509CertificateChain\.certificates\.[1-9]/,
    () => true,
    'only the leaf is used; intermediates and roots come from the trusted root',
  ],
  [
    /(dsseEnvelope|^envelope:)\.?signatures\.0\.keyid:/,
    () => true,
    'keyid is an unauthenticated hint that Sigstore verification does not use',
  ],
  [
    /^root\.timestampAuthorities/,
    (f) => !f.hasTsa,
    'the input has no RFC3161 timestamp, so no TSA of the root is used',
  ],
  [
    /^root\.(certificateAuthorities|ctlogs)/,
    (f) => f.managedKey,
    'managed-key input: no certificate, so no CA or CT log of the root is used',
  ],
  [
    /tlogEntries\.0\.inclusionProof:removed$/,
    (f) => f.v01 && f.hasSet,
    'a v0.1 bundle may carry only the SET; the proof is optional there',
  ],
  [
    /timestampVerificationData(\.rfc3161Timestamps(\.0)?)?:removed$/,
    (f) => !f.hasTsa || f.hasSet,
    'no RFC3161 timestamp left to use, or one removed while the verified SET still binds the signing time',
  ],
  [
    /tlogEntries\.0\.inclusionPromise:removed$/,
    (f) => f.hasTsa && f.hasProof,
    'SET removed while the inclusion proof and the RFC3161 time remain verified',
  ],
  [
    /tlogEntries\.0\.(integratedTime|inclusionPromise)(:removed|:[+-]1)$/,
    (f) => f.rekorV2,
    'Rekor v2 has no integrated time: the time comes from the RFC3161 timestamp only',
  ],
  [
    /publicKey\.hint:/,
    (f) => f.managedKey,
    'managed-key input: the key is given by the caller; the hint is only a lookup label',
  ],
  [
    /rfc3161Timestamps\.0\.signedTimestamp:bitflip$/,
    () => true,
    'the middle byte of these tokens lies in the CMS certificates set, which is unauthenticated and unused (the TSA chain comes from the trusted root); flips in TSTInfo and the signature are separate mutations',
  ],
  [
    /checkpoint\.envelope:line\d+$/,
    (f, name, t) => !f.logHints.has(mutatedSignatureHint(t, name) ?? ''),
    'a witness or unknown-key signature line of the checkpoint, which clients must ignore',
  ],
  [
    /^bundle:mediaType:=.*(version=0\.[123]|v0\.3\+json)$/,
    (_f, _n, _t, m) => factsOf(m).hasProof || factsOf(m).v01,
    'the unsigned mediaType relabelled to another supported version whose requirements the content still meets',
  ],
];

const counts = {
  targets: 0,
  generated: 0,
  rejected: 0,
  excluded: 0,
  sigstoreJsApplicable: 0,
  sigstoreJsAccepted: 0,
  relevant: 0,
  sigstoreJsAcceptedRelevant: 0,
};
const excludedSeen = new Map<string, number>();
/** The same input through plain @sigstore/verify: what a caller relying on sigstore-js alone would accept. */
const materials = new WeakMap<object, ReturnType<typeof toTrustMaterial>>();

function sigstoreJs(t: SweepTarget): boolean {
  try {
    const key = t.publicKey;
    const cacheKey = (key ? t : t.root) as object;
    const material =
      materials.get(cacheKey) ??
      toTrustMaterial(
        TrustedRoot.fromJSON(t.root),
        key ? () => ({ publicKey: createPublicKey(key), validFor: () => true }) : undefined,
      );
    materials.set(cacheKey, material);
    const json = t.layer ? looseLegacyBundle(t.layer) : t.bundle;
    const entity = toSignedEntity(
      bundleFromJSON(json),
      t.artifact ?? (t.layer?.format === 'legacy-sig' ? Buffer.from(t.layer.payload) : undefined),
    );
    const policy = key ? undefined : { subjectAlternativeName: t.identity, extensions: { issuer: t.issuer } };
    new Verifier(material).verify(entity, policy);
    return true;
  } catch {
    return false;
  }
}

/** A legacy layer as a v0.1 bundle, the plain conversion (as cosign's own bundle fields map), without any of verify-release's validation. */
function looseLegacyBundle(layer: LegacyLayerEvidence): unknown {
  const rekor = JSON.parse(layer.annotations[ANNOTATION.bundle] ?? '{}');
  const body = JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString('utf8'));
  const pem = layer.annotations[ANNOTATION.certificate] ?? '';
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: pem.replace(/-----[A-Z ]+-----|\s/g, '') }] },
      tlogEntries: [
        {
          logIndex: String(rekor.Payload.logIndex),
          logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
          kindVersion: { kind: body.kind, version: body.apiVersion },
          integratedTime: String(rekor.Payload.integratedTime),
          inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
          canonicalizedBody: rekor.Payload.body,
        },
      ],
    },
    dsseEnvelope: JSON.parse(Buffer.from(layer.payload).toString('utf8')),
  };
}

/** verify-release's full per-evidence pipeline accepts the input. */
const ours = verifies;

/** Rekor entry bodies are decoded and mutated field by field; DSSE payloads only get bit flips. */
function decodeNested(path: (string | number)[], value: string): Json | undefined {
  const key = path[path.length - 1];
  if (key !== 'canonicalizedBody' && key !== 'body') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Json;
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function inputMutations(t: SweepTarget): Mutation[] {
  const out: Mutation[] = [];
  if (t.artifact)
    out.push({
      name: 'input:artifact:bitflip',
      target: { ...t, artifact: Buffer.from(flipBase64(t.artifact.toString('base64')), 'base64') },
    });
  if (t.digest)
    out.push({
      name: 'input:digest:changed',
      target: {
        ...t,
        digest: { ...t.digest, hex: `${t.digest.hex.slice(0, -1)}${t.digest.hex.endsWith('0') ? '1' : '0'}` },
      },
    });
  if (t.identity) {
    out.push({ name: 'input:identity:suffix', target: { ...t, identity: `${t.identity}x` } });
    out.push({ name: 'input:identity:prefix-only', target: { ...t, identity: t.identity.slice(0, -1) } });
  }
  if (t.issuer) out.push({ name: 'input:issuer:changed', target: { ...t, issuer: `${t.issuer}x` } });
  if (t.publicKey) {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    out.push({ name: 'input:publicKey:swapped', target: { ...t, publicKey: other } });
  }
  return out;
}

function mutationsOf(t: SweepTarget): Mutation[] {
  const out = [...inputMutations(t)];
  for (const [name, root] of rootMutations(t.root)) out.push({ name, target: { ...t, root } });
  if (t.bundle) {
    for (const [name, bundle] of jsonMutations(t.bundle, decodeNested))
      out.push({ name: `bundle:${name}`, target: { ...t, bundle } });
    return out;
  }
  const layer = t.layer as LegacyLayerEvidence;
  const annotations = layer.annotations;
  const withAnnotation = (key: string, value: string | undefined): LegacyLayerEvidence => {
    const next = { ...annotations };
    if (value === undefined) delete next[key];
    else next[key] = value;
    return { ...layer, annotations: next };
  };
  for (const key of Object.keys(annotations))
    out.push({ name: `annotation:${key}:removed`, target: { ...t, layer: withAnnotation(key, undefined) } });
  out.push({
    name: `annotation:${ANNOTATION.signature}:non-empty`,
    target: { ...t, layer: withAnnotation(ANNOTATION.signature, 'AAAA') },
  });
  out.push({
    name: `annotation:${ANNOTATION.chain}:garbage`,
    target: { ...t, layer: withAnnotation(ANNOTATION.chain, 'garbage') },
  });
  out.push({
    name: 'annotation:predicateType:changed',
    target: { ...t, layer: withAnnotation('predicateType', 'https://example.com/other') },
  });
  out.push({
    name: `annotation:${ANNOTATION.rfc3161}:added`,
    target: { ...t, layer: withAnnotation(ANNOTATION.rfc3161, JSON.stringify({ SignedRFC3161Timestamp: 'MAA=' })) },
  });
  const timestamp = annotations[ANNOTATION.rfc3161];
  if (timestamp !== undefined) {
    const json = JSON.parse(timestamp) as { SignedRFC3161Timestamp: string };
    out.push({
      name: `annotation:${ANNOTATION.rfc3161}:der-tag=SET`,
      target: {
        ...t,
        layer: withAnnotation(
          ANNOTATION.rfc3161,
          JSON.stringify({ SignedRFC3161Timestamp: toSetTag(json.SignedRFC3161Timestamp) }),
        ),
      },
    });
  }
  const pem = annotations[ANNOTATION.certificate] ?? '';
  const der = pem.replace(/-----[A-Z ]+-----|\s/g, '');
  const flipped = `-----BEGIN CERTIFICATE-----\n${flipBase64(der)}\n-----END CERTIFICATE-----\n`;
  out.push({
    name: `annotation:${ANNOTATION.certificate}:der-tag=SET`,
    target: {
      ...t,
      layer: withAnnotation(
        ANNOTATION.certificate,
        `-----BEGIN CERTIFICATE-----\n${toSetTag(der)}\n-----END CERTIFICATE-----\n`,
      ),
    },
  });
  out.push({
    name: `annotation:${ANNOTATION.certificate}:bitflip`,
    target: { ...t, layer: withAnnotation(ANNOTATION.certificate, flipped) },
  });
  const rekor = JSON.parse(annotations[ANNOTATION.bundle] ?? '{}') as Json;
  for (const [name, changed] of jsonMutations(rekor, decodeNested)) {
    out.push({
      name: `annotation:${ANNOTATION.bundle}:${name}`,
      target: { ...t, layer: withAnnotation(ANNOTATION.bundle, JSON.stringify(changed)) },
    });
  }
  const envelope = JSON.parse(Buffer.from(layer.payload).toString('utf8')) as Json;
  for (const [name, changed] of jsonMutations(envelope, decodeNested)) {
    out.push({
      name: `envelope:${name}`,
      target: { ...t, layer: withPayload(layer, Buffer.from(JSON.stringify(changed))) },
    });
  }
  const raw = Buffer.from(layer.payload);
  raw[raw.length >> 1] = (raw[raw.length >> 1] ?? 0) ^ 0x01;
  out.push({ name: 'layer:bytes:bitflip-digest-recomputed', target: { ...t, layer: withPayload(layer, raw) } });
  out.push({
    name: 'layer:bytes:bitflip-digest-kept',
    target: { ...t, layer: { ...layer, payload: new Uint8Array(raw) } },
  });
  out.push({
    name: 'layer:mediaType:=simplesigning',
    target: { ...t, layer: { ...layer, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' } },
  });
  out.push({ name: 'layer:format:=legacy-sig', target: { ...t, layer: { ...layer, format: 'legacy-sig' } } });
  return out;
}

const cases = loadCases().filter((c) => c.expected.startsWith('valid'));
setForeignCa(
  (readCorpusJson('trusted-roots/staging.trusted_root.json') as any).certificateAuthorities[0].certChain.certificates[0]
    .rawBytes as string,
);

describe('mutation sweep over every valid real-world bundle and legacy layer', () => {
  it('covers every valid case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(69);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const target = targetOf(c);
    expect(target, `${c.id}: no bundle file found`).toBeDefined();
    const t = target as SweepTarget;
    expect(ours(t), `${c.id}: the unmutated input must verify`).toBe(true);
    counts.targets++;
    const jsBaseline = sigstoreJs(t);
    const facts = factsOf(t);
    const accepted: string[] = [];
    for (const mutation of mutationsOf(t)) {
      counts.generated++;
      const jsAccepts = jsBaseline && sigstoreJs(mutation.target);
      if (jsBaseline) counts.sigstoreJsApplicable++;
      if (jsAccepts) counts.sigstoreJsAccepted++;
      if (!ours(mutation.target)) {
        counts.rejected++;
        if (jsBaseline) counts.relevant++;
        if (jsAccepts) counts.sigstoreJsAcceptedRelevant++;
        continue;
      }
      const exclusion = EXCLUSIONS.find(
        ([pattern, applies]) => pattern.test(mutation.name) && applies(facts, mutation.name, t, mutation.target),
      );
      if (exclusion) {
        counts.excluded++;
        excludedSeen.set(exclusion[2], (excludedSeen.get(exclusion[2]) ?? 0) + 1);
      } else accepted.push(mutation.name);
    }
    expect(accepted, `${c.id}: accepted mutations`).toEqual([]);
  });
});

afterAll(() => {
  const relevantShare = counts.relevant
    ? ((100 * counts.sigstoreJsAcceptedRelevant) / counts.relevant).toFixed(1)
    : '0';
  const share = counts.sigstoreJsApplicable
    ? ((100 * counts.sigstoreJsAccepted) / counts.sigstoreJsApplicable).toFixed(1)
    : '0';
  console.log(
    [
      `mutation sweep: ${counts.targets} valid inputs, ${counts.generated} mutations generated, ${counts.rejected} rejected, ${counts.excluded} accepted but excluded as irrelevant`,
      ...[...excludedSeen].map(([reason, n]) => `  excluded ${n}: ${reason}`),
      `plain @sigstore/verify 3.1.1 (Verifier + its own policy) accepted ${counts.sigstoreJsAccepted} of ${counts.sigstoreJsApplicable} mutations (${share}%) of the inputs it verifies unmutated;`,
      `  of the ${counts.relevant} security-relevant ones (rejected by verify-release) it accepted ${counts.sigstoreJsAcceptedRelevant} (${relevantShare}%)`,
    ].join('\n'),
  );
});
