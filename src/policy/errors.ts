/**
 * cue-wasm throws plain strings with CUE's first error. These helpers turn one into a structured violation:
 * the statement path, the statement's value there, and the policy constraint it broke.
 */

/** Why a statement did not satisfy a policy. */
export interface PolicyViolation {
  /** Dotted statement path as CUE prints it, e.g. `predicate.builder.id`. */
  path?: string;
  /** The statement's value at `path`, as JSON text (compact: a long value is summarised, see compactValue). */
  value?: string;
  /** The policy's constraint at `path`, in CUE syntax (e.g. `=~"^https://…$"`). */
  constraint?: string;
  /** One line, e.g. `predicate.builder.id: value "…" does not match =~"^…$"`. */
  message: string;
}

const INCOMPLETE = /^cue: marshal error: (.+): cannot convert incomplete value (.+) to JSON$/s;
const OUT_OF_BOUND = /^(.+?): invalid value (.+) \(out of bound (.+)\)$/s;
const CONFLICT = /^(.+?): conflicting values (.+?)(?: \(mismatched types [a-z]+ and [a-z]+\))?$/s;

/** Splits a CUE path (`a."b-c".0`) into labels, unquoting quoted labels. */
export function toPathLabels(path: string): string[] {
  const labels: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|([^.]+)/g;
  for (const match of path.matchAll(pattern)) {
    labels.push(match[1] !== undefined ? (JSON.parse(`"${match[1]}"`) as string) : (match[2] ?? ''));
  }
  return labels;
}

/** The JSON text of the statement's value at a CUE path, or undefined when there is none. */
export function valueAtPath(document: unknown, path: string): string | undefined {
  let node: unknown = document;
  for (const label of toPathLabels(path)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, label)) return undefined;
    node = (node as Record<string, unknown>)[label];
  }
  return JSON.stringify(node);
}

/** Longest value text kept whole in a violation. */
const MAX_VALUE_CHARS = 200;

/**
 * A violation's value, short enough to read: JSON text up to {@link MAX_VALUE_CHARS} as it is; a longer string is
 * cut with its length noted, a longer list or object is summarised by its size (and an object by its first keys).
 */
export function compactValue(json: string): string {
  if (json.length <= MAX_VALUE_CHARS) return json;
  const value = JSON.parse(json) as unknown;
  if (typeof value === 'string') return `${JSON.stringify(value.slice(0, 120))}… (${value.length} characters)`;
  if (Array.isArray(value)) return `[…] (a list of ${value.length} items)`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    const shown = keys
      .slice(0, 5)
      .map((key) => JSON.stringify(key))
      .join(', ');
    return `{${shown}${keys.length > 5 ? ', …' : ''}} (an object of ${keys.length} fields)`;
  }
  return `${json.slice(0, MAX_VALUE_CHARS)}…`;
}

// CUE prints both sides of a conflict in source order, except for type mismatches; find the statement's side.
function splitConflict(values: string, statementValue: string | undefined): string | undefined {
  if (statementValue === undefined) return undefined;
  if (values.startsWith(`${statementValue} and `)) return values.slice(statementValue.length + 5);
  if (values.endsWith(` and ${statementValue}`)) return values.slice(0, -(statementValue.length + 5));
  return undefined;
}

/** Turns a cue-wasm error string into a {@link PolicyViolation} for `statement`. */
export function toPolicyViolation(error: string, statement: unknown): PolicyViolation {
  const line = error.split('\n')[0] ?? error;
  const bound = OUT_OF_BOUND.exec(line);
  if (bound) {
    const [, path = '', value = '', constraint = ''] = bound;
    return { path, value, constraint, message: `${path}: value ${value} does not match ${constraint}` };
  }
  const conflict = CONFLICT.exec(line);
  if (conflict) {
    const [, path = '', values = ''] = conflict;
    const value = valueAtPath(statement, path);
    const constraint = splitConflict(values, value);
    return {
      path,
      message: line,
      ...(value !== undefined && { value: compactValue(value) }),
      ...(constraint !== undefined && { constraint }),
    };
  }
  const incomplete = INCOMPLETE.exec(line);
  if (incomplete) {
    const [, path = '', constraint = ''] = incomplete;
    return { path, constraint, message: `policy requires fields missing from statement: ${path}` };
  }
  const located = /^([A-Za-z_$#"][^:\s]*): (.+)$/s.exec(line);
  if (located) return { path: located[1] ?? '', message: line };
  return { message: line };
}
