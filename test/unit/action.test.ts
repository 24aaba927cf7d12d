import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';
import { buildReport } from '../../src/report/index.js';
import { reportSchema } from '../../src/report/schema.js';
import { escapeMarkdown, renderMarkdown } from '../../src/report/render/markdown.js';
// @ts-expect-error -- plain JavaScript run by the action; its types are checked by these tests
import { summarize } from '../../action/summary.mjs';

const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8'));
const renderer = { renderMarkdown, escapeMarkdown, reportSchema };
const summary = summarize as (
  stdout: string,
  deps: typeof renderer,
) => { markdown: string; verified: boolean; digest: string };

describe('action.yml', () => {
  it('is valid against the SchemaStore github-action schema (vendored, no network)', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'fixtures/schemas/github-action.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(action), JSON.stringify(validate.errors)).toBe(true);
  });

  it('vendors the schema as its manifest records it', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'fixtures/schemas/MANIFEST.json'), 'utf8'));
    for (const file of manifest.files) {
      const bytes = readFileSync(join(repoRoot, 'fixtures/schemas', file.path));
      expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
    }
  });

  it('has the inputs and outputs the README documents, and runs as a composite action', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      ['checks', 'image', 'policy', 'repo', 'sbom-policy', 'trusted-root', 'version'].sort(),
    );
    expect(Object.keys(action.outputs).sort()).toEqual(['digest', 'report', 'verified']);
    expect(action.runs.using).toBe('composite');
    expect(action.runs.steps[0].uses).toMatch(/^actions\/setup-node@/);
  });

  it('never splices an input into a shell script (inputs reach the script as environment variables)', () => {
    for (const step of action.runs.steps) {
      if (step.run !== undefined) expect(step.run).not.toContain('${{');
    }
  });
  it('refuses an input that is an option rather than a value, before running anything', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'action/run.mjs')], {
      env: { PATH: process.env.PATH, VR_VERSION: '--no-version-binding' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('expected the version input to be a value, got an option: --no-version-binding');
  });
});

describe('the action summary', () => {
  const target = {
    image: 'ghcr.io/acme/app',
    version: 'v1.0.0',
    tag: 'v1.0.0',
    digest: `sha256:${'b'.repeat(64)}`,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    platforms: ['linux/amd64'],
  };
  const passed = {
    id: 'signature' as const,
    title: 'Image signature',
    status: 'pass' as const,
    reason: 'ok',
    evidence: {},
  };

  it('renders a verified report and exposes verified and digest', () => {
    const report = buildReport(target, [passed]);
    const { markdown, verified, digest } = summary(JSON.stringify(report), renderer);
    expect(verified).toBe(true);
    expect(digest).toBe(target.digest);
    expect(markdown).toBe(renderMarkdown(report));
  });

  it('a failed check is not verified', () => {
    const report = buildReport(target, [{ ...passed, status: 'fail', reason: 'no <b>signature</b>' }]);
    const result = summary(JSON.stringify(report), renderer);
    expect(result.verified).toBe(false);
    expect(result.markdown).not.toContain('<b>');
  });

  it('a run that stopped before its report is not verified, its message escaped', () => {
    const stdout = JSON.stringify({ verified: false, error: { code: 'USAGE', message: 'bad [link](x) <i>' } });
    const result = summary(stdout, renderer);
    expect(result).toMatchObject({ verified: false, digest: '' });
    expect(result.markdown).toContain('NOT VERIFIED');
    expect(result.markdown).not.toMatch(/<i>|\[link\]/);
  });

  it('output that is not JSON, or claims verified without a valid report, is not verified', () => {
    expect(summary('', renderer).verified).toBe(false);
    expect(summary('{"verified": true}', renderer).verified).toBe(false);
  });
});
