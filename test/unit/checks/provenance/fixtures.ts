/** VerifiedEvidence for SLSA provenance as generator_container_slsa3 produces it, for the rule tables. */
import type { Digest } from '../../../../src/model/digest.js';
import type { InTotoStatement, SignerInfo, VerifiedEvidence } from '../../../../src/model/evidence.js';
import { SLSA_CONTAINER_GENERATOR, slsaProvenanceStatement, type ProvenanceSpec } from '../../../support/statements.js';

export const DIGEST: Digest = 'sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122';
export const OTHER_DIGEST: Digest = 'sha256:55aee984fd6b1d0e0a19a55265d10d40063a2212bdbabd75b202b1728236548d';
export const REPO = 'natrontech/gcp-mysql-backup';
export const SHA = '4d329c75e7ec1725f7c9ce917a8799d408d06be3';
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** The Fulcio claims of a generator run called from `REPO` at `ref`; `legacyOnly` drops the .1.8+ extensions. */
export function generatorSigner(o: {
  ref: string;
  generatorRef?: string;
  workflow?: string;
  legacyOnly?: boolean;
  issuer?: string;
  repository?: string;
}): SignerInfo {
  const repository = o.repository ?? REPO;
  const issuer = o.issuer ?? GITHUB_ISSUER;
  const identity = `${o.workflow ?? SLSA_CONTAINER_GENERATOR}@${o.generatorRef ?? 'refs/tags/v2.1.0'}`;
  const extensions: Record<string, string> = {
    '1.3.6.1.4.1.57264.1.1': issuer,
    '1.3.6.1.4.1.57264.1.2': 'push',
    '1.3.6.1.4.1.57264.1.3': SHA,
    '1.3.6.1.4.1.57264.1.4': 'Release',
    '1.3.6.1.4.1.57264.1.5': repository,
    '1.3.6.1.4.1.57264.1.6': o.ref,
  };
  if (!o.legacyOnly) {
    Object.assign(extensions, {
      '1.3.6.1.4.1.57264.1.8': issuer,
      '1.3.6.1.4.1.57264.1.9': identity,
      '1.3.6.1.4.1.57264.1.12': `https://github.com/${repository}`,
      '1.3.6.1.4.1.57264.1.13': SHA,
      '1.3.6.1.4.1.57264.1.14': o.ref,
      '1.3.6.1.4.1.57264.1.18': `https://github.com/${repository}/.github/workflows/release.yml@${o.ref}`,
      '1.3.6.1.4.1.57264.1.19': SHA,
      '1.3.6.1.4.1.57264.1.20': 'push',
    });
  }
  return { identity, issuer, extensions, notBefore: '2026-06-25T10:20:00.000Z', notAfter: '2026-06-25T10:30:00.000Z' };
}

/** Wraps a signer and a statement as crypto-verified evidence from a legacy `.att` layer. */
export function verified(signer: SignerInfo, statement: InTotoStatement, logIndex = '123456'): VerifiedEvidence {
  return {
    evidence: {
      format: 'legacy-att',
      location: {
        repository: `ghcr.io/${REPO}`,
        via: 'tag',
        tag: `sha256-${DIGEST.slice(7)}.att`,
        manifestDigest: OTHER_DIGEST,
        layerIndex: 0,
      },
      mediaType: 'application/vnd.dsse.envelope.v1+json',
      annotations: {},
      payload: new Uint8Array(),
      layerDigest: OTHER_DIGEST,
    },
    signer,
    content: { type: 'in-toto', statement, bytes: new TextEncoder().encode(JSON.stringify(statement)) },
    tlogEntries: [{ logIndex, integratedTime: 1750846800, kind: 'dsse', version: '0.0.1' }],
    verifiedTimes: ['2026-06-25T10:20:00.000Z'],
  };
}

/** A consistent generator run: certificate and provenance for `ref` (default the v1.1.2 tag build). */
export function generatorRun(
  o: Partial<ProvenanceSpec> & { signer?: Parameters<typeof generatorSigner>[0] } = {},
): VerifiedEvidence {
  const ref = o.ref ?? 'refs/tags/v1.1.2';
  const statement = slsaProvenanceStatement({
    image: `ghcr.io/${REPO}`,
    sourceRepository: REPO,
    sha: SHA,
    ...o,
    digest: o.digest ?? DIGEST,
    ref,
  });
  return verified(generatorSigner({ ref, ...o.signer }), statement);
}
