import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/bundled-cli.js';
import { repoRoot } from '../support/corpus.js';

const FIXTURES = join(repoRoot, 'fixtures/policies');
const COSIGN_WORKS = join(FIXTURES, 'policies/sigstore-cosign/cue-works.cue');
const COSIGN_FAILS = join(FIXTURES, 'policies/sigstore-cosign/cue-fails.cue');
const CUSTOM = join(FIXTURES, 'statements/cosign-custom.json');
const NO_TIMESTAMP = join(FIXTURES, 'statements/cosign-custom-no-timestamp.json');
const BUNDLE = join(FIXTURES, 'statements/cosign-cyclonedx.sigstore.json');
const VERSIONS = join(FIXTURES, 'policies/written/component-versions.cue');
const NO_VERSION = join(FIXTURES, 'statements/sbom-component-without-version.json');
const SBOM_POLICY = join(repoRoot, 'policies/policy-sbom.cue');

const env = { HOME: '/nonexistent', NO_COLOR: '1' };
const policy = (...args: string[]) => runBin(['policy', ...args], env);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'verify-release-policy-'));
});

describe('verify-release policy', () => {
  it('passes cosign’s time.Parse helper-field policy in strict mode, exit 0, and says no signature was checked', async () => {
    const run = await policy('--policy', COSIGN_WORKS, CUSTOM);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`PASS  ${COSIGN_WORKS}  ${CUSTOM} (in-toto statement)`);
    expect(run.stdout).toContain('PASSED: 1 passed, 0 failed (strict mode, CUE v0.4.3)');
    expect(run.stdout).toContain('no signature was checked');
  });

  it('fails a constrained statement field that is absent in strict mode, passes it in cosign mode', async () => {
    const strict = await policy('--policy', COSIGN_WORKS, NO_TIMESTAMP);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('policy requires fields missing from statement: predicate.Timestamp');
    const cosign = await policy('--policy', COSIGN_WORKS, '--policy-mode', 'cosign', NO_TIMESTAMP);
    expect(cosign.code).toBe(0);
    expect(cosign.stdout).toContain(
      'note: predicate.Timestamp is constrained by the policy but absent from the statement',
    );
  });

  it('evaluates every policy on every statement, one result each, and lists every violation', async () => {
    const run = await policy('--policy', COSIGN_FAILS, '--policy', SBOM_POLICY, CUSTOM, BUNDLE, '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      signatureChecked: boolean;
      notice: string;
      passed: boolean;
      results: { policy: string; statement: string; form: string; status: string }[];
    };
    expect(report).toMatchObject({ signatureChecked: false, passed: false });
    expect(report.notice).toMatch(/^no signature was checked/);
    expect(report.results.map((r) => [r.policy, r.statement, r.form, r.status])).toEqual([
      [COSIGN_FAILS, CUSTOM, 'statement', 'fail'],
      [COSIGN_FAILS, BUNDLE, 'bundle', 'fail'],
      [SBOM_POLICY, CUSTOM, 'statement', 'fail'],
      [SBOM_POLICY, BUNDLE, 'bundle', 'pass'],
    ]);
    const missing = await policy('--policy', VERSIONS, NO_VERSION);
    expect(missing.stdout).toContain('policy requires fields missing from statement: predicate.components.1.version');
  });

  it('names file, line and column of a broken policy, exit 2, without echoing the file', async () => {
    const broken = join(work, 'broken.cue');
    await writeFile(broken, 'predicateType: "x"\npredicate: {\n  secretToken abc\n}\n');
    const run = await policy('--policy', broken, CUSTOM);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^verify-release: policy ${broken}:3:\\d+: expected valid CUE v0\\.4\\.3, got `),
    );
    expect(run.stderr).not.toContain('secretToken');
    expect(run.stdout).toBe('');
  });

  it('refuses a statement file that is none of the three forms, and a missing --policy, with exit 2', async () => {
    const other = join(work, 'other.json');
    await writeFile(other, '{"hello": "world"}');
    const run = await policy('--policy', COSIGN_WORKS, other);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected an in-toto statement, a DSSE envelope or a Sigstore bundle');
    expect((await policy(CUSTOM)).code).toBe(2);
  });

  it('escapes control characters from a statement before they reach the terminal', async () => {
    const hostile = join(work, 'hostile.json');
    await writeFile(
      hostile,
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: 'a'.repeat(64) } }],
        predicateType: 'cosign.sigstore.dev/attestation/v1',
        predicate: { Timestamp: '2050-01-01T00:00:00Z\u001b[2J\u202e' },
      }),
    );
    const run = await policy('--policy', COSIGN_WORKS, hostile);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/[\u001b\u202e]/);
    expect(run.stdout).toContain('\\u001b[2J\\u202e');
  });
});
