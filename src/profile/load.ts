import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { describeError, UsageError } from '../errors.js';
import type { PolicySource } from '../policy/cue.js';
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
function describeIssue(error: z.ZodError): string {
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

// A path relative to the profile file wins; otherwise a bundled policy name.
function policyPath(entry: string, profileDir: string, source: string): string {
  const local = isAbsolute(entry) ? entry : join(profileDir, entry);
  if (existsSync(local)) return local;
  if ((BUNDLED_POLICIES as readonly string[]).includes(entry)) return join(bundledPolicyDir(), entry);
  throw configError(
    `profile ${source}: expected policy ${JSON.stringify(entry)} next to the profile or bundled, got none`,
  );
}

/** Reads policy files into {@link PolicySource}s named by their profile entry. */
async function readPolicies(entries: string[], profileDir: string, source: string): Promise<PolicySource[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const path = policyPath(entry, profileDir, source);
      try {
        return { name: entry, source: await readFile(path, 'utf8') };
      } catch (error) {
        throw configError(
          `profile ${source}: expected a readable policy at ${path}, got ${describeError(error)}`,
          error,
        );
      }
    }),
  );
}

/**
 * Loads a profile JSON file: validated with zod (errors are one line naming the field) and its policies read,
 * resolved relative to the profile file or from the bundled `policies/`.
 */
export async function loadProfile(file: string): Promise<ResolvedProfile> {
  const path = resolve(file);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw configError(`profile ${file}: expected a readable JSON file, got ${describeError(error)}`, error);
  }
  const profile = toProfile(data, file);
  const dir = dirname(path);
  const [provenance, sbom] = await Promise.all([
    readPolicies(profile.policies.provenance, dir, file),
    readPolicies(profile.policies.sbom, dir, file),
  ]);
  return { profile, policies: { provenance, sbom } };
}
