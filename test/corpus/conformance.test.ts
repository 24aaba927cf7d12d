import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { corpusDir, repoRoot } from '../support/corpus.js';

const CASES = join(corpusDir(), 'sigstore-conformance/test/assets/bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * Cases without a trusted_root.json use the client's own public-good root. Offline: TUF points at a closed
 * loopback port (so loadTrustRoot falls back to the root embedded in @sigstore/tuf) with a private cache.
 */
const OFFLINE_ENV: NodeJS.ProcessEnv = {
  TUF_MIRROR: 'http://127.0.0.1:9',
  TUF_ROOT: mkdtempSync(join(tmpdir(), 'verify-bundle-tuf-')),
  HOME: '/nonexistent',
};

if (!existsSync(CASES)) throw new Error(`conformance corpus missing: expected ${CASES}`);

const names = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function readOptional(dir: string, file: string): string | undefined {
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/**
 * The sigstore-conformance harness's command line for one case, in PATH or DIGEST form, in the protocol's order
 * (sigstore-conformance `docs/cli_protocol.md`): `verify-bundle --bundle FILE (--certificate-identity I --certificate-oidc-issuer U | --key K)
 * [--trusted-root FILE] FILE_OR_DIGEST`.
 */
function argumentsFor(name: string, form: 'PATH' | 'DIGEST'): string[] {
  const dir = join(CASES, name);
  const artifact = existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(CASES, 'a.txt');
  const fileOrDigest =
    form === 'PATH' ? artifact : `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`;
  const signer = existsSync(join(dir, 'key.pub'))
    ? ['--key', join(dir, 'key.pub')]
    : [
        '--certificate-identity',
        readOptional(dir, 'identity') ?? DEFAULT_IDENTITY,
        '--certificate-oidc-issuer',
        readOptional(dir, 'issuer') ?? DEFAULT_ISSUER,
      ];
  const root = existsSync(join(dir, 'trusted_root.json')) ? ['--trusted-root', join(dir, 'trusted_root.json')] : [];
  return ['verify-bundle', '--bundle', join(dir, 'bundle.sigstore.json'), ...signer, ...root, fileOrDigest];
}

/** Runs the real CLI in-process, as the conformance harness would run the entrypoint. */
async function verifyBundle(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: OFFLINE_ENV,
  });
  return { code, stdout, stderr };
}

/**
 * How each `_fail` case must fail: the exit code (1: did not verify; 2: unusable input) and the verification step
 * that names the failure (`verify-release: FAILED: <step>: …`), or undefined for a usage error. A failure at another
 * step is another outcome: the case must fail for its own reason.
 */
const EXPECTED_FAILURES: Record<string, [number, string | undefined]> = {
  'bundle-empty-certificate-chain_fail': [1, 'bundle'],
  'bundle-from-wrong-instance_fail': [1, 'certificate'],
  'bundle-invalid-base64-signature_fail': [1, 'bundle'],
  'bundle-malformed-json_fail': [2, undefined],
  'bundle-negative-log-index_fail': [1, 'bundle'],
  'bundle-unknown-version_fail': [1, 'bundle'],
  'bundle-with-root-cert_fail': [1, 'bundle'],
  'checkpoint-bad-keyhint_fail': [1, 'transparency log'],
  'checkpoint-wrong-roothash_fail': [1, 'transparency log'],
  'dsse-invalid-sig_fail': [1, 'transparency log'],
  'dsse-mismatch-envelope_fail': [1, 'transparency log'],
  'dsse-mismatch-sig_fail': [1, 'transparency log'],
  'inclusion-proof-corrupted-hash_fail': [1, 'transparency log'],
  'incorrect-public-key_fail': [1, 'transparency log'],
  'integrated-time-in-future_fail': [1, 'certificate'],
  'intoto-expired-certificate_fail': [1, 'certificate'],
  'intoto-log-entry-mismatch_fail': [1, 'transparency log'],
  'intoto-missing-inclusion-proof_fail': [1, 'bundle'],
  'intoto-set-outside-signing-cert-validity_fail': [1, 'certificate'],
  'intoto-tsa-timestamp-outside-cert-validity_fail': [1, 'certificate'],
  'invalid-checkpoint-signature_fail': [1, 'transparency log'],
  'invalid-ct-key_fail': [1, 'certificate transparency'],
  'invalid-inclusion-proof_fail': [1, 'bundle'],
  'managed-key-no-key_fail': [1, 'signature'],
  'managed-key-wrong-key_fail': [1, 'signature'],
  'message-digest-mismatch_fail': [1, 'signature'],
  'rekor2-checkpoint-missing-log-signature_fail': [1, 'transparency log'],
  'rekor2-checkpoint-missing-origin_fail': [1, 'transparency log'],
  'rekor2-checkpoint-missing-root-hash_fail': [1, 'transparency log'],
  'rekor2-checkpoint-missing-size_fail': [1, 'transparency log'],
  'rekor2-checkpoint-no-matching-signature_fail': [1, 'transparency log'],
  'rekor2-dsse-invalid-sig_fail': [1, 'transparency log'],
  'rekor2-dsse-mismatch-envelope_fail': [1, 'transparency log'],
  'rekor2-dsse-mismatch-sig_fail': [1, 'transparency log'],
  'rekor2-no-inclusion-proof_fail': [1, 'bundle'],
  'rekor2-no-timestamp_fail': [1, 'timestamp'],
  'rekor2-timestamp-outside-trust-root-tsa-validity_fail': [1, 'timestamp'],
  'rekor2-timestamp-outside-tsa-cert-validity_fail': [1, 'timestamp'],
  'rekor2-timestamp-payload-mismatch_fail': [1, 'timestamp'],
  'rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail': [1, 'timestamp'],
  'rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': [1, 'timestamp'],
  'rekor2-timestamp-with-incorrect-time_fail': [1, 'certificate'],
  'set-invalid-signature_fail': [1, 'transparency log'],
  'signature-mismatch_fail': [1, 'transparency log'],
  'trust-root-tlog-missing-validity-start_fail': [2, 'trusted root'],
  'wrong-hashedrekord-artifact_fail': [1, 'transparency log'],
  'wrong-hashedrekord-cert-and-sig_fail': [1, 'transparency log'],
  'wrong-hashedrekord-entry_fail': [1, 'transparency log'],
  'wrong-material_fail': [1, 'signature'],
};

describe('sigstore-conformance bundle-verify through the CLI', () => {
  it('has all 70 cases', () => {
    expect(names).toHaveLength(70);
  });

  it('names how every _fail case must fail', () => {
    expect(Object.keys(EXPECTED_FAILURES).sort()).toEqual(names.filter((name) => name.endsWith('_fail')));
  });

  const table = names.flatMap((name) => (['PATH', 'DIGEST'] as const).map((form) => [form, name] as const));
  it.each(table)('%s %s', async (form, name) => {
    const { code, stdout, stderr } = await verifyBundle(argumentsFor(name, form));
    expect(stdout).toBe('');
    expect(stderr).not.toContain('    at ');
    if (name.endsWith('_fail')) {
      const [exit, step] = EXPECTED_FAILURES[name] ?? [-1, '(no expected failure for this case)'];
      expect(code, stderr).toBe(exit);
      expect(stderr).toMatch(/^verify-release: FAILED: [^\n]+\n$/);
      if (step !== undefined) expect(stderr).toMatch(new RegExp(`^verify-release: FAILED: ${step}: `));
    } else {
      expect(code, stderr).toBe(0);
      expect(stderr).toBe('verify-release: OK\n');
    }
  });
});

describe('verify-bundle protocol details', () => {
  const happy = argumentsFor('happy-path-v0.3', 'PATH');
  const artifact = happy.at(-1)!;
  const withArtifact = (fileOrDigest: string): string[] => [...happy.slice(0, -1), fileOrDigest];

  it('refuses --staging with a usage error', async () => {
    const { code, stderr } = await verifyBundle(['verify-bundle', '--staging', ...happy.slice(1)]);
    expect(code).toBe(2);
    expect(stderr).toBe('verify-release: FAILED: --staging is not supported; pass --trusted-root\n');
  });

  it('matches the identity exactly (a prefix fails)', async () => {
    const args = happy.map((arg, i) =>
      happy[i - 1] === '--certificate-identity' ? 'https://github.com/sigstore-conformance/' : arg,
    );
    const { code, stderr } = await verifyBundle(args);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^verify-release: FAILED: none of the expected identities matched/);
  });

  it('treats FILE_OR_DIGEST as a file when a file of that name exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-bundle-'));
    const digestNamed = `sha256:${'0'.repeat(64)}`;
    writeFileSync(join(dir, digestNamed), readFileSync(artifact));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await verifyBundle(withArtifact(digestNamed))).toMatchObject({ code: 0 });
    } finally {
      process.chdir(cwd);
    }
  });

  it('without --trusted-root, takes TUF settings from the CLI environment and falls back to the embedded root', async () => {
    expect(happy).not.toContain('--trusted-root');
    const cache = mkdtempSync(join(tmpdir(), 'verify-bundle-tuf-'));
    let stderr = '';
    const code = await runCli(happy, {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: { ...OFFLINE_ENV, TUF_ROOT: cache },
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: 'verify-release: OK\n' });
    // @sigstore/tuf keeps one cache folder per mirror: this one proves both TUF_ROOT and TUF_MIRROR came from io.env.
    expect(readdirSync(cache)).toEqual(['127.0.0.1%3A9']);
  });
});

describe('the corpus location', () => {
  it('is fixtures/realworld inside the repository', () => {
    expect(corpusDir({})).toBe(resolve(repoRoot, 'fixtures/realworld'));
    expect(realpathSync(join(corpusDir({}), 'cases.json'))).toBe(
      realpathSync(resolve(repoRoot, 'fixtures/realworld/cases.json')),
    );
    expect(existsSync(join(repoRoot, 'package.json'))).toBe(true);
  });

  it('fails with a clear message when the corpus is missing', () => {
    const missing = join(tmpdir(), 'no-shared-corpus-here');
    expect(() => corpusDir({ VERIFY_RELEASE_REALWORLD: missing })).toThrow(
      `real-world corpus not found: expected ${join(missing, 'cases.json')}`,
    );
  });
});
