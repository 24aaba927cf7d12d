import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type * as z from 'zod/mini';
import { describeError, UsageError } from '../errors.js';
import type { PolicySource } from '../policy/cue.js';
import { readPolicyFile } from '../policy/source.js';
import { BUNDLED_POLICIES, bundledPolicyDir } from './bundled.js';
import { profileSchema, type Profile } from './schema.js';

/** A profile with its CUE policies read. */
export interface ResolvedProfile {
  profile: Profile;
  policies: { provenance: PolicySource[]; sbom: PolicySource[] };
}

function configError(message: string, cause?: unknown): UsageError {
  return new UsageError(message, { code: 'CONFIG', cause });
}

/** `identities.signature.issuer: expected …` for the first zod issue. */
function describeIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid profile';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? '(root)' : path}: ${issue.message}`;
}

/** Validates a parsed profile; throws UsageError (CONFIG) naming the first bad field. */
export function toProfile(data: unknown, source: string): Profile {
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) throw configError(`profile ${source}: ${describeIssue(parsed.error)}`, parsed.error);
  return parsed.data;
}

/** How a profile names a policy shipped with verify-release: `bundled:policy-sbom.cue`. */
export const BUNDLED_PREFIX = 'bundled:';

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * One policy entry of a profile. `bundled:<file>` names a policy shipped in verify-release's `policies/`; anything
 * else is a path relative to the profile's directory that must stay inside it (no `..` escape, no absolute path or
 * symlink leading elsewhere) and must exist: there is no fallback, so a forgotten file is an error, never the
 * bundled file of the same name. The policy is named by its path (or `bundled:<file>`) in reports.
 */
function readProfilePolicy(entry: string, profileDir: string, source: string): PolicySource {
  if (entry.startsWith(BUNDLED_PREFIX)) {
    const file = entry.slice(BUNDLED_PREFIX.length);
    if (!(BUNDLED_POLICIES as readonly string[]).includes(file)) {
      const known = BUNDLED_POLICIES.map((name) => `${BUNDLED_PREFIX}${name}`).join(', ');
      throw configError(`profile ${source}: expected a bundled policy (${known}), got ${JSON.stringify(entry)}`);
    }
    return readPolicyFile(join(bundledPolicyDir(), file), entry);
  }
  const path = resolve(profileDir, entry);
  if (!isInside(profileDir, path)) {
    throw configError(
      `profile ${source}: expected policy ${JSON.stringify(entry)} inside the profile's directory ${profileDir}, got a path outside it`,
    );
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    throw configError(
      `profile ${source}: expected policy ${JSON.stringify(entry)} at ${path}, got ${describeError(error)} (bundled policies are named ${BUNDLED_PREFIX}<file>)`,
      error,
    );
  }
  if (!isInside(profileDir, real)) {
    throw configError(
      `profile ${source}: expected policy ${JSON.stringify(entry)} inside the profile's directory ${profileDir}, got a link to ${real}`,
    );
  }
  return readPolicyFile(real, path);
}

/** Reads a profile's policy entries in order. */
function readPolicies(entries: string[], profileDir: string, source: string): PolicySource[] {
  return entries.map((entry) => readProfilePolicy(entry, profileDir, source));
}

/**
 * Loads a profile JSON file: validated with zod (errors are one line naming the field) and its policies read,
 * relative to the profile's directory only, or `bundled:<file>` (see {@link readProfilePolicy}). The files are read
 * synchronously, as policy files are (src/policy/source.ts): a run reads them before any network work.
 */
export function loadProfile(file: string): ResolvedProfile {
  const path = resolve(file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw configError(`profile ${file}: expected a readable JSON file, got ${describeError(error)}`, error);
  }
  const profile = toProfile(data, file);
  // The real directory: policy paths and links are judged against it.
  const dir = realpathSync(dirname(path));
  const provenance = readPolicies(profile.policies.provenance, dir, file);
  const sbom = readPolicies(profile.policies.sbom, dir, file);
  return { profile, policies: { provenance, sbom } };
}
