/** The longest reason, notice or error message verify-release prints. */
export const MAX_MESSAGE_LENGTH = 2000;

/**
 * Cuts text that may quote untrusted data (a 64 MiB string from a bundle, a registry's error body) to a length a
 * terminal, a CI log and a JSON report can carry; what was cut is counted, never silently dropped.
 */
export function boundLength(text: string, max: number = MAX_MESSAGE_LENGTH): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * JSON text of an untrusted value for a message: a string longer than `max` is cut before it is quoted (and the cut
 * counted), so a 64 MiB field is never copied whole into an error on its way to being cut.
 */
export function quoteBounded(value: unknown, max: number = MAX_MESSAGE_LENGTH): string {
  if (typeof value !== 'string') return boundLength(JSON.stringify(value) ?? String(value), max);
  if (value.length <= max) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, max))}… (${value.length - max} more characters)`;
}
