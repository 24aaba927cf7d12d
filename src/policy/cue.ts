import { loadCue, type CueApi } from './cue-runtime.js';
import { PolicyError, UsageError } from '../errors.js';
import type { InTotoStatement } from '../model/evidence.js';
import { toPathLabels, toPolicyViolation, valueAtPath, type PolicyViolation } from './errors.js';
import { locateError, sanitizeCueError } from './locate.js';
import { analyzeReach, removeViolation, sliceStatement, type Reach } from './reach.js';
import { outermostMissingPath, strictMismatch, toAddedPaths } from './strict.js';

/**
 * The CUE language version embedded in cue-wasm 1.0.0 (cuelang.org/go v0.4.3, 2022). Policies that use newer
 * builtins or language features do not compile.
 */
export const CUE_VERSION = 'v0.4.3';

/**
 * `cosign`: what `cosign verify-attestation --policy x.cue` accepts — unification succeeds (structs open, conflicts
 * and unmatched `=~` fail, a constrained field absent from the statement passes). `strict`: additionally the
 * result must be concrete and equal to the statement, so every constrained field must be present.
 */
export type PolicyMode = 'strict' | 'cosign';

/** A CUE policy: its name (its path, `bundled:<file>` or `generated:…`; used in reasons and evidence) and its text. */
export interface PolicySource {
  name: string;
  source: string;
}

/**
 * A failure carries its first violation at the top (path, value, constraint, message) and every violation found
 * (at most {@link MAX_VIOLATIONS}) in `violations`; `more` is set when there may be others not listed.
 */
export type PolicyOutcome =
  { pass: true; notes: string[] } | ({ pass: false; violations: PolicyViolation[]; more?: true } & PolicyViolation);

/** Options of {@link startPolicyEngine}. */
export interface PolicyEngineOptions {
  /**
   * Evaluate only the parts of a statement a policy reaches, when the analysis can bound them (default true).
   * False evaluates every statement whole; the outcomes are the same (test/unit/policy/reach.test.ts).
   */
  slice?: boolean;
}

/** Evaluates CUE policies against in-toto statements. */
export interface PolicyEngine {
  /**
   * Compiles each policy on its own. Rejects with a UsageError (CONFIG) naming `file:line:column` for the first
   * broken one (with a fixed phrase, never the file's text), or with {@link PolicyError} if the engine did not start.
   */
  compile(policies: readonly PolicySource[]): Promise<void>;
  /**
   * Unifies the policy with the whole statement (as cosign does). Resolves to the outcome; rejects with a
   * UsageError when the policy itself does not compile, {@link PolicyError} when the engine could not start.
   */
  evaluate(policy: PolicySource, statement: InTotoStatement, mode: PolicyMode): Promise<PolicyOutcome>;
}

/** cue-wasm throws plain strings; keep the text of anything else too. */
function errorText(error: unknown): string {
  return typeof error === 'string' ? error : error instanceof Error ? error.message : String(error);
}

const MARSHAL_ERROR = 'cue: marshal error:';

// CUE's error for `source` alone, or undefined when it compiles (open constraints, i.e. incomplete values, are
// what a policy is made of and do not count).
function compileError(cue: CueApi, source: string): string | undefined {
  try {
    cue.parse(source);
    return undefined;
  } catch (error) {
    const text = errorText(error);
    return text.startsWith(MARSHAL_ERROR) ? undefined : text;
  }
}

// A usage error naming file, line and column, with a fixed phrase instead of CUE's message: CUE quotes the
// offending text, and a file that is not CUE at all (a token, say) must not be echoed into logs.
function brokenPolicy(cue: CueApi, policy: PolicySource, text: string): UsageError {
  const { line, column, approximate } = locateError(policy.source, text, (prefix) => compileError(cue, prefix));
  const where = approximate ? ' (position approximate: the error is at or before this line)' : '';
  return new UsageError(
    `policy ${policy.name}:${line}:${column}: expected valid CUE ${CUE_VERSION}, got ${sanitizeCueError(text)}${where}`,
    { code: 'CONFIG' },
  );
}

// A policy must evaluate on its own: only incomplete values (its open constraints) may remain. Anything else
// (syntax errors, conflicts within the policy, builtins unknown to CUE v0.4.3) is a broken policy. The statement
// is an embedding, so a policy cannot reference statement fields by name either.
function verifyPolicyCompiles(cue: CueApi, policy: PolicySource): void {
  const text = compileError(cue, policy.source);
  if (text !== undefined) throw brokenPolicy(cue, policy, text);
}

/** At most this many violations are reported per (policy, statement); the rest are counted as "more". */
export const MAX_VIOLATIONS = 20;

/** The top-level fields of an in-toto statement: strict mode compares these, never the policy's own fields. */
export const STATEMENT_FIELDS: readonly string[] = ['_type', 'subject', 'predicateType', 'predicate'];

/** A compiled policy: its source and what it reaches of a statement (undefined: the whole statement). */
interface CompiledPolicy {
  policy: PolicySource;
  reach: Reach | undefined;
}

// The statement fields of a JSON object, in its order.
function statementFields(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([key]) => STATEMENT_FIELDS.includes(key)));
}

// A marshal error means CUE found no error, only a value that is not concrete (CUE reports real errors, such as
// conflicts, before exporting): `<path>: cannot convert incomplete value …`, `<path>: non-concrete argument 1`, …
const MARSHAL_PATH = /^cue: marshal error: (.+?): (.+)$/s;

function incompleteOutcome(text: string, statement: unknown, mode: PolicyMode): PolicyOutcome {
  const first = text.split('\n')[0] ?? text;
  const [, path = '', reason = first] = MARSHAL_PATH.exec(first) ?? [];
  const absent = path !== '' && valueAtPath(statement, path) === undefined;
  if (mode === 'cosign') {
    const why = absent ? 'absent from the statement' : `not concrete (${reason})`;
    return { pass: true, notes: [`${path || 'the result'} is constrained by the policy but ${why}`] };
  }
  const [root = ''] = toPathLabels(path);
  if (!STATEMENT_FIELDS.includes(root)) {
    const message =
      `policy field ${path || '(top level)'} has no concrete value (${reason}); strict mode exports the policy's ` +
      'own fields too: make a helper a definition (#name) or hidden field (_name), or use --policy-mode cosign';
    return { pass: false, ...(path !== '' && { path }), message, violations: [{ message }] };
  }
  if (absent) {
    const missing = outermostMissingPath(statement, path);
    const message = `policy requires fields missing from statement: ${missing}`;
    return { pass: false, path: missing, message, violations: [{ path: missing, message }] };
  }
  const message = `policy requires a concrete value the statement does not give: ${path}: ${reason}`;
  return { pass: false, path, message, violations: [{ path, message }] };
}

function failed(violations: PolicyViolation[], more: boolean): PolicyOutcome {
  const [first = { message: 'policy failed' }] = violations;
  return { pass: false, ...first, violations, ...(more && { more: true }) };
}

function evaluateWith(
  cue: CueApi,
  compiled: CompiledPolicy,
  statement: InTotoStatement,
  mode: PolicyMode,
): PolicyOutcome {
  const { policy, reach } = compiled;
  // Plain JSON data, cut down to what the policy reaches when the analysis could bound it (policy/reach.ts).
  const document = JSON.parse(JSON.stringify(reach ? sliceStatement(statement, reach) : statement)) as unknown;
  const violations: PolicyViolation[] = [];
  const removed: string[][] = [];
  for (;;) {
    let unified: unknown;
    try {
      // Policy text first, then the statement as a file-level embedding: `package` and `import` clauses keep working.
      unified = cue.parse(`${policy.source}\n${JSON.stringify(document)}`);
    } catch (error) {
      const text = errorText(error);
      if (text.startsWith(MARSHAL_ERROR)) {
        if (violations.length === 0) return incompleteOutcome(text, statement, mode);
        // Strict mode also lists a missing field the violations were hiding, unless it is a value removed below.
        const labels = toPathLabels(MARSHAL_PATH.exec(text.split('\n')[0] ?? '')?.[1] ?? '');
        const wasRemoved = removed.some((prefix) => prefix.every((label, i) => labels[i] === label));
        const incomplete = incompleteOutcome(text, statement, mode);
        if (!incomplete.pass && !wasRemoved) violations.push(...incomplete.violations);
        return failed(violations, false);
      }
      const violation = toPolicyViolation(text, statement);
      violations.push(violation);
      // CUE reports one error at a time. On a sliced statement (no constraint refers to another field), removing
      // the offending value leaves every other constraint's input as it was, so the next run finds the next one.
      const gone =
        reach !== undefined && violation.path !== undefined
          ? removeViolation(document, reach, toPathLabels(violation.path))
          : undefined;
      if (!gone) return failed(violations, false);
      removed.push(gone);
      if (violations.length === MAX_VIOLATIONS) return failed(violations, true);
      continue;
    }
    if (violations.length > 0) return failed(violations, false);
    const fields = statementFields(document);
    const result = statementFields(unified);
    if (mode === 'strict') {
      const mismatch = strictMismatch(result, fields);
      if (mismatch !== undefined) {
        const added = toAddedPaths(result, fields)[0];
        const violation = { ...(added !== undefined && { path: added }), message: mismatch };
        return { pass: false, ...violation, violations: [violation] };
      }
      return { pass: true, notes: [] };
    }
    return {
      pass: true,
      notes: toAddedPaths(result, fields).map(
        (path) => `${path} is constrained by the policy but absent from the statement`,
      ),
    };
  }
}

// What the policy reaches, or undefined (evaluate the whole statement) when its syntax tree cannot be had.
function reachOf(cue: CueApi, policy: PolicySource): Reach | undefined {
  try {
    return analyzeReach(cue.toAST(policy.source));
  } catch {
    return undefined;
  }
}

/**
 * Starts loading the CUE engine now (its WebAssembly set-up is the largest single cost of a full run; README,
 * "Performance", has the measurements) so that it overlaps with other work, and returns an engine whose `compile`
 * and `evaluate` wait for it.
 */
export function startPolicyEngine(options: PolicyEngineOptions = {}): PolicyEngine {
  const slice = options.slice ?? true;
  const ready = loadCue();
  // The failure is reported by the first evaluate(); avoid an unhandled rejection before that.
  ready.catch(() => undefined);
  const compiled = new Map<string, CompiledPolicy>();
  const engine = async (): Promise<CueApi> => {
    try {
      return await ready;
    } catch (error) {
      throw new PolicyError(`expected the CUE engine to start, got ${errorText(error)}`, { cause: error });
    }
  };
  const compile = (cue: CueApi, policy: PolicySource): CompiledPolicy => {
    const known = compiled.get(policy.source);
    if (known) return { policy, reach: known.reach };
    verifyPolicyCompiles(cue, policy);
    const entry = { policy, reach: slice ? reachOf(cue, policy) : undefined };
    compiled.set(policy.source, entry);
    return entry;
  };
  return {
    async compile(policies) {
      const cue = await engine();
      for (const policy of policies) compile(cue, policy);
    },
    async evaluate(policy, statement, mode) {
      const cue = await engine();
      return evaluateWith(cue, compile(cue, policy), statement, mode);
    },
  };
}
