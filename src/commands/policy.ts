import { promises as fsp } from 'node:fs';
import { describeError, UsageError, VerifyReleaseError } from '../errors.js';
import type { InTotoStatement } from '../model/evidence.js';
import { IN_TOTO_PAYLOAD_TYPE, toInTotoStatement } from '../sigstore/claims.js';
import { CUE_VERSION, startPolicyEngine, type PolicyEngine, type PolicyMode } from '../policy/cue.js';
import type { PolicyViolation } from '../policy/errors.js';
import { readPolicyFile } from '../policy/source.js';

/** Largest statement file read: the default blob limit of a verification (real SBOMs are 1–10 MB). */
export const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;

/** Options of `verify-release policy`. */
export interface PolicyCommandOptions {
  /** CUE policy files; each is compiled once. */
  policies: readonly string[];
  /** Files holding an in-toto statement, a DSSE envelope, or a Sigstore bundle with a DSSE envelope. */
  statements: readonly string[];
  mode: PolicyMode;
  /** The engine to use (default: CUE on this thread: there is no network work to overlap with its start). */
  engine?: PolicyEngine;
}

/** How a statement file held its statement. */
export type StatementForm = 'statement' | 'dsse' | 'bundle';

/** The outcome of one policy on one statement. */
export interface PolicyCommandResult {
  policy: string;
  statement: string;
  form: StatementForm;
  predicateType: string;
  status: 'pass' | 'fail';
  /** Every violation found (at most MAX_VIOLATIONS), empty on a pass. */
  violations: PolicyViolation[];
  /** Set when there may be violations beyond those listed. */
  moreViolations: boolean;
  /** What passed without being checked, e.g. a constrained field absent from the statement in cosign mode. */
  notes: string[];
}

/** The result of `verify-release policy`: one entry per (policy, statement), policies in the outer loop. */
export interface PolicyCommandReport {
  mode: PolicyMode;
  cueVersion: string;
  /** Always false: the command evaluates statements as given; no signature, certificate or log entry is checked. */
  signatureChecked: false;
  results: PolicyCommandResult[];
  passed: boolean;
}

const BUNDLE_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.[1-3]\+json|\+json;version=0\.[1-3])$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readStatementFile(path: string): Promise<Buffer> {
  try {
    // fsp.stat() first: a FIFO or device would block or read without end.
    const stats = await fsp.stat(path);
    if (!stats.isFile()) throw new UsageError(`statement ${path}: expected a regular file`);
    const handle = await fsp.open(path, 'r');
    try {
      // One byte more than the cap: a file that grew since fsp.stat() is caught too.
      const buffer = Buffer.alloc(Math.min(stats.size, MAX_STATEMENT_BYTES) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_STATEMENT_BYTES) {
        throw new UsageError(`statement ${path}: expected at most ${MAX_STATEMENT_BYTES} bytes (64 MiB), got more`);
      }
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read statement ${path}: ${describeError(error)}`, { cause: error });
  }
}

// A DSSE envelope's statement: the payload type must be in-toto's, the payload standard base64.
function fromEnvelope(path: string, envelope: unknown): InTotoStatement {
  if (!isObject(envelope) || typeof envelope.payload !== 'string' || typeof envelope.payloadType !== 'string') {
    throw new UsageError(`statement ${path}: expected a DSSE envelope with payloadType and payload`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(envelope.payload) || envelope.payload.length % 4 !== 0) {
    throw new UsageError(`statement ${path}: expected a base64 DSSE payload`);
  }
  return toInTotoStatement(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
}

function asUsageError(path: string, error: unknown): unknown {
  if (error instanceof UsageError || !(error instanceof VerifyReleaseError)) return error;
  return new UsageError(`statement ${path}: ${error.message}`, { cause: error });
}

/**
 * Reads the statement of one file: a bare in-toto statement, a DSSE envelope (`payloadType`, `payload`) or a
 * Sigstore bundle (`mediaType`, `dsseEnvelope`). Nothing is verified. Throws UsageError naming the file.
 */
export async function readStatement(path: string): Promise<{ statement: InTotoStatement; form: StatementForm }> {
  const bytes = await readStatementFile(path);
  // A bare statement first, parsed once: it is the largest form (an envelope's payload is one string to JSON).
  let statementError: unknown;
  try {
    return { statement: toInTotoStatement(IN_TOTO_PAYLOAD_TYPE, bytes), form: 'statement' };
  } catch (error) {
    statementError = error;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new UsageError(`statement ${path}: expected UTF-8 JSON, got ${describeError(error)}`, { cause: error });
  }
  try {
    if (isObject(json) && typeof json.mediaType === 'string' && BUNDLE_MEDIA_TYPE.test(json.mediaType)) {
      if (!isObject(json.dsseEnvelope)) {
        throw new UsageError(`statement ${path}: expected a Sigstore bundle with a DSSE envelope, got none`);
      }
      return { statement: fromEnvelope(path, json.dsseEnvelope), form: 'bundle' };
    }
    if (isObject(json) && 'payloadType' in json && 'payload' in json) {
      return { statement: fromEnvelope(path, json), form: 'dsse' };
    }
  } catch (error) {
    throw asUsageError(path, error);
  }
  if (isObject(json) && '_type' in json && 'predicateType' in json) throw asUsageError(path, statementError);
  throw new UsageError(
    `statement ${path}: expected an in-toto statement, a DSSE envelope or a Sigstore bundle with a DSSE envelope`,
  );
}

/**
 * `verify-release policy`: evaluates every policy on every statement, offline. Policies are read and compiled
 * once, before any statement is evaluated; a broken policy or unreadable statement is a UsageError (exit 2).
 * Statements are evaluated as given: no signature is checked.
 */
export async function policyCommand(o: PolicyCommandOptions): Promise<PolicyCommandReport> {
  if (o.policies.length === 0) throw new UsageError('expected at least one --policy <file>, got none');
  if (o.statements.length === 0) throw new UsageError('expected at least one statement file, got none');
  const engine = o.engine ?? startPolicyEngine();
  const policies = o.policies.map((path) => readPolicyFile(path));
  // One statement in memory at a time (each may be 64 MiB); the first is read while CUE starts and compiles, and a
  // broken policy is still reported first.
  const first = readStatement(o.statements[0]!);
  first.catch(() => undefined);
  await engine.compile(policies);
  const byPolicy: PolicyCommandResult[][] = policies.map(() => []);
  for (const [index, path] of o.statements.entries()) {
    const { statement, form } = index === 0 ? await first : await readStatement(path);
    for (const [policyIndex, policy] of policies.entries()) {
      const outcome = await engine.evaluate(policy, statement, o.mode);
      byPolicy[policyIndex]!.push({
        policy: policy.name,
        statement: path,
        form,
        predicateType: statement.predicateType,
        status: outcome.pass ? 'pass' : 'fail',
        violations: outcome.pass ? [] : outcome.violations,
        moreViolations: !outcome.pass && outcome.more === true,
        notes: outcome.pass ? outcome.notes : [],
      });
    }
  }
  const results = byPolicy.flat();
  return {
    mode: o.mode,
    cueVersion: CUE_VERSION,
    signatureChecked: false,
    results,
    passed: results.every((result) => result.status === 'pass'),
  };
}
