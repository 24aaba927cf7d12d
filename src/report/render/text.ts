import { Chalk, type ChalkInstance } from 'chalk';
import type { CheckResult } from '../../model/check-result.js';
import { printable } from '../../model/printable.js';
import type { Report } from '../schema.js';

export interface TextRenderOptions {
  /** Colour level: 0 none (not a TTY, NO_COLOR), 1+ ANSI colours. */
  colorLevel: 0 | 1 | 2 | 3;
}

const MARKS: Record<CheckResult['status'], string> = { pass: '✔', fail: '✖', skip: '-', error: '!' };

/** Human report: the target, one line per check (mark, title, reason), notices, and a summary line. */
export function renderText(report: Report, options: TextRenderOptions): string {
  const c = new Chalk({ level: options.colorLevel });
  const { target } = report;
  const lines: string[] = [];
  const name = target.version ?? target.tag ?? target.digest ?? '';
  lines.push(c.bold(printable(`${target.image}${name && name !== target.digest ? ` ${name}` : ''}`)));
  if (target.digest) {
    const kind = target.mediaType ? ` (${describeMediaType(target.mediaType)})` : '';
    lines.push(printable(`  digest ${target.digest}${kind}`));
  }
  if (target.platforms.length > 0) lines.push(printable(`  platforms ${target.platforms.join(', ')}`));
  lines.push('');
  const width = Math.max(...report.checks.map((check) => check.title.length), 0);
  for (const check of report.checks) {
    lines.push(`${colourMark(c, check.status)} ${printable(check.title.padEnd(width))}  ${printable(check.reason)}`);
  }
  for (const notice of report.notices) lines.push(c.yellow(printable(`note: ${notice}`)));
  lines.push('');
  lines.push(summary(c, report));
  return `${lines.join('\n')}\n`;
}

/** The verdict line alone (`--quiet`): `VERIFIED: 6 passed, 0 failed`, or NOT VERIFIED with its counts. */
export function renderVerdict(report: Report, options: TextRenderOptions): string {
  return `${summary(new Chalk({ level: options.colorLevel }), report)}\n`;
}

function colourMark(c: ChalkInstance, status: CheckResult['status']): string {
  const mark = MARKS[status];
  if (status === 'pass') return c.green(mark);
  if (status === 'fail') return c.red(mark);
  if (status === 'error') return c.red(mark);
  return c.dim(mark);
}

function summary(c: ChalkInstance, report: Report): string {
  const count = (status: CheckResult['status']) => report.checks.filter((check) => check.status === status).length;
  const parts = [`${count('pass')} passed`, `${count('fail')} failed`];
  if (count('error') > 0) parts.push(`${count('error')} could not complete`);
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  const verdict = report.verified ? c.green.bold('VERIFIED') : c.red.bold('NOT VERIFIED');
  const partial = report.checksOmitted.length > 0 ? ` (partial: ${report.checksOmitted.join(', ')} not run)` : '';
  return `${verdict}${partial}: ${parts.join(', ')}`;
}

function describeMediaType(mediaType: string): string {
  if (mediaType.includes('index') || mediaType.includes('manifest.list')) return 'multi-platform index';
  return 'single manifest';
}
