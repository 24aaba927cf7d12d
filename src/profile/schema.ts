import * as z from 'zod/mini';
import { compileRegexp } from '../sigstore/identity.js';

// OCI repository name with its registry host, no tag or digest (distribution reference grammar, lowercase).
const IMAGE = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;

const re2 = z.string().check(
  z.minLength(1),
  z.refine(
    (pattern) => {
      try {
        compileRegexp(pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected a valid RE2 regular expression' },
  ),
);

/** Who must have signed (cosign `--certificate-oidc-issuer` and `--certificate-identity-regexp`). */
export const signerIdentitySchema = z.strictObject({
  issuer: z.url(),
  /** Go RE2, unanchored (cosign semantics): anchor with `^…$`. */
  identityRegexp: re2,
});

/** What slsa-verifier is told about the build (`--source-uri`, `--builder-id`). */
export const provenanceIdentitySchema = z.strictObject({
  sourceUri: z
    .string()
    .check(z.regex(/^(?:git\+https:\/\/)?github\.com\/[^/\s]+\/[^/\s]+$/, 'expected github.com/<owner>/<repo>')),
  builderId: z.optional(z.string().check(z.minLength(1))),
});

/** A project profile: where a project's release evidence lives and who must have produced it. */
export const profileSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  /** Image repository without tag, e.g. `ghcr.io/natrontech/gcp-mysql-backup`. */
  image: z.string().check(z.regex(IMAGE, 'expected an image repository like ghcr.io/<owner>/<repo>')),
  /** Extra repositories to search, besides the image repository (cosign `COSIGN_REPOSITORY`-style). */
  repositories: z.strictObject({
    signature: z.array(z.string().check(z.regex(IMAGE))),
    sbom: z.array(z.string().check(z.regex(IMAGE))),
    provenance: z.array(z.string().check(z.regex(IMAGE))),
  }),
  identities: z.strictObject({
    signature: signerIdentitySchema,
    sbom: signerIdentitySchema,
    provenance: provenanceIdentitySchema,
  }),
  /**
   * CUE policy files: paths relative to the profile's directory (and inside it), or `bundled:<file>` for the
   * policies shipped in `policies/`.
   */
  policies: z.strictObject({
    provenance: z.array(z.string().check(z.minLength(1))),
    sbom: z.array(z.string().check(z.minLength(1))),
  }),
});

export type Profile = z.infer<typeof profileSchema>;
export type SignerIdentity = z.infer<typeof signerIdentitySchema>;
export type ProvenanceIdentity = z.infer<typeof provenanceIdentitySchema>;
