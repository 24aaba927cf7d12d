#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json), so that a cold start does not set up Node's ESM loader first.
const { join } = require('node:path');

// `-V` needs none of the program: answer it before loading the bundle, so it costs little more than Node's start.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '-V' || args[0] === '--cli-version')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  if (mayEvaluatePolicies(args)) prestartCueWorker();
  const { runBundle } = require('./load-bundle.js');
  // main() reports every failure itself and ends the process with the exit code.
  void runBundle(join(__dirname, '../dist/bundle/cli.cjs')).exports.main(process.argv);
}

/**
 * Whether this command line may run a policy check: a guess that costs only CPU when wrong, since the CLI decides
 * for itself and adopts the prestarted worker (src/policy/worker-engine.ts) or leaves it to end with the process.
 */
function mayEvaluatePolicies(argv) {
  if (['version', 'completion', 'verify-bundle', 'policy', 'help'].includes(argv[0])) return false;
  if (argv.includes('-h') || argv.includes('--help')) return false;
  const at = argv.findIndex((arg) => arg === '--checks' || arg.startsWith('--checks='));
  if (at === -1) return true;
  const checks = argv[at].startsWith('--checks=') ? argv[at].slice('--checks='.length) : (argv[at + 1] ?? '');
  return checks.includes('policy');
}

/**
 * Starts CUE's thread before the bundle loads, so CUE's start-up (the longest part of a full run) begins ~0.2 s
 * earlier. What happens to the worker before the CLI adopts it is kept for it: an early error or exit.
 */
function prestartCueWorker() {
  const script = join(__dirname, '../dist/bundle/cue-worker.js');
  if (!require('node:fs').existsSync(script)) return;
  const { Worker } = require('node:worker_threads');
  const prestarted = { worker: new Worker(script) };
  prestarted.worker.unref();
  prestarted.worker.once('error', (error) => (prestarted.stopped ??= error));
  prestarted.worker.once('exit', (code) => (prestarted.stopped ??= code));
  globalThis[Symbol.for('verify-release.prestarted-cue-worker')] = prestarted;
}
