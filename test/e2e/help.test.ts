import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/bundled-cli.js';
import { cli } from './helpers.js';

describe('top-level --help teaches the default command', () => {
  it('lists the verify options, examples, environment variables and exit codes', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const help = run.stdout;
    for (const option of ['--image <ref>', '--repo <owner/name>', '--json', '-q, --quiet', '-v, --verbose']) {
      expect(help).toContain(option);
    }
    for (const example of [
      'verify-release v1.1.2',
      'verify-release --repo acme/app v2.0.0',
      'verify-release --json | jq -e .verified',
      'verify-release sbom v1.1.2 > sbom.cdx.json',
    ]) {
      expect(help).toContain(`\n  ${example}\n`);
    }
    for (const variable of ['COSIGN_REPOSITORY', 'DOCKER_CONFIG', 'GITHUB_TOKEN, GH_TOKEN', 'TUF_ROOT', 'NO_COLOR']) {
      expect(help).toMatch(new RegExp(`\\n  ${variable} +\\S`));
    }
    expect(help).toMatch(/\n {2}FORCE_COLOR +\S/);
    expect(help).toContain('\n  2  usage or configuration error\n');
    expect(help).toContain('\n  3  could not complete: network, registry error, not found\n');
  });

  it('`sbom --help` says its report goes to stderr', async () => {
    const { stdout } = await cli(['sbom', '--help']);
    expect(stdout).toMatch(/--json +print the report as JSON on stderr \(stdout carries the SBOM only\)/);
    expect(stdout).toContain('Environment variables:');
  });
});

describe('did you mean', () => {
  it('maps flags from other tools: --output json → --json, on one line, exit 2', async () => {
    const run = await cli(['--output', 'json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("verify-release: unknown option '--output' (did you mean --json?)\n");
  });

  it('keeps commander’s spelling suggestion on the same line, and in the --json error document', async () => {
    const run = await cli(['--jsn']);
    expect(run.stderr).toBe("verify-release: unknown option '--jsn' (did you mean --json?)\n");
    const json = await cli(['--json', '--sbom-ot', 'x']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      verified: false,
      error: { code: 'USAGE', message: "unknown option '--sbom-ot' (did you mean --sbom-out?)" },
    });
  });
});

describe('completion', () => {
  it('`source <(verify-release completion bash)` registers the completion in bash', () => {
    const output = execFileSync(
      'bash',
      ['-c', `source <("${process.execPath}" "${BIN}" completion bash) && complete -p verify-release`],
      { env: { PATH: process.env.PATH }, encoding: 'utf8' },
    );
    expect(output.trim()).toBe('complete -o default -F _verify_release verify-release');
  });

  it('prints zsh and fish scripts, and refuses another shell (exit 2)', async () => {
    expect((await cli(['completion', 'zsh'])).stdout).toMatch(/^#compdef verify-release\n/);
    expect((await cli(['completion', 'fish'])).stdout).toContain('complete -c verify-release -f\n');
    const tcsh = await cli(['completion', 'tcsh']);
    expect(tcsh.code).toBe(2);
    expect(tcsh.stderr).toContain('Allowed choices are bash, zsh, fish.');
  });
});
