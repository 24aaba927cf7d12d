/** What verify-release knows about one trusted builder (slsa-verifier: one verifier per builder family). */
export interface BuilderRules {
  /** The builder's reusable workflow without a ref, `https://github.com/<owner>/<repo>/<path>`. */
  workflowId: string;
  /** Build types this builder writes, by SLSA predicate type; any other pair is rejected. */
  buildTypes: Readonly<Record<string, readonly string[]>>;
}
