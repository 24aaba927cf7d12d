import type { CheckResult } from '../../model/check-result.js';
import { printable } from '../../model/printable.js';
import type { Report } from '../schema.js';

const MARKS: Record<CheckResult['status'], string> = { pass: '✅', fail: '❌', skip: '⏭️', error: '⚠️' };

/**
 * Text from the network (image names, reasons, identities) as inert Markdown: sanitized like every terminal string,
 * then HTML special characters as entities and Markdown punctuation backslash-escaped, so a reason cannot open a
 * link, an image, a table cell or an HTML tag in a job summary or pull-request comment.
 */
export function escapeMarkdown(value: string): string {
  return (
    printable(value)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // `:` and `.` too: a bare `https://…` or `www.…` would otherwise become a link (GFM autolinks).
      .replace(/[\\`*_{}[\]()!|~:.]/g, (char) => `\\${char}`)
  );
}

/** The report as GitHub-flavoured Markdown: verdict heading, target, one table row per check, notices. */
export function renderMarkdown(report: Report): string {
  const { target } = report;
  const name = target.version ?? target.tag ?? target.digest ?? '';
  const lines: string[] = [];
  const verdict = report.verified ? '✅ VERIFIED' : '❌ NOT VERIFIED';
  const partial = report.checksOmitted.length > 0 ? ` (partial: ${report.checksOmitted.join(', ')} not run)` : '';
  // `partial` lists check ids, fixed text of this program.
  lines.push(`### ${verdict}${partial}: ${escapeMarkdown(target.image)} ${escapeMarkdown(name)}`);
  lines.push('');
  if (target.digest) lines.push(`- digest: \`${target.digest.replace(/[^a-z0-9:]/g, '')}\``);
  if (target.platforms.length > 0) lines.push(`- platforms: ${escapeMarkdown(target.platforms.join(', '))}`);
  if (target.digest || target.platforms.length > 0) lines.push('');
  lines.push('| | check | result |');
  lines.push('|---|---|---|');
  for (const check of report.checks) {
    lines.push(`| ${MARKS[check.status]} | ${escapeMarkdown(check.title)} | ${escapeMarkdown(check.reason)} |`);
  }
  if (report.notices.length > 0) {
    lines.push('');
    for (const notice of report.notices) lines.push(`> **note:** ${escapeMarkdown(notice)}`);
  }
  lines.push('');
  lines.push(summary(report));
  return `${lines.join('\n')}\n`;
}

function summary(report: Report): string {
  const count = (status: CheckResult['status']) => report.checks.filter((check) => check.status === status).length;
  const parts = [`${count('pass')} passed`, `${count('fail')} failed`];
  if (count('error') > 0) parts.push(`${count('error')} could not complete`);
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  return `**${report.verified ? 'VERIFIED' : 'NOT VERIFIED'}**: ${parts.join(', ')}`;
}
