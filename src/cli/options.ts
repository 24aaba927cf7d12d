import { promises as fsp } from 'node:fs';
import { resolve } from 'node:path';
import { isDigest, type Digest } from '../model/digest.js';
import { readLayoutImage } from '../layout/reader.js';
import { compileRegexp } from '../sigstore/identity.js';
import * as z from 'zod/mini';
import { CHECK_IDS } from '../model/check-result.js';
import type { IdentityPolicy } from '../model/evidence.js';
import { formatRepository, parseImageReference, type ImageReference } from '../model/reference.js';
import type { RepositoryRef } from '../registry/index.js';
import { loadProfile, type ResolvedProfile } from '../profile/load.js';
import { deriveProfile } from '../profile/derive.js';
import { bundledProfilePath } from '../profile/bundled.js';
import type { PolicyEngine, PolicySource } from '../policy/cue.js';
import { startPolicyEngineThread } from '../policy/worker-engine.js';
import { readPolicyFile } from '../policy/source.js';
import { toExpectations, type ExpectationOverrides } from '../pipeline/expectations.js';
import { verifyReleaseVersion } from '../release/index.js';
import type { VerifyReleaseOptions } from '../pipeline/options.js';
import { describeError, PolicyError, UsageError } from '../errors.js';
import type { RawVerifyOptions } from './program.js';

const DEFAULT_PROFILE = 'natrontech-gcp-mysql-backup';
/** The distribution tag grammar; checked here so a bad --tag is named as such before binding is decided. */
const DOCKER_TAG = /^[\w][\w.-]{0,127}$/;

/** Flag combinations zod checks before anything runs; each message names the flags. */
const rawSchema = z
  .object({
    repo: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'expected --repo <owner>/<name>'))),
    certificateGithubWorkflowRepository: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/,
            'expected --certificate-github-workflow-repository <owner>/<name>',
          ),
        ),
    ),
    certificateIdentity: z.optional(z.string().check(z.minLength(1, 'expected a non-empty --certificate-identity'))),
    certificateIdentityRegexp: z.optional(
      z.string().check(z.minLength(1, 'expected a non-empty --certificate-identity-regexp')),
    ),
    certificateOidcIssuer: z.optional(
      z.string().check(z.minLength(1, 'expected a non-empty --certificate-oidc-issuer')),
    ),
    certificateOidcIssuerRegexp: z.optional(
      z.string().check(z.minLength(1, 'expected a non-empty --certificate-oidc-issuer-regexp')),
    ),
    sourceTag: z.optional(z.string().check(z.minLength(1))),
    sourceVersionedTag: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine(
      (o) => !(o.certificateIdentity && o.certificateIdentityRegexp),
      'expected --certificate-identity or --certificate-identity-regexp, not both',
    ),
    z.refine(
      (o) => !(o.certificateOidcIssuer && o.certificateOidcIssuerRegexp),
      'expected --certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both',
    ),
    z.refine(
      (o) => !(o.sourceTag && o.sourceVersionedTag),
      'expected --source-tag or --source-versioned-tag, not both',
    ),
  );

/**
 * Turns the command line into `verifyRelease` options: picks the profile (--profile, --repo, the image's
 * owner/name, or the bundled gcp-mysql-backup one), applies flag overrides and defaults ($COSIGN_REPOSITORY),
 * and reads policy files. Throws UsageError with a one-line reason.
 */
export async function toVerifyReleaseOptions(
  positionalVersion: string | undefined,
  given: RawVerifyOptions,
  env: NodeJS.ProcessEnv,
  onProgress?: (message: string) => void,
  /** Starts the CUE engine when a policy check is selected; the releases of one run share one (src/cli/references.ts). */
  startEngine: () => PolicyEngine = startPolicyEngineThread,
): Promise<VerifyReleaseOptions> {
  // CUE's start-up (~1 s, on its own thread) begins first thing, so that everything below and the registry round
  // trips run beside it.
  const checks = given.checks ?? CHECK_IDS;
  const policyEngine = selectsPolicyCheck(checks) ? startEngine() : undefined;
  const checked = rawSchema.safeParse(given);
  if (!checked.success) throw new UsageError(checked.error.issues[0]?.message ?? 'invalid options');
  const { raw, layout } = await toLayoutSettings(given);
  if (positionalVersion !== undefined && raw.version !== undefined && positionalVersion !== raw.version) {
    throw new UsageError(`expected one version, got "${positionalVersion}" and --version "${raw.version}"`);
  }
  const version = raw.version ?? positionalVersion;
  if (version !== undefined && raw.tag !== undefined) throw new UsageError('expected a version or --tag, not both');
  if (version !== undefined) verifyReleaseVersion(version);

  const resolved = resolveProfile(raw);
  // GitHub names are case-insensitive and GHCR's are lowercase, so `--repo NatronTech/App` is ghcr.io/natrontech/app.
  const image = parseImageReference(
    raw.image ?? (raw.repo ? `ghcr.io/${raw.repo.toLowerCase()}` : resolved.profile.image),
  );
  const provenancePolicies = readPolicyFiles(raw.policy ?? []);
  const sbomPolicies = readPolicyFiles(raw.sbomPolicy ?? []);
  const signer = toSignerOverride(raw, resolved);
  const overrides: ExpectationOverrides = {
    ...(signer && { signer }),
    ...(raw.certificateIdentity !== undefined && { identityFlag: 'exact' as const }),
    ...(raw.certificateIdentityRegexp !== undefined && { identityFlag: 'regexp' as const }),
    ...(raw.certificateGithubWorkflowRepository !== undefined && {
      workflowRepository: raw.certificateGithubWorkflowRepository,
    }),
    ...(raw.sourceUri !== undefined && { sourceUri: raw.sourceUri }),
    ...(raw.sourceTag !== undefined && { sourceTag: raw.sourceTag }),
    ...(raw.sourceVersionedTag !== undefined && { sourceVersionedTag: raw.sourceVersionedTag }),
    ...(raw.sourceBranch !== undefined && { sourceBranch: raw.sourceBranch }),
    ...(raw.builderId !== undefined && { builderId: raw.builderId }),
    ...(provenancePolicies && { provenancePolicies }),
    ...(sbomPolicies && { sbomPolicies }),
    policyMode: raw.policyMode,
    versionBinding: raw.versionBinding,
  };
  // Building the expectations here checks them once up front, so a bad profile or regexp, or a tag that is not a
  // release and has no stated ref, fails before any network work.
  if (raw.tag !== undefined && !DOCKER_TAG.test(raw.tag)) {
    throw new UsageError(`expected a tag or sha256 digest for ${formatRepository(image)}, got "${raw.tag}"`);
  }
  const release = toReleaseProbe(version, raw.tag, image);
  const expected = toExpectations(resolved, release, overrides);
  for (const policy of [expected.signature, expected.sbom, expected.provenanceSigner]) verifyPatterns(policy.identity);
  // Policy files were read, size- and UTF-8-checked above; compiling them runs beside the network work, and
  // verifyRelease lets a broken one (a usage error naming file:line:column) win over whatever the network did.
  const policiesCompiled = policyEngine && compileSelectedPolicies(policyEngine, checks, expected.policies);
  // verifyRelease awaits it; until then, a broken policy must not count as an unhandled rejection.
  policiesCompiled?.catch(() => undefined);

  return {
    image,
    ...(version !== undefined && { version }),
    ...(raw.tag !== undefined && { tag: raw.tag }),
    includePrereleases: raw.includePrereleases ?? false,
    checks,
    ...(policyEngine && { policyEngine }),
    ...(policiesCompiled && { policiesCompiled }),
    repositories: toRepositories(raw, resolved, env),
    expectations: (release) => toExpectations(resolved, release, overrides),
    ...(raw.trustedRoot !== undefined && { trustedRootPath: raw.trustedRoot }),
    ...layout,
    // The whole run (cosign's --timeout); timers take whole milliseconds only.
    timeoutMs: Math.ceil((raw.timeout ?? 300) * 1000),
    registry: {
      timeoutMs: Math.ceil((raw.requestTimeout ?? 30) * 1000),
      insecureRegistries: raw.insecureRegistry ?? [],
      ...(raw.maxBlobSize !== undefined && { maxBlobBytes: raw.maxBlobSize }),
      env,
    },
    env,
    ...(onProgress && { onProgress }),
  };
}

// What resolution will report, as far as the command line tells: a version (`latest` stands for the release it will
// find), a tag, or a bare digest. Only used to decide the binding before any network work.
function toReleaseProbe(
  version: string | undefined,
  tag: string | undefined,
  image: ImageReference,
): { version?: string; tag?: string } {
  const given = tag ?? image.tag;
  if (given !== undefined) return { tag: given };
  if (image.digest !== undefined) return {};
  return { version: version === undefined || version === 'latest' ? 'v0.0.0' : version };
}

function verifyPatterns(policy: IdentityPolicy): void {
  for (const [flag, pattern] of [
    ['--certificate-identity-regexp', policy.identityRegexp],
    ['--certificate-oidc-issuer-regexp', policy.issuerRegexp],
  ] as const) {
    if (pattern === undefined) continue;
    try {
      compileRegexp(pattern);
    } catch (error) {
      throw new UsageError(
        `expected a valid Go RE2 expression for ${flag}, got ${JSON.stringify(pattern)}: ${describeError(error)}`,
      );
    }
  }
}

function resolveProfile(raw: RawVerifyOptions): ResolvedProfile {
  if (raw.profile !== undefined) return loadProfile(raw.profile);
  if (raw.repo !== undefined) return profileFor(raw.repo);
  if (raw.image !== undefined) {
    // The project is the image's owner/name (ghcr.io/<owner>/<name>, or any registry mirroring that layout).
    const { repository } = parseImageReference(raw.image);
    const parts = repository.split('/');
    if (parts.length >= 2) return profileFor(parts.slice(-2).join('/'));
    throw new UsageError(
      `expected an image <host>/<owner>/<name>, or --repo/--profile to know whose release this is, got ${raw.image}`,
    );
  }
  return loadProfile(bundledProfilePath(DEFAULT_PROFILE));
}

function profileFor(ownerAndName: string): ResolvedProfile {
  if (ownerAndName.toLowerCase() === 'natrontech/gcp-mysql-backup')
    return loadProfile(bundledProfilePath(DEFAULT_PROFILE));
  const [owner, name] = ownerAndName.split('/') as [string, string];
  return deriveProfile(owner, name);
}

// cosign requires one identity flag and one issuer flag; when only one pair is given, the profile supplies the other.
function toSignerOverride(raw: RawVerifyOptions, resolved: ResolvedProfile): IdentityPolicy | undefined {
  const identity = raw.certificateIdentity ?? raw.certificateIdentityRegexp;
  const issuer = raw.certificateOidcIssuer ?? raw.certificateOidcIssuerRegexp;
  if (identity === undefined && issuer === undefined) return undefined;
  const profileSigner = resolved.profile.identities.signature;
  return {
    ...(raw.certificateIdentity !== undefined && { identity: raw.certificateIdentity }),
    ...(raw.certificateIdentityRegexp !== undefined && { identityRegexp: raw.certificateIdentityRegexp }),
    ...(identity === undefined && { identityRegexp: profileSigner.identityRegexp }),
    ...(raw.certificateOidcIssuer !== undefined && { issuer: raw.certificateOidcIssuer }),
    ...(raw.certificateOidcIssuerRegexp !== undefined && { issuerRegexp: raw.certificateOidcIssuerRegexp }),
    ...(issuer === undefined && { issuer: profileSigner.issuer }),
  };
}

function toRepositories(
  raw: RawVerifyOptions,
  resolved: ResolvedProfile,
  env: NodeJS.ProcessEnv,
): VerifyReleaseOptions['repositories'] {
  const fromEnv = env.COSIGN_REPOSITORY ? [env.COSIGN_REPOSITORY] : [];
  const pick = (flags: string[], profile: string[]): RepositoryRef[] =>
    [...(flags.length > 0 ? flags : fromEnv), ...profile].map((ref) => toRepositoryRef(ref));
  const { repositories } = resolved.profile;
  return {
    signature: pick(raw.signatureRepository ?? [], repositories.signature),
    sbom: pick(raw.sbomRepository ?? [], repositories.sbom),
    provenance: pick(raw.provenanceRepository ?? [], repositories.provenance),
  };
}

function toRepositoryRef(reference: string): RepositoryRef {
  const parsed: ImageReference = parseImageReference(reference);
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new UsageError(`expected a repository without tag or digest, got ${reference}`);
  }
  return { registry: parsed.registry, repository: parsed.repository };
}

// `--policy`/`--sbom-policy` files, named by their absolute path in reports; size-capped (policy/source.ts).
function readPolicyFiles(paths: string[]): PolicySource[] | undefined {
  if (paths.length === 0) return undefined;
  return paths.map((path) => readPolicyFile(resolve(path)));
}

function selectsPolicyCheck(checks: readonly string[]): boolean {
  return checks.includes('provenance-policy') || checks.includes('sbom-policy');
}

/**
 * Compiles the policies of the selected policy checks on the engine. Rejects with the UsageError of the first
 * broken policy; an engine that does not start is reported by the policy checks themselves (exit 3), as before.
 */
async function compileSelectedPolicies(
  engine: PolicyEngine,
  checks: readonly string[],
  policies: { provenance: PolicySource[]; sbom: PolicySource[] },
): Promise<void> {
  const selected = [
    ...(checks.includes('provenance-policy') ? policies.provenance : []),
    ...(checks.includes('sbom-policy') ? policies.sbom : []),
  ];
  try {
    await engine.compile(selected);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
  }
}

/**
 * `--layout` and `--trusted-root-digest`: the layout must be a directory; without `--image`, `--repo` or `--profile`
 * the image is the one the layout was saved from (so identities and policies are derived as online). The digest
 * checks `--trusted-root`, or with `--layout` alone selects the layout's copy of the root.
 */
async function toLayoutSettings(
  raw: RawVerifyOptions,
): Promise<{ raw: RawVerifyOptions; layout: { layout?: string; trustedRootDigest?: Digest } }> {
  const digest = raw.trustedRootDigest;
  if (digest !== undefined && !isDigest(digest)) {
    throw new UsageError(`expected --trusted-root-digest sha256:<64 lowercase hex>, got "${digest}"`);
  }
  if (digest !== undefined && raw.layout === undefined && raw.trustedRoot === undefined) {
    throw new UsageError('expected --trusted-root-digest with --layout or --trusted-root, got neither');
  }
  const trustedRootDigest = digest;
  if (raw.layout === undefined) return { raw, layout: { ...(trustedRootDigest && { trustedRootDigest }) } };
  const layout = resolve(raw.layout);
  const found = await fsp.stat(layout).catch(() => undefined);
  if (!found?.isDirectory())
    throw new UsageError(`--layout ${raw.layout}: expected a directory, got ${found ? 'a file' : 'nothing'}`);
  let image = raw.image;
  if (image === undefined && raw.repo === undefined && raw.profile === undefined) {
    try {
      image = await readLayoutImage(layout);
    } catch (error) {
      throw new UsageError(
        `--layout ${raw.layout}: expected a layout written by \`verify-release save\`, got ${describeError(error)}`,
      );
    }
  }
  return {
    raw: { ...raw, ...(image !== undefined && { image }) },
    layout: { layout, ...(trustedRootDigest && { trustedRootDigest }) },
  };
}
