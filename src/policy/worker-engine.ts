import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { InternalError, PolicyError, UsageError } from '../errors.js';
import type { InTotoStatement } from '../model/evidence.js';
import { startPolicyEngine, type PolicyEngine, type PolicyMode, type PolicyOutcome, type PolicySource } from './cue.js';

/** What the engine thread is asked to do. */
export type EngineRequest =
  | { kind: 'evaluate'; policy: PolicySource; statement: InTotoStatement; mode: PolicyMode }
  | { kind: 'compile'; policies: PolicySource[] };

export type WorkerRequest = EngineRequest & { id: number };

/** How an error crosses the thread boundary: its class, code and message. */
export interface WorkerError {
  kind: 'policy' | 'usage' | 'internal';
  code?: string;
  message: string;
}

export type WorkerResponse =
  | { id: number; outcome: PolicyOutcome | null; error?: undefined }
  | { id: number; outcome?: undefined; error: WorkerError };

/** The error to send back for what the engine threw. */
export function toWorkerError(error: unknown): WorkerError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) return { kind: 'usage', code: error.code, message };
  if (error instanceof PolicyError) return { kind: 'policy', code: error.code, message };
  return { kind: 'internal', message };
}

function fromWorkerError({ kind, code, message }: WorkerError): Error {
  if (kind === 'usage') return new UsageError(message, { code: code === 'USAGE' ? 'USAGE' : 'CONFIG' });
  if (kind === 'policy') return new PolicyError(message, code === 'PROVENANCE_ERROR' ? { code } : undefined);
  return new InternalError(message);
}

/**
 * The CUE worker bin/verify-release.js may start before it loads the bundle (CUE's start-up is the longest part of
 * a full run, so it begins before the bundle's own ~0.2 s), with what happened to it meanwhile. Taken at most once.
 */
interface PrestartedWorker {
  worker: Worker;
  /** The worker's error or exit code, when it stopped before it was adopted. */
  stopped?: Error | number;
}

const PRESTARTED = Symbol.for('verify-release.prestarted-cue-worker');

function takePrestartedWorker(): PrestartedWorker | undefined {
  const holder = globalThis as { [PRESTARTED]?: PrestartedWorker };
  const prestarted = holder[PRESTARTED];
  delete holder[PRESTARTED];
  return prestarted;
}

/**
 * Starts the CUE engine on a worker thread, so that its start-up runs beside the rest of the run (or adopts the one
 * the bin started). The worker is the compiled `cue-worker.js` beside this module (dist/ and the bundled CLI); where
 * it does not exist (the TypeScript sources under vitest) the engine starts on this thread instead, with the same
 * results.
 */
export function startPolicyEngineThread(): PolicyEngine {
  const prestarted = takePrestartedWorker();
  const script = new URL('./cue-worker.js', import.meta.url);
  if (!prestarted && !existsSync(fileURLToPath(script))) return startPolicyEngine();

  // worker_threads is loaded here, not at start: runs without a policy check never need it.
  const worker = prestarted?.worker ?? new (process.getBuiltinModule('node:worker_threads').Worker)(script);
  let failure: Error | undefined = prestarted?.stopped !== undefined ? engineFailure(prestarted.stopped) : undefined;
  const pending = new Map<
    number,
    { resolve: (outcome: PolicyOutcome | null) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  // The worker keeps the process alive only while a request is waiting for it.
  worker.unref();
  const failAll = (error: Error): void => {
    failure = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (response: WorkerResponse) => {
    const waiting = pending.get(response.id);
    if (!waiting) return;
    pending.delete(response.id);
    if (pending.size === 0) worker.unref();
    if (response.error) waiting.reject(fromWorkerError(response.error));
    else waiting.resolve(response.outcome);
  });
  worker.on('error', (error) => failAll(engineFailure(error)));
  worker.on('exit', (code) => failAll(engineFailure(code)));
  const send = (request: EngineRequest): Promise<PolicyOutcome | null> =>
    new Promise((resolve, reject) => {
      // A worker that already ended (e.g. before it was adopted) never answers.
      if (failure) {
        reject(failure);
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...request, id } satisfies WorkerRequest);
    });
  return {
    async compile(policies) {
      await send({ kind: 'compile', policies: [...policies] });
    },
    async evaluate(policy, statement, mode) {
      const outcome = await send({ kind: 'evaluate', policy, statement, mode });
      if (!outcome) throw new InternalError('expected a policy outcome from the CUE engine, got none');
      return outcome;
    },
  };
}

/** Why the CUE engine's thread stopped serving: its error, or its exit code. */
function engineFailure(cause: Error | number): PolicyError {
  return new PolicyError(
    `expected the CUE engine to run, got ${typeof cause === 'number' ? `an exit with code ${cause}` : cause.message}`,
  );
}
