// The CUE engine's thread: the pipeline starts it first thing, so CUE's start-up (inflating and instantiating
// ~18 MB of WebAssembly, starting the Go runtime) runs on another core beside imports and registry round trips.
import { parentPort } from 'node:worker_threads';
import { PolicyError } from '../errors.js';
import { startPolicyEngine } from './cue.js';
import type { WorkerRequest, WorkerResponse } from './worker-engine.js';

const engine = startPolicyEngine();
const port = parentPort;
port?.on('message', (request: WorkerRequest) => {
  engine.evaluate(request.policy, request.statement, request.mode).then(
    (outcome) => port.postMessage({ id: request.id, outcome } satisfies WorkerResponse),
    (error: unknown) => {
      const policyError = error instanceof PolicyError;
      const message = error instanceof Error ? error.message : String(error);
      const code = policyError ? error.code : undefined;
      port.postMessage({ id: request.id, error: { policyError, code, message } } satisfies WorkerResponse);
    },
  );
});
