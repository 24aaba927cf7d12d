import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Digest, type Digest } from '../../src/model/digest.js';
import type { EvidenceLocation, LegacyLayerEvidence } from '../../src/model/evidence.js';
import { corpusDir } from './corpus.js';

/** The real-world corpus (`fixtures/realworld`); `VERIFY_RELEASE_REALWORLD` overrides it. */
export const REALWORLD_DIR = corpusDir();

/** One row of realworld/cases.json (only the fields the tests read). */
export interface RealworldCase {
  id: string;
  group: string;
  files?: string[];
  format?: string;
  expected: string;
  why: string;
  identity?: string | null;
  issuer?: string | null;
  key?: string | null;
  artifact?: string;
  subjectDigest?: string | null;
  payloadDigest?: string;
  attManifest?: string;
  layerBlob?: string;
  trustedRoot: string;
}

/** Reads realworld/cases.json (corpusDir() fails with a clear message when the corpus is missing). */
export function loadCases(): RealworldCase[] {
  const path = join(REALWORLD_DIR, 'cases.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: RealworldCase[] }).cases;
}

/** A corpus file's bytes, by its path relative to realworld/. */
export function readCorpusFile(relativePath: string): Buffer {
  return readFileSync(join(REALWORLD_DIR, relativePath));
}

/** A corpus file as JSON. */
export function readCorpusJson(relativePath: string): unknown {
  return JSON.parse(readCorpusFile(relativePath).toString('utf8')) as unknown;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface ImageManifest {
  mediaType?: string;
  layers: Descriptor[];
}

/**
 * Reads a `cosign save` OCI layout the way discovery reads a registry: index.json → the manifest annotated
 * `kind: dev.cosignproject.cosign/atts` (or `/sigs`) → its layer blobs, each checked against its digest.
 */
export function readLayoutLayers(layoutDir: string, kind: 'atts' | 'sigs'): LegacyLayerEvidence[] {
  const root = join(REALWORLD_DIR, layoutDir);
  const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const entry = index.manifests.find((manifest) => manifest.annotations?.kind === `dev.cosignproject.cosign/${kind}`);
  if (!entry) throw new Error(`no ${kind} manifest in ${layoutDir}/index.json`);
  const manifestBytes = readBlob(root, entry.digest);
  return toLayers(
    manifestBytes,
    entry.digest as Digest,
    (digest) => readBlob(root, digest),
    kind === 'atts' ? 'legacy-att' : 'legacy-sig',
  );
}

/**
 * Reads a corpus case's legacy `.att` layers. A case inside a `cosign save` layout goes through index.json (and the
 * manifest found there must be the case's `attManifest`); a derived case names its manifest and layer blob directly.
 */
export function readCaseLayers(testCase: RealworldCase): LegacyLayerEvidence[] {
  if (!testCase.attManifest || !testCase.layerBlob) throw new Error(`${testCase.id}: no attManifest/layerBlob`);
  const blobsDir = dirname(testCase.attManifest);
  if (blobsDir.endsWith('blobs/sha256')) {
    const layoutDir = dirname(dirname(blobsDir));
    const layers = readLayoutLayers(layoutDir, 'atts');
    const expected = `sha256:${testCase.attManifest.slice(blobsDir.length + 1)}`;
    if (layers[0]?.location.manifestDigest !== expected) {
      throw new Error(`${testCase.id}: index.json names ${layers[0]?.location.manifestDigest}, cases.json ${expected}`);
    }
    return layers;
  }
  const manifestBytes = readCorpusFile(testCase.attManifest);
  const blob = readCorpusFile(testCase.layerBlob);
  return toLayers(manifestBytes, sha256Digest(manifestBytes), () => blob, 'legacy-att');
}

function readBlob(root: string, digest: string): Buffer {
  const bytes = readFileSync(join(root, 'blobs', ...digest.split(':')));
  if (sha256Digest(bytes) !== digest) throw new Error(`blob ${digest} does not match its digest`);
  return bytes;
}

function toLayers(
  manifestBytes: Buffer,
  manifestDigest: Digest,
  blobOf: (digest: string) => Buffer,
  format: LegacyLayerEvidence['format'],
): LegacyLayerEvidence[] {
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  return manifest.layers.map((layer, layerIndex) => {
    const payload = blobOf(layer.digest);
    if (sha256Digest(payload) !== layer.digest) throw new Error(`layer ${layer.digest} does not match its digest`);
    const location: EvidenceLocation = {
      repository: 'realworld.invalid/corpus',
      via: 'tag',
      manifestDigest,
      layerIndex,
    };
    return {
      format,
      location,
      mediaType: layer.mediaType,
      annotations: layer.annotations ?? {},
      payload: new Uint8Array(payload),
      layerDigest: layer.digest,
    };
  });
}
