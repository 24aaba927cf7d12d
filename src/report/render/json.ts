import { printableJson } from '../../model/printable.js';
import type { Report } from '../schema.js';

/** The JSON report, one document followed by a newline; control and bidi characters in strings are escaped. */
export function renderJson(report: Report): string {
  return `${printableJson(JSON.stringify(report, null, 2))}\n`;
}
