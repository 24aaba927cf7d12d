import { GITHUB_WORKFLOW_BUILD_TYPE } from '../decode/v1.js';
import { SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1 } from '../decode/provenance.js';
import type { BuilderRules } from './builder-rules.js';

/**
 * slsa-github-generator's container generator (`generator_container_slsa3.yml`), the builder that natrontech
 * projects use. It writes SLSA v0.2 provenance with the `container@v1` build type; the v1 pair is the GitHub
 * Actions workflow build type.
 */
export const containerGenerator: BuilderRules = {
  workflowId: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml',
  buildTypes: {
    [SLSA_PROVENANCE_V02]: ['https://github.com/slsa-framework/slsa-github-generator/container@v1'],
    [SLSA_PROVENANCE_V1]: [GITHUB_WORKFLOW_BUILD_TYPE],
  },
};
