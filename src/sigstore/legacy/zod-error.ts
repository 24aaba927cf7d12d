import type * as z from 'zod/mini';
import { verificationError } from '../../errors.js';

/**
 * Parses untrusted JSON with a zod schema, turning every bad field into one BUNDLE_INVALID error
 * ("<what>: expected …, got …" per field, joined with `; `).
 *
 * @throws VerificationError BUNDLE_INVALID when the value does not match the schema.
 */
export function parseOrThrow<T extends z.ZodMiniType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  throw verificationError('BUNDLE_INVALID', `invalid ${what}: ${fields.join('; ')}`);
}

/**
 * `JSON.parse` for untrusted text that must hold JSON.
 *
 * @throws VerificationError BUNDLE_INVALID when the text is not JSON.
 */
export function parseJsonOrThrow(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw verificationError('BUNDLE_INVALID', `invalid ${what}: expected JSON, got unparsable text`, cause);
  }
}
