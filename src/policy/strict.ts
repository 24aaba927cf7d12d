import { isDeepStrictEqual } from 'node:util';
import { toPathLabels } from './errors.js';

/**
 * Paths present in the unified result but absent from the statement: fields the policy filled in. CUE cannot
 * tell "the statement says X" from "the policy supplied X", so strict mode compares the result with the input.
 */
export function toAddedPaths(unified: unknown, statement: unknown, prefix = ''): string[] {
  if (typeof unified !== 'object' || unified === null || Array.isArray(unified)) return [];
  const added: string[] = [];
  for (const [key, value] of Object.entries(unified)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const isObject = typeof statement === 'object' && statement !== null && !Array.isArray(statement);
    if (!isObject || !Object.hasOwn(statement, key)) added.push(path);
    else added.push(...toAddedPaths(value, (statement as Record<string, unknown>)[key], path));
  }
  return added;
}

/**
 * Strict mode: the unified result must be exactly the statement. Returns the one-line reason when it is not,
 * e.g. `policy requires fields missing from statement: predicate.invocation`.
 */
export function strictMismatch(unified: unknown, statement: unknown): string | undefined {
  if (isDeepStrictEqual(unified, statement)) return undefined;
  const added = toAddedPaths(unified, statement);
  if (added.length > 0) return `policy requires fields missing from statement: ${added.join(', ')}`;
  return 'expected the policy result to equal the statement, got a different value';
}

/**
 * The shortest prefix of a CUE path that the statement lacks (`predicate.invocation` for a policy constraint on
 * `predicate.invocation.configSource.uri` when `invocation` is absent), or the path itself if all prefixes exist.
 */
export function outermostMissingPath(statement: unknown, path: string): string {
  const labels = toPathLabels(path);
  let node: unknown = statement;
  for (const [index, label] of labels.entries()) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, label)) {
      return path.split('.').length === labels.length ? labels.slice(0, index + 1).join('.') : path;
    }
    node = (node as Record<string, unknown>)[label];
  }
  return path;
}
