import type { Report } from '../schema.js';

/** The JSON report, one document followed by a newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
