import sigstoreBundle from '@sigstore/bundle/package.json' with { type: 'json' };
import sigstoreCore from '@sigstore/core/package.json' with { type: 'json' };
import sigstoreTuf from '@sigstore/tuf/package.json' with { type: 'json' };
import sigstoreVerify from '@sigstore/verify/package.json' with { type: 'json' };
import { CUE_VERSION } from '../policy/cue.js';

/** What `verify-release version` reports; the Sigstore versions are those built into the command (esbuild inlines them). */
export interface Versions {
  verifyRelease: string;
  cue: string;
  sigstore: Record<string, string>;
  node: string;
}

export function versions(cliVersion: string): Versions {
  return {
    verifyRelease: cliVersion,
    cue: CUE_VERSION,
    sigstore: Object.fromEntries(
      [sigstoreVerify, sigstoreBundle, sigstoreCore, sigstoreTuf].map(({ name, version }) => [name, version]),
    ),
    node: process.version,
  };
}

export function renderVersions(found: Versions): string {
  return [
    `verify-release ${found.verifyRelease}`,
    `CUE ${found.cue} (cue-wasm)`,
    ...Object.entries(found.sigstore).map(([name, version]) => `${name} ${version}`),
    `Node.js ${found.node}`,
  ]
    .map((line) => `${line}\n`)
    .join('');
}
