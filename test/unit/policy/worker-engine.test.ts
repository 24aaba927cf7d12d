import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { startPolicyEngineThread } from '../../../src/policy/worker-engine.js';

// What bin/verify-release.js leaves for the CLI when it starts CUE's thread before loading the bundle.
const PRESTARTED = Symbol.for('verify-release.prestarted-cue-worker');

function prestart(code: string): { worker: Worker; stopped?: Error | number } {
  const prestarted: { worker: Worker; stopped?: Error | number } = { worker: new Worker(code, { eval: true }) };
  prestarted.worker.once('exit', (exitCode) => (prestarted.stopped ??= exitCode));
  (globalThis as Record<symbol, unknown>)[PRESTARTED] = prestarted;
  return prestarted;
}

describe('a CUE worker started by the bin before the bundle', () => {
  it('is adopted, and one that ended before adoption fails every request at once (never a hang)', async () => {
    const prestarted = prestart('process.exit(3)');
    await new Promise((resolve) => prestarted.worker.once('exit', resolve));
    const engine = startPolicyEngineThread();
    const compiling = engine.compile([{ name: 'p.cue', source: 'a: 1' }]);
    await expect(compiling).rejects.toBeInstanceOf(PolicyError);
    await expect(compiling).rejects.toThrow('expected the CUE engine to run, got an exit with code 3');
    expect((globalThis as Record<symbol, unknown>)[PRESTARTED]).toBeUndefined();
  });

  it('fails pending requests when it stops after adoption', async () => {
    prestart("require('node:worker_threads').parentPort.once('message', () => process.exit(4))");
    const engine = startPolicyEngineThread();
    await expect(engine.compile([{ name: 'p.cue', source: 'a: 1' }])).rejects.toThrow('an exit with code 4');
  });
});
