import { describe, expect, it } from 'vitest';
import { evaluateProvenance, type ProvenanceOptions } from '../../../../src/checks/provenance/index.js';
import { verifyProvenanceCandidate } from '../../../../src/checks/provenance/candidate.js';
import { ProvenanceRuleError } from '../../../../src/checks/provenance/errors.js';
import type { InTotoStatement, VerifiedEvidence } from '../../../../src/model/evidence.js';
import { cyclonedxStatement } from '../../../support/statements.js';
import { DIGEST, OTHER_DIGEST, REPO, SHA, generatorRun, generatorSigner, verified } from './fixtures.js';

const BASE: ProvenanceOptions = { digest: DIGEST, sourceUri: `github.com/${REPO}` };

function sentinelOf(candidate: VerifiedEvidence, options: Partial<ProvenanceOptions> = {}): string | undefined {
  try {
    verifyProvenanceCandidate(candidate, { ...BASE, ...options });
    return undefined;
  } catch (error) {
    if (!(error instanceof ProvenanceRuleError)) throw error;
    return error.sentinel;
  }
}

function withStatement(candidate: VerifiedEvidence, edit: (statement: any) => void): VerifiedEvidence {
  if (candidate.content.type !== 'in-toto') throw new Error('expected in-toto');
  const statement = structuredClone<InTotoStatement>(candidate.content.statement);
  edit(statement);
  return verified(candidate.signer, statement);
}

describe('evaluateProvenance', () => {
  it('passes a consistent generator run and reports the facts', () => {
    const result = evaluateProvenance([generatorRun()], { ...BASE, sourceTag: 'v1.1.2' });
    expect(result).toMatchObject({
      id: 'provenance',
      status: 'pass',
      evidence: {
        builderId:
          'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0',
        sourceRepository: REPO,
        ref: 'refs/tags/v1.1.2',
        commit: SHA,
        buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
        logIndex: '123456',
      },
    });
  });

  it('fails when no candidate is SLSA provenance', () => {
    const sbom = verified(
      generatorSigner({ ref: 'refs/tags/v1.1.2' }),
      cyclonedxStatement({ image: 'x', digest: DIGEST }),
    );
    const result = evaluateProvenance([sbom], BASE);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(/^no matching attestations/);
  });

  it('lets the first passing candidate win', () => {
    const bad = generatorRun({ digest: OTHER_DIGEST });
    expect(evaluateProvenance([bad, generatorRun()], BASE).status).toBe('pass');
  });

  it('reports the first error and counts the others', () => {
    const result = evaluateProvenance(
      [generatorRun({ digest: OTHER_DIGEST }), generatorRun({ ref: 'refs/tags/v1.1.1' })],
      {
        ...BASE,
        sourceTag: 'v1.1.2',
      },
    );
    expect(result.status).toBe('fail');
    expect(result.reason).toBe(
      `artifact hash does not match provenance subject: expected hash '${DIGEST.slice(7)}' not found (and 1 other attestation(s) failed)`,
    );
  });

  it.each([
    [{ sourceTag: 'v1.1.2', sourceVersionedTag: 'v1.1.2' }, /at most one/],
    [{ sourceVersionedTag: 'latest' }, /^invalid semantic version/],
  ])('cannot run with options %j', (options, reason) => {
    const result = evaluateProvenance([generatorRun()], { ...BASE, ...options });
    expect(result.status).toBe('error');
    expect(result.reason).toMatch(reason);
  });
});

describe('source URI forms (C.3)', () => {
  it.each([
    [`github.com/${REPO}`, undefined],
    [`git+https://github.com/${REPO}`, undefined],
    [`https://github.com/${REPO}`, 'mismatchSource'],
    [REPO, 'malformedUri'],
    ['github.com/natrontech/other', 'mismatchSource'],
    ['github.com/NatronTech/gcp-mysql-backup', 'mismatchSource'],
    [`gitlab.com/${REPO}`, 'mismatchSource'],
  ])('--source-uri %j → %s', (sourceUri, sentinel) => {
    expect(sentinelOf(generatorRun(), { sourceUri })).toBe(sentinel);
  });

  it('uses slsa-verifier wording for a wrong source', () => {
    expect(() => verifyProvenanceCandidate(generatorRun(), { ...BASE, sourceUri: 'github.com/evil/repo' })).toThrow(
      `source used to generate the binary does not match provenance: expected source 'evil/repo', got '${REPO}'`,
    );
  });

  it.each([
    [
      'configSource.uri of another repository',
      (s: any) => (s.predicate.invocation.configSource.uri = 'git+https://github.com/evil/repo@refs/tags/v1.1.2'),
      'mismatchSource',
    ],
    [
      'materials[0] of another repository',
      (s: any) => (s.predicate.materials[0].uri = 'git+https://github.com/evil/repo@refs/tags/v1.1.2'),
      'mismatchSource',
    ],
    [
      'configSource.uri without ref',
      (s: any) => (s.predicate.invocation.configSource.uri = `git+https://github.com/${REPO}`),
      'malformedUri',
    ],
    [
      'materials[0] without ref',
      (s: any) => (s.predicate.materials[0].uri = `git+https://github.com/${REPO}`),
      'malformedUri',
    ],
    [
      'configSource and material with different refs',
      (s: any) => (s.predicate.materials[0].uri = `git+https://github.com/${REPO}@refs/heads/main`),
      'invalidDssePayload',
    ],
    ['no materials', (s: any) => (s.predicate.materials = []), 'invalidDssePayload'],
    [
      'configSource.uri not a git URI',
      (s: any) => (s.predicate.invocation.configSource.uri = `https://github.com/${REPO}@refs/tags/v1.1.2`),
      'malformedUri',
    ],
  ])('provenance with %s → %s', (_name, edit, sentinel) => {
    expect(sentinelOf(withStatement(generatorRun(), edit))).toBe(sentinel);
  });

  it('requires the certificate repository claims to agree', () => {
    const run = generatorRun();
    run.signer.extensions['1.3.6.1.4.1.57264.1.5'] = 'evil/repo';
    expect(sentinelOf(run)).toBe('invalidFormat');
  });
});

describe('builder identity (C.2)', () => {
  const generator =
    'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml';
  it.each([
    ['v2.1.0 tag', { generatorRef: 'refs/tags/v2.1.0' }, {}, undefined],
    ['prerelease builder tag', { generatorRef: 'refs/tags/v2.1.0-rc.1' }, {}, 'invalidRef'],
    ['builder on a branch', { generatorRef: 'refs/heads/main' }, {}, 'invalidRef'],
    ['builder pinned by SHA', { generatorRef: 'f7dd8c54c2067bafc12ca7a55595d5ee9b75204a' }, {}, 'invalidRef'],
    [
      'generic generator',
      {
        workflow:
          'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml',
      },
      {},
      'untrustedReusableWorkflow',
    ],
    [
      'fork of the generator',
      { workflow: 'https://github.com/evil/slsa-github-generator/.github/workflows/generator_container_slsa3.yml' },
      {},
      'untrustedReusableWorkflow',
    ],
    ['other issuer', { issuer: 'https://accounts.google.com' }, {}, 'invalidOidcIssuer'],
    ['--builder-id name only', {}, { builderId: generator }, undefined],
    ['--builder-id short version', {}, { builderId: `${generator}@v2.1.0` }, undefined],
    ['--builder-id full ref', {}, { builderId: `${generator}@refs/tags/v2.1.0` }, undefined],
    ['--builder-id other version', {}, { builderId: `${generator}@v2.0.0` }, 'untrustedReusableWorkflow'],
    [
      '--builder-id other builder',
      {},
      { builderId: 'https://github.com/evil/builder/.github/workflows/b.yml' },
      'untrustedReusableWorkflow',
    ],
    [
      '--builder-id naming an unknown builder that signed',
      { workflow: 'https://github.com/evil/builder/.github/workflows/b.yml' },
      { builderId: 'https://github.com/evil/builder/.github/workflows/b.yml' },
      'invalidBuilderId',
    ],
  ])('%s → %s', (_name, signer: { generatorRef?: string; workflow?: string; issuer?: string }, options, sentinel) => {
    const run = generatorRun({ signer: { ref: 'refs/tags/v1.1.2', ...signer }, generatorRef: signer.generatorRef });
    expect(sentinelOf(run, options)).toBe(sentinel);
  });

  it('requires predicate.builder.id to equal the certificate builder exactly', () => {
    const run = withStatement(generatorRun(), (s) => (s.predicate.builder.id = `${generator}@refs/tags/v2.0.0`));
    expect(sentinelOf(run)).toBe('mismatchBuilderId');
    const short = withStatement(generatorRun(), (s) => (s.predicate.builder.id = `${generator}@v2.1.0`));
    expect(sentinelOf(short)).toBe('mismatchBuilderId');
  });

  it('accepts certificates with only the legacy .1.1–.1.6 extensions (generator v1.4–v1.9)', () => {
    expect(sentinelOf(generatorRun({ signer: { ref: 'refs/tags/v1.1.2', legacyOnly: true } }))).toBeUndefined();
  });

  it('rejects certificates whose issuer claims disagree', () => {
    const run = generatorRun();
    run.signer.extensions['1.3.6.1.4.1.57264.1.8'] = 'https://accounts.google.com';
    expect(sentinelOf(run)).toBe('invalidFormat');
  });

  it('rejects a SAN that is not a plain github.com workflow URI', () => {
    const run = generatorRun();
    run.signer.identity = `https://github.com/evil/x/../../slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0`;
    expect(sentinelOf(run)).toBe('malformedUri');
  });
});

describe('strict decoding (C.5)', () => {
  it.each([
    ['unknown top-level field', (s: any) => (s.extra = 1), 'invalidDssePayload'],
    ['unknown predicate field', (s: any) => (s.predicate.foo = 'bar'), 'invalidDssePayload'],
    ['unknown configSource field', (s: any) => (s.predicate.invocation.configSource.ref = 'x'), 'invalidDssePayload'],
    ['unknown metadata field', (s: any) => (s.predicate.metadata.buildStartedAt = 'x'), 'invalidDssePayload'],
    ['unknown subject field', (s: any) => (s.subject[0].annotations = {}), 'invalidDssePayload'],
    ['builder.id of the wrong type', (s: any) => (s.predicate.builder.id = 1), 'invalidDssePayload'],
    [
      'unknown build type',
      (s: any) => (s.predicate.buildType = 'https://github.com/slsa-framework/slsa-github-generator/generic@v1'),
      'invalidBuildType',
    ],
    [
      'extra environment keys (free-form)',
      (s: any) => (s.predicate.invocation.environment.anything = { x: 1 }),
      undefined,
    ],
    ['parameters (free-form)', (s: any) => (s.predicate.invocation.parameters = { a: [1] }), undefined],
  ])('%s → %s', (_name, edit, sentinel) => {
    expect(sentinelOf(withStatement(generatorRun(), edit))).toBe(sentinel);
  });

  it('reads SLSA v1 workflow provenance and rejects unknown v1 build types', () => {
    const v1 = {
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/provenance/v1',
      subject: [{ name: `ghcr.io/${REPO}`, digest: { sha256: DIGEST.slice(7) } }],
      predicate: {
        buildDefinition: {
          buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
          externalParameters: {
            workflow: {
              ref: 'refs/tags/v1.1.2',
              repository: `https://github.com/${REPO}`,
              path: '.github/workflows/release.yml',
            },
          },
          internalParameters: { github: { event_name: 'push', repository_id: '1', repository_owner_id: '2' } },
          resolvedDependencies: [
            { uri: `git+https://github.com/${REPO}@refs/tags/v1.1.2`, digest: { gitCommit: SHA } },
          ],
        },
        runDetails: {
          builder: {
            id: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0',
          },
          metadata: { invocationId: 'https://github.com/x/actions/runs/1/attempts/1' },
        },
      },
    };
    const run = verified(generatorSigner({ ref: 'refs/tags/v1.1.2' }), v1);
    expect(sentinelOf(run, { sourceTag: 'v1.1.2' })).toBeUndefined();
    expect(sentinelOf(run, { sourceTag: 'v1.1.1' })).toBe('mismatchTag');
    const byob = withStatement(
      run,
      (s) => (s.predicate.buildDefinition.buildType = 'https://slsa.dev/container-based-build/v0.1?draft'),
    );
    expect(sentinelOf(byob)).toBe('invalidBuildType');
    const unknownField = withStatement(run, (s) => (s.predicate.runDetails.extra = true));
    expect(sentinelOf(unknownField)).toBe('invalidDssePayload');
  });
});

describe('tag, branch and digest (C.4, C.5)', () => {
  it.each([
    ['tag build, exact --source-tag', 'refs/tags/v1.1.2', { sourceTag: 'v1.1.2' }, undefined],
    ['tag build, other --source-tag', 'refs/tags/v1.1.2', { sourceTag: 'v1.1.1' }, 'mismatchTag'],
    ['tag build, --source-tag with refs/tags/', 'refs/tags/v1.1.2', { sourceTag: 'refs/tags/v1.1.2' }, 'mismatchTag'],
    ['branch build, --source-tag', 'refs/heads/main', { sourceTag: 'v1.1.2' }, 'invalidRef'],
    ['branch build, --source-versioned-tag', 'refs/heads/main', { sourceVersionedTag: 'v1' }, 'invalidRef'],
    ['tag build, --source-versioned-tag minor', 'refs/tags/v1.1.2', { sourceVersionedTag: 'v1.1' }, undefined],
    [
      'rc build, --source-versioned-tag exact',
      'refs/tags/v1.1.2-rc.1',
      { sourceVersionedTag: 'v1.1.2' },
      'mismatchTag',
    ],
    ['branch build, --source-branch main', 'refs/heads/main', { sourceBranch: 'main' }, undefined],
    ['branch build, --source-branch dev', 'refs/heads/main', { sourceBranch: 'dev' }, 'mismatchBranch'],
    ['tag push without base_ref, --source-branch', 'refs/tags/v1.1.2', { sourceBranch: 'main' }, 'invalidRef'],
  ])('%s → %s', (_name, ref, options, sentinel) => {
    expect(sentinelOf(generatorRun({ ref }), options)).toBe(sentinel);
  });

  it('takes the branch of a tag push from the event payload base_ref', () => {
    const run = withStatement(
      generatorRun(),
      (s) => (s.predicate.invocation.environment.github_event_payload.base_ref = 'refs/heads/main'),
    );
    expect(sentinelOf(run, { sourceBranch: 'main' })).toBeUndefined();
  });

  it('rejects an unknown github_ref_type when a ref is requested', () => {
    const run = withStatement(generatorRun(), (s) => (s.predicate.invocation.environment.github_ref_type = 'pull'));
    expect(sentinelOf(run, { sourceTag: 'v1.1.2' })).toBe('invalidDssePayload');
  });

  it('requires the image digest among the subjects', () => {
    expect(sentinelOf(generatorRun({ digest: OTHER_DIGEST }))).toBe('mismatchHash');
    expect(sentinelOf(withStatement(generatorRun(), (s) => (s.subject = [])))).toBe('invalidDssePayload');
  });
});
