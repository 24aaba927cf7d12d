import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

/** What users run: the bin, which loads the bundled CLI (dist/bundle/). */
export const BIN = join(repoRoot, 'bin/verify-release.js');
const BUNDLE = join(repoRoot, 'dist/bundle/cli.cjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestSource(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
    ),
  );
}

/** Builds the CLI when dist/bundle is missing or older than a file under src/ (vitest's global set-up). */
export function ensureBuilt(): void {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestSource(join(repoRoot, 'src'))) return;
  execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' });
}

/** Runs `node bin/verify-release.js …args` with exactly `env` (plus PATH). */
export function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
