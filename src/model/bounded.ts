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
