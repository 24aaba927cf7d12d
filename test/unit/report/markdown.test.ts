import { describe, expect, it } from 'vitest';
import { buildReport, type ReportTarget } from '../../../src/report/index.js';
import { escapeMarkdown, renderMarkdown } from '../../../src/report/render/markdown.js';
import type { CheckResult, CheckStatus } from '../../../src/model/check-result.js';

const target: ReportTarget = {
  image: 'ghcr.io/natrontech/gcp-mysql-backup',
  version: 'v1.1.2',
  tag: 'v1.1.2',
  digest: `sha256:${'a'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  platforms: ['linux/amd64', 'unknown/unknown'],
};

const check = (id: CheckResult['id'], status: CheckStatus, reason = `${id} ${status}`): CheckResult => ({
  id,
  title: id,
  status,
  reason,
  evidence: {},
});

describe('#escapeMarkdown', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
    ['[click](https://evil.example/)', '\\[click\\]\\(https\\://evil\\.example/\\)'],
    ['a | b', 'a \\| b'],
    ['**bold** _it_ `code`', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\`'],
    ['&amp;', '&amp;amp;'],
  ])('%j is inert', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('removes line breaks and terminal controls', () => {
    const escaped = escapeMarkdown('line one\n| injected | row |\u001b[31m\u202e');
    expect(escaped).not.toMatch(/[\n\r\u001b\u202e]/);
    expect(escaped).not.toMatch(/(^|[^\\])\|/);
  });
});

describe('#renderMarkdown', () => {
  it('renders the verdict, the target and one row per check', () => {
    const report = buildReport(target, [check('resolve', 'pass'), check('signature', 'pass')]);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('### ✅ VERIFIED');
    expect(markdown).toContain(`- digest: \`${target.digest}\``);
    expect(markdown).toContain('| ✅ | resolve | resolve pass |');
    expect(markdown).toContain('| ✅ | signature | signature pass |');
    expect(markdown).toContain('**VERIFIED**: 2 passed, 0 failed');
  });

  it('says NOT VERIFIED and keeps hostile reasons and notices inert', () => {
    const hostile = 'expected x, got <script>alert(1)</script> | ✅ | fake | row\n### VERIFIED';
    const report = buildReport(target, [check('resolve', 'pass'), check('signature', 'fail', hostile)], [hostile]);
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('### ❌ NOT VERIFIED');
    expect(markdown).not.toContain('<script>');
    // Every row has exactly the three cells the table declares: no injected cells or rows.
    const rows = markdown.split('\n').filter((line) => line.startsWith('| '));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(5);
    expect(markdown.split('\n').filter((line) => line.startsWith('###'))).toHaveLength(1);
    expect(markdown).toContain('**NOT VERIFIED**: 1 passed, 1 failed');
  });

  it('says which checks a partial run left out', () => {
    const report = buildReport(target, [check('resolve', 'pass')]);
    expect(renderMarkdown(report)).toContain(
      '### ✅ VERIFIED (partial: signature, provenance, provenance-policy, sbom, sbom-policy not run):',
    );
  });
});
