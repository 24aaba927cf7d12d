import { Chalk } from 'chalk';
import { printable, printableJson } from '../../model/printable.js';
import type { Report } from '../schema.js';

/** One release of a batch in the summary: what the command line named, what it resolved to, and its exit code. */
export interface SummaryRow {
  reference: string;
  image: string | null;
  /** The version, else the tag, of the release verified. */
  release: string | null;
  digest: string | null;
  verified: boolean;
  /** 0 verified, 1 a check failed, 2 usage or configuration error, 3 could not complete. */
  exitCode: number;
}

/** The summary row of a release that produced a report. */
export function reportRow(reference: string, report: Report, exitCode: number): SummaryRow {
  const { target } = report;
  return {
    reference,
    image: target.image,
    release: target.version ?? target.tag,
    digest: target.digest,
    verified: report.verified,
    exitCode,
  };
}

/** A report as one JSON Lines record. */
export function renderReportLine(report: Report): string {
  return `${printableJson(JSON.stringify(report))}\n`;
}

/** A release that stopped before its report, as one JSON Lines record (the shape of the usage-error document). */
export function renderErrorLine(reference: string, code: string, message: string): string {
  return `${printableJson(JSON.stringify({ reference, verified: false, error: { code, message } }))}\n`;
}

/**
 * The last JSON Lines record of a batch. Its top-level `verified` is true only when every release verified, so
 * `verify-release … --json | jq -e .verified` (whose exit status follows the last value) judges the whole batch.
 */
export function renderSummaryLine(rows: readonly SummaryRow[], exitCode: number): string {
  const summary = {
    verified: rows.length > 0 && rows.every((row) => row.verified),
    summary: { exitCode, counts: counts(rows), releases: rows },
  };
  return `${printableJson(JSON.stringify(summary))}\n`;
}

const VERDICTS: Record<number, string> = { 0: 'VERIFIED', 1: 'NOT VERIFIED', 2: 'USAGE ERROR', 3: 'INCOMPLETE' };

/** The text summary: one row per release (reference, release, digest, verdict), then the counts and the exit code. */
export function renderSummaryText(rows: readonly SummaryRow[], exitCode: number, colorLevel: 0 | 1 | 2 | 3): string {
  const c = new Chalk({ level: colorLevel });
  const table = [
    ['REFERENCE', 'RELEASE', 'DIGEST', 'VERDICT'],
    ...rows.map((row) => [
      printable(row.reference),
      printable(row.image && row.release ? `${row.image} ${row.release}` : (row.image ?? '-')),
      row.digest === null ? '-' : `${row.digest.slice(0, 19)}…`,
      VERDICTS[row.exitCode] ?? `exit ${row.exitCode}`,
    ]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const lines = table.map((cells, index) => {
    const line = cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ');
    if (index === 0) return c.bold(line);
    return rows[index - 1]!.verified ? line : c.red(line);
  });
  const { total, verified, failed, incomplete, usage } = counts(rows);
  const tally = [`${verified} verified`, `${failed} not verified`];
  if (incomplete > 0) tally.push(`${incomplete} could not complete`);
  if (usage > 0) tally.push(`${usage} usage errors`);
  const verdict = verified === total && total > 0 ? c.green.bold('ALL VERIFIED') : c.red.bold('NOT ALL VERIFIED');
  return `${lines.join('\n')}\n\n${verdict}: ${total} release${total === 1 ? '' : 's'}, ${tally.join(', ')} (exit ${exitCode})\n`;
}

function counts(rows: readonly SummaryRow[]): {
  total: number;
  verified: number;
  failed: number;
  incomplete: number;
  usage: number;
} {
  const withCode = (code: number) => rows.filter((row) => row.exitCode === code).length;
  return {
    total: rows.length,
    verified: withCode(0),
    failed: withCode(1),
    incomplete: withCode(3),
    usage: withCode(2),
  };
}
