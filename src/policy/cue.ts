import { loadCue, type CueApi } from './cue-runtime.js';
import { PolicyError, UsageError } from '../errors.js';
import type { InTotoStatement } from '../model/evidence.js';
import { incompletePath, toPolicyViolation, type PolicyViolation } from './errors.js';
import { locateError, sanitizeCueError } from './locate.js';
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

export type PolicyOutcome = { pass: true; notes: string[] } | ({ pass: false } & PolicyViolation);

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

function evaluateWith(cue: CueApi, policy: PolicySource, statement: InTotoStatement, mode: PolicyMode): PolicyOutcome {
  const json = JSON.stringify(statement);
  const document = JSON.parse(json) as unknown;
  let unified: unknown;
  try {
    // Policy text first, then the statement as a file-level embedding: `package` and `import` clauses keep working.
    unified = cue.parse(`${policy.source}\n${json}`);
  } catch (error) {
    const text = errorText(error);
    const missing = incompletePath(text);
    if (missing !== undefined && mode === 'cosign') {
      return { pass: true, notes: [`${missing} is constrained by the policy but absent from the statement`] };
    }
    if (missing !== undefined) {
      const absent = outermostMissingPath(document, missing);
      return { pass: false, path: absent, message: `policy requires fields missing from statement: ${absent}` };
    }
    return { pass: false, ...toPolicyViolation(text, document) };
  }
  if (mode === 'strict') {
    const mismatch = strictMismatch(unified, document);
    if (mismatch !== undefined) return { pass: false, message: mismatch };
    return { pass: true, notes: [] };
  }
  return {
    pass: true,
    notes: toAddedPaths(unified, document).map(
      (path) => `${path} is constrained by the policy but absent from the statement`,
    ),
  };
}

/**
 * Starts loading the CUE engine now (its WebAssembly set-up is the largest single cost of a full run; README,
 * "Performance", has the measurements) so that it overlaps with other work, and returns an engine whose `compile`
 * and `evaluate` wait for it.
 */
export function startPolicyEngine(): PolicyEngine {
  const ready = loadCue();
  // The failure is reported by the first evaluate(); avoid an unhandled rejection before that.
  ready.catch(() => undefined);
  const compiled = new Set<string>();
  const engine = async (): Promise<CueApi> => {
    try {
      return await ready;
    } catch (error) {
      throw new PolicyError(`expected the CUE engine to start, got ${errorText(error)}`, { cause: error });
    }
  };
  const compile = (cue: CueApi, policy: PolicySource): void => {
    if (compiled.has(policy.source)) return;
    verifyPolicyCompiles(cue, policy);
    compiled.add(policy.source);
  };
  return {
    async compile(policies) {
      const cue = await engine();
      for (const policy of policies) compile(cue, policy);
    },
    async evaluate(policy, statement, mode) {
      const cue = await engine();
      compile(cue, policy);
      return evaluateWith(cue, policy, statement, mode);
    },
  };
}
