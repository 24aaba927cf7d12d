import * as z from 'zod/mini';
import { RegistryError, UsageError } from '../errors.js';
import { isDigest, type Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import type { RegistryContext, RepositoryRef } from './endpoint.js';
import { MAX_MANIFEST_BYTES, parseJson, readBody } from './limits.js';
import {
  isIndexMediaType,
  isManifestMediaType,
  MANIFEST_ACCEPT,
  type OciIndex,
  type OciManifest,
} from './media-types.js';
import { toResponseError } from './response-error.js';
import { discardBody } from './transport.js';
import { verifyContentDigest } from './verify-digest.js';

/** A manifest as the registry served it, its digest checked against the bytes. */
export interface FetchedManifest {
  /** sha256 of `bytes`; equal to the requested digest, or to `Docker-Content-Digest` when fetched by tag. */
  digest: Digest;
  mediaType: string;
  /** The exact bytes served; signatures and referrers refer to their digest. */
  bytes: Uint8Array;
  json: OciManifest | OciIndex;
}

const TAG = /^[\w][\w.-]{0,127}$/;

const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  // zod/mini's refine keeps the type (classic's narrowed it through the type guard): the check made it a Digest.
  digest: z.string().check(z.refine(isDigest, 'expected sha256:<64 hex>')) as z.ZodMiniType<Digest, string>,
  size: z.number().check(z.int(), z.nonnegative()),
  annotations: z.optional(z.record(z.string(), z.string())),
  artifactType: z.optional(z.string()),
  platform: z.optional(z.looseObject({ os: z.string(), architecture: z.string(), variant: z.optional(z.string()) })),
});
const common = {
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  artifactType: z.optional(z.string()),
  subject: z.optional(descriptorSchema),
  annotations: z.optional(z.record(z.string(), z.string())),
};
export const indexSchema = z.looseObject({ ...common, manifests: z.array(descriptorSchema) });
const manifestSchema = z.looseObject({ ...common, config: descriptorSchema, layers: z.array(descriptorSchema) });

/**
 * GETs `/v2/<name>/manifests/<reference>` with the full Accept list, checks the body's sha256 before parsing, and
 * validates its shape.
 *
 * @returns undefined on 404.
 * @throws RegistryError DIGEST_MISMATCH, MALFORMED_RESPONSE, TOO_LARGE, AUTH, …
 */
export async function fetchManifest(
  context: RegistryContext,
  repo: RepositoryRef,
  reference: string,
): Promise<FetchedManifest | undefined> {
  if (!isDigest(reference) && !TAG.test(reference)) {
    throw new UsageError(`expected a tag or sha256 digest for ${formatRepository(repo)}, got "${reference}"`);
  }
  const separator = isDigest(reference) ? '@' : ':';
  const what = `manifest ${formatRepository(repo)}${separator}${reference}`;
  const response = await context.fetch({
    url: context.urlFor(repo, `manifests/${reference}`),
    headers: { accept: MANIFEST_ACCEPT },
    registry: repo.registry,
    repository: repo.repository,
    what,
  });
  if (response.status === 404) {
    await discardBody(response);
    return undefined;
  }
  if (response.status !== 200) throw await toResponseError(response, what);

  const bytes = await readBody(response, { maxBytes: MAX_MANIFEST_BYTES, what });
  const expected = isDigest(reference)
    ? reference
    : toHeaderDigest(response.headers.get('docker-content-digest'), what);
  const digest = verifyContentDigest(bytes, expected);
  const { mediaType, json } = parseManifest(bytes, response.headers.get('content-type'), what);
  return { digest, mediaType, bytes, json };
}

/**
 * Parses digest-checked manifest bytes. The body's `mediaType` wins over Content-Type (or an image layout's
 * descriptor: only the body is covered by the digest); schema 1 and unknown types are refused.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | null,
  what: string,
): { mediaType: string; json: OciManifest | OciIndex } {
  const raw = parseJson(bytes, what) as { mediaType?: unknown } | null;
  const bodyType = typeof raw?.mediaType === 'string' ? raw.mediaType : undefined;
  const mediaType = bodyType ?? contentType?.split(';')[0]?.trim() ?? '';
  const schema = isIndexMediaType(mediaType)
    ? indexSchema
    : isManifestMediaType(mediaType)
      ? manifestSchema
      : undefined;
  if (schema === undefined) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected an OCI/Docker v2 manifest or index for ${what}, got media type "${mediaType}"`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected a valid ${mediaType} for ${what}, got bad field ${field}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { mediaType, json: parsed.data };
}

// Many registries get this header wrong (go-containerregistry fetcher.go), so it is only ever compared, never trusted;
// when absent the body's own digest stands, and the caller records that.
function toHeaderDigest(header: string | null, what: string): Digest | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (!isDigest(value)) {
    throw new RegistryError(
      'MALFORMED_RESPONSE',
      `expected Docker-Content-Digest sha256:<64 hex> for ${what}, got "${value.slice(0, 100)}"`,
    );
  }
  return value;
}
