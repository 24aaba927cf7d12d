/**
 * Names every stage agrees on: the OIDC issuer of GitHub Actions and the predicate types of the statements the
 * checks read. They live here, below every stage, so no stage imports another stage for a constant.
 */

/** The OIDC issuer of GitHub Actions tokens: the issuer of release signers and the only one whose builders are trusted. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** The CycloneDX predicate type (`cosign attest --type cyclonedx`). */
export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';

/** predicateType of `cosign sign --new-bundle-format`: an image signature expressed as an in-toto statement. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** SLSA provenance predicate types that the provenance check reads. */
export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const SLSA_PROVENANCE_TYPES: readonly string[] = [SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1];
