import { describe, expect, it } from 'vitest';
import { boundLength, MAX_MESSAGE_LENGTH, quoteBounded } from '../../../src/model/bounded.js';
import { buildReport } from '../../../src/report/index.js';

describe('boundLength', () => {
  it('keeps short text and cuts long text, saying how much was cut', () => {
    expect(boundLength('short')).toBe('short');
    const cut = boundLength('A'.repeat(MAX_MESSAGE_LENGTH + 5));
    expect(cut).toBe(`${'A'.repeat(MAX_MESSAGE_LENGTH)}… (5 more characters)`);
  });

  it('bounds every reason and notice of a report', () => {
    const huge = `expected a known bundle mediaType, got "${'A'.repeat(1_000_000)}"`;
    const report = buildReport(
      { image: 'r/x', version: null, tag: null, digest: null, mediaType: null, platforms: [] },
      [{ id: 'signature', title: 'Image signature', status: 'fail', reason: huge, evidence: {} }],
      [huge],
    );
    expect(report.checks[0]?.reason.length).toBeLessThan(MAX_MESSAGE_LENGTH + 40);
    expect(report.notices.every((notice) => notice.length < MAX_MESSAGE_LENGTH + 40)).toBe(true);
  });
});

describe('quoteBounded', () => {
  it('quotes short values as JSON and cuts a long string before quoting it', () => {
    expect(quoteBounded('a"b')).toBe('"a\\"b"');
    expect(quoteBounded(undefined)).toBe('undefined');
    expect(quoteBounded(42)).toBe('42');
    expect(quoteBounded('A'.repeat(50), 40)).toBe(`"${'A'.repeat(40)}"… (10 more characters)`);
    // A control character still comes out escaped, whatever was cut.
    expect(quoteBounded(`\u001b${'B'.repeat(MAX_MESSAGE_LENGTH)}`)).toMatch(/^"\\u001bB+"… \(1 more characters\)$/);
  });
});
