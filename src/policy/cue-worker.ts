// The CUE engine's thread: the pipeline starts it first thing, so CUE's start-up (inflating and instantiating
// ~18 MB of WebAssembly, starting the Go runtime) runs on another core beside imports and registry round trips.
import { parentPort } from 'node:worker_threads';
import { startPolicyEngine } from './cue.js';
import { toWorkerError, type WorkerRequest, type WorkerResponse } from './worker-engine.js';

const engine = startPolicyEngine();
const port = parentPort;
port?.on('message', (request: WorkerRequest) => {
  const work =
    request.kind === 'compile'
      ? engine.compile(request.policies).then(() => null)
      : engine.evaluate(request.policy, request.statement, request.mode);
  work.then(
    (outcome) => port.postMessage({ id: request.id, outcome } satisfies WorkerResponse),
    (error: unknown) => port.postMessage({ id: request.id, error: toWorkerError(error) } satisfies WorkerResponse),
  );
});
