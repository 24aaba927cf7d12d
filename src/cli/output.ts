import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CheckId } from '../model/check-result.js';
import { describeError, UsageError } from '../errors.js';

/** The checks a release must pass before its SBOM is handed out (`sbom`, `--sbom-out`). */
export const SBOM_OUTPUT_CHECKS: readonly CheckId[] = ['signature', 'sbom'];

/**
 * Refuses, before any network work, an SBOM output the run could never produce: a selection without the
 * signature and sbom checks (the SBOM of an unsigned image is not handed out).
 */
export function requireSbomChecks(checks: readonly CheckId[], what: string): void {
  const missing = SBOM_OUTPUT_CHECKS.filter((id) => !checks.includes(id));
  if (missing.length > 0) {
    throw new UsageError(
      `${what} hands out a verified SBOM only: expected --checks to include ${SBOM_OUTPUT_CHECKS.join(' and ')}, got ${checks.join(',')} (missing ${missing.join(', ')})`,
    );
  }
}

/**
 * Checks, before any network work, that `path` can be written: its directory exists and is writable, and the path
 * is not a directory. Returns the absolute path. Throws UsageError naming the flag.
 */
export async function checkOutputPath(path: string, flag: string): Promise<string> {
  const absolute = resolve(path);
  const dir = dirname(absolute);
  try {
    if (!(await fsp.stat(dir)).isDirectory()) throw new Error(`${dir} is not a directory`);
    await fsp.access(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: expected a writable directory ${dir}, got ${describeError(error)}`, {
      cause: error,
    });
  }
  const existing = await fsp.stat(absolute).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${flag} ${path}: expected a file path, got a directory`);
  return absolute;
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory, flushed, then renamed over `path`,
 * so a reader never sees a partial SBOM and a failed write leaves no file behind. Throws the system error.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await fsp.open(temporary, 'wx', 0o644);
    created = true;
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temporary, path);
    created = false;
  } finally {
    if (created) await fsp.unlink(temporary).catch(() => undefined);
  }
}
