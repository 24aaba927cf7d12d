import type { BuilderRules } from '../builders/builder-rules.js';
import { provenanceError } from '../errors.js';
import { SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1, type Provenance } from './provenance.js';
import { toProvenanceV02 } from './v0.2.js';
import { toProvenanceV1 } from './v1.js';

export * from './provenance.js';

const DECODERS: Readonly<Record<string, (statement: unknown) => Provenance>> = {
  [SLSA_PROVENANCE_V02]: toProvenanceV02,
  [SLSA_PROVENANCE_V1]: toProvenanceV1,
};

/**
 * Decodes a provenance statement with the decoder for its SLSA version and checks that the (builder, buildType)
 * pair is one the builder writes. Throws {@link ProvenanceRuleError}.
 */
export function toProvenance(statement: { predicateType: string }, builder: BuilderRules): Provenance {
  const decode = Object.hasOwn(DECODERS, statement.predicateType) ? DECODERS[statement.predicateType] : undefined;
  if (!decode) throw provenanceError('invalidDssePayload', `unexpected predicate type '${statement.predicateType}'`);
  const provenance = decode(statement);
  const known = builder.buildTypes[statement.predicateType] ?? [];
  if (!known.includes(provenance.buildType)) {
    throw provenanceError('invalidBuildType', `'${provenance.buildType}' for builder ID '${builder.workflowId}'`);
  }
  return provenance;
}
