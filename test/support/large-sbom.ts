/**
 * A real-sized CycloneDX SBOM statement, generated deterministically (no 6 MB file in git): the shape Syft writes
 * for a container image (components with bom-ref, type, name, version, cpe, purl, licenses and properties), as
 * `cosign attest --type cyclonedx` wraps it. 5,000 components make about 6 MB of JSON.
 */
import { createHash } from 'node:crypto';
import type { InTotoStatement } from '../../src/model/evidence.js';
import { CYCLONEDX_PREDICATE_TYPE, IN_TOTO_STATEMENT_V01 } from './statements.js';

function hex(seed: string, length = 64): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function component(index: number): Record<string, unknown> {
  const name = `github.com/example/module-${index.toString().padStart(5, '0')}`;
  const version = `v${index % 7}.${index % 13}.${index % 101}`;
  const purl = `pkg:golang/${name}@${version}`;
  return {
    'bom-ref': `${purl}?package-id=${hex(purl, 16)}`,
    type: 'library',
    name,
    version,
    cpe: `cpe:2.3:a:example:module-${index}:${version}:*:*:*:*:*:*:*`,
    purl,
    licenses: [{ license: { id: index % 3 === 0 ? 'Apache-2.0' : index % 3 === 1 ? 'MIT' : 'BSD-3-Clause' } }],
    hashes: [{ alg: 'SHA-256', content: hex(`hash ${index}`) }],
    properties: [
      { name: 'syft:package:foundBy', value: 'go-module-binary-cataloger' },
      { name: 'syft:package:language', value: 'go' },
      { name: 'syft:package:type', value: 'go-module' },
      { name: 'syft:package:metadataType', value: 'go-module-buildinfo-entry' },
      { name: 'syft:location:0:layerID', value: `sha256:${hex(`layer ${index % 9}`)}` },
      { name: 'syft:location:0:path', value: `/usr/local/bin/app-${index % 4}` },
      { name: 'syft:metadata:h1Digest', value: `h1:${Buffer.from(hex(`h1 ${index}`), 'hex').toString('base64')}` },
      { name: 'syft:metadata:mainModule', value: 'github.com/example/app' },
      { name: 'syft:metadata:goCompiledVersion', value: 'go1.22.5' },
      { name: 'syft:cpe23', value: `cpe:2.3:a:${name.replaceAll('/', '\\/')}:${name}:${version}:*:*:*:*:*:*:*` },
    ],
  };
}

/** An in-toto v0.1 statement with a CycloneDX 1.5 SBOM of `count` components (default 5,000, about 6 MB). */
export function largeCyclonedxStatement(count = 5000): InTotoStatement {
  return {
    _type: IN_TOTO_STATEMENT_V01,
    predicateType: CYCLONEDX_PREDICATE_TYPE,
    subject: [{ name: 'ghcr.io/example/app', digest: { sha256: hex('image') } }],
    predicate: {
      $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: `urn:uuid:${hex('serial', 8)}-${hex('serial', 12).slice(8)}-4000-8000-${hex('serial', 12)}`,
      version: 1,
      metadata: {
        timestamp: '2026-04-14T10:00:00Z',
        tools: { components: [{ type: 'application', author: 'anchore', name: 'syft', version: '1.22.0' }] },
        component: { 'bom-ref': hex('root', 16), type: 'container', name: 'ghcr.io/example/app', version: 'v1.0.0' },
      },
      components: Array.from({ length: count }, (_, index) => component(index)),
    },
  };
}
