import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InternalError, PolicyError } from '../errors.js';
import type { InTotoStatement } from '../model/evidence.js';
import { startPolicyEngine, type PolicyEngine, type PolicyMode, type PolicyOutcome, type PolicySource } from './cue.js';

export interface WorkerRequest {
  id: number;
  policy: PolicySource;
  statement: InTotoStatement;
  mode: PolicyMode;
}

export type WorkerResponse =
  | { id: number; outcome: PolicyOutcome; error?: undefined }
  | { id: number; outcome?: undefined; error: { policyError: boolean; code?: string; message: string } };

/**
 * Starts the CUE engine on a worker thread, so that its start-up runs beside the rest of the run. The worker is the
 * compiled `cue-worker.js` beside this module (dist/ and the bundled CLI); where it does not exist (the TypeScript
 * sources under vitest) the engine starts on this thread instead, with the same results.
 */
export function startPolicyEngineThread(): PolicyEngine {
  const script = new URL('./cue-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(script))) return startPolicyEngine();

  const worker = new Worker(script);
  const pending = new Map<number, { resolve: (outcome: PolicyOutcome) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  // The worker keeps the process alive only while an evaluation is waiting for it.
  worker.unref();
  const failAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (response: WorkerResponse) => {
    const waiting = pending.get(response.id);
    if (!waiting) return;
    pending.delete(response.id);
    if (pending.size === 0) worker.unref();
    if (response.error) {
      const { policyError, code, message } = response.error;
      waiting.reject(
        policyError
          ? new PolicyError(message, code === 'PROVENANCE_ERROR' ? { code } : undefined)
          : new InternalError(message),
      );
    } else waiting.resolve(response.outcome);
  });
  worker.on('error', (error) => failAll(new PolicyError(`expected the CUE engine to run, got ${error.message}`)));
  worker.on('exit', (code) =>
    failAll(new PolicyError(`expected the CUE engine to run, got an exit with code ${code}`)),
  );
  return {
    evaluate(policy, statement, mode) {
      return new Promise<PolicyOutcome>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, policy, statement, mode } satisfies WorkerRequest);
      });
    },
  };
}
