import { generateKeyPairSync } from 'node:crypto';
import { sha256Digest } from '../../src/model/digest.js';
import type { LegacyLayerEvidence } from '../../src/model/evidence.js';

/** A JSON value that mutations can walk and edit. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** One valid real-world input with everything needed to verify it. */
export interface SweepTarget {
  id: string;
  bundle?: Json;
  layer?: LegacyLayerEvidence;
  root: Json;
  artifact?: Buffer;
  /** The digest to check: a message digest (digest-only) or the DSSE / image subject digest. */
  digest?: { algorithm: 'sha256' | 'sha384' | 'sha512'; hex: string };
  identity?: string;
  issuer?: string;
  publicKey?: string;
}

/** A copy of a target with exactly one thing changed; `name` says what (`<area>:<path>:<change>`). */
export interface Mutation {
  name: string;
  target: SweepTarget;
}

const BYTES_KEYS = new Set([
  'signature',
  'sig',
  'rawBytes',
  'signedEntryTimestamp',
  'rootHash',
  'canonicalizedBody',
  'payload',
  'digest',
  'keyId',
  'signedTimestamp',
  'SignedEntryTimestamp',
  'body',
]);
const NUMBER_KEYS = new Set(['logIndex', 'integratedTime', 'treeSize']);
const ENUMS: Record<string, string[]> = {
  kind: ['hashedrekord', 'dsse', 'intoto', 'rekord'],
  version: ['0.0.1', '0.0.2'],
  apiVersion: ['0.0.1', '0.0.2'],
  algorithm: ['SHA2_256', 'SHA2_384', 'SHA2_512', 'sha256', 'sha512'],
  mediaType: [
    'application/vnd.dev.sigstore.bundle+json;version=0.1',
    'application/vnd.dev.sigstore.bundle+json;version=0.2',
    'application/vnd.dev.sigstore.bundle.v0.3+json',
    'application/vnd.dev.sigstore.bundle+json;version=0.4',
  ],
  payloadType: ['application/vnd.in-toto+json', 'text/plain', 'application/vnd.dsse.envelope.v1+json'],
};

const clone = <T>(value: T): T => structuredClone(value);

function leaves(value: Json, path: Path = []): [Path, Json][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [[path, value]];
}

function containers(value: Json, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return children.flatMap(([k, v]) => [[...path, k], ...containers(v, [...path, k])]);
}

function edit(root: Json, path: Path, change: (parent: any, key: string | number) => void): Json {
  const copy = clone(root);
  let parent: any = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path[path.length - 1] as string | number);
  return copy;
}

const setAt = (root: Json, path: Path, value: Json): Json => edit(root, path, (p, k) => (p[k] = value));
const removeAt = (root: Json, path: Path): Json =>
  edit(root, path, (p, k) => (Array.isArray(p) ? p.splice(k as number, 1) : delete p[k]));

/** Flips one bit of base64-encoded bytes: in the middle, or at byte `at` (negative: from the end). */
export function flipBase64(value: string, at?: number): string {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0) return 'AA==';
  const i = at === undefined ? Math.floor(bytes.length / 2) : (at + bytes.length) % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

/** base64 DER whose first identifier octet (SEQUENCE, 0x30) becomes SET (0x31); nothing else changes. */
export function toSetTag(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes[0] === 0x30) bytes[0] = 0x31;
  return bytes.toString('base64');
}

function flipHex(value: string): string {
  const i = Math.floor(value.length / 2);
  return value.slice(0, i) + (value[i] === '0' ? '1' : '0') + value.slice(i + 1);
}

/** Every single-change mutation of a JSON document: bit flips, ±1, enum swaps, removals; `decode` recurses into nested JSON. */
export function jsonMutations(
  doc: Json,
  decode: (path: Path, value: string) => Json | undefined = () => undefined,
  removals = true,
): [string, Json][] {
  const out: [string, Json][] = [];
  for (const [path, value] of leaves(doc)) {
    // One inclusion-proof hash at each end is enough: the Merkle check treats every hash alike.
    if (isInnerHash(path, doc)) continue;
    const key = String(path[path.length - 1]);
    const parentKey = String(path[path.length - 2]);
    const where = path.join('.');
    if (typeof value === 'string') {
      if (BYTES_KEYS.has(key) || parentKey === 'hashes')
        out.push([`${where}:bitflip`, setAt(doc, path, flipBase64(value))]);
      // Strict DER is schema-aware: the outer SEQUENCE of a certificate or timestamp turned into a SET must fail.
      if ((key === 'signedTimestamp' || key === 'rawBytes') && value.startsWith('M'))
        out.push([`${where}:der-tag=SET`, setAt(doc, path, toSetTag(value))]);
      // An RFC3161 token's middle holds its (unauthenticated) certificates: also flip the signed TSTInfo and the signature.
      if (key === 'signedTimestamp') {
        out.push([`${where}:bitflip-tstinfo`, setAt(doc, path, flipBase64(value, 100))]);
        out.push([`${where}:bitflip-signature`, setAt(doc, path, flipBase64(value, -10))]);
      } else if (/^[a-f0-9]{40,}$/.test(value)) out.push([`${where}:hexflip`, setAt(doc, path, flipHex(value))]);
      if (NUMBER_KEYS.has(key) && /^\d+$/.test(value)) {
        out.push([`${where}:+1`, setAt(doc, path, String(BigInt(value) + 1n))]);
        out.push([`${where}:-1`, setAt(doc, path, String(BigInt(value) - 1n))]);
      }
      for (const other of ENUMS[key] ?? [])
        if (other !== value) out.push([`${where}:=${other}`, setAt(doc, path, other)]);
      if (key === 'envelope')
        for (const [name, text] of checkpointMutations(value)) out.push([`${where}:${name}`, setAt(doc, path, text)]);
      const nested = decode(path, value);
      if (nested !== undefined) {
        for (const [name, changed] of jsonMutations(nested, undefined, false)) {
          out.push([`${where}{${name}}`, setAt(doc, path, Buffer.from(JSON.stringify(changed)).toString('base64'))]);
        }
      }
    } else if (typeof value === 'number') {
      out.push([`${where}:+1`, setAt(doc, path, value + 1)], [`${where}:-1`, setAt(doc, path, value - 1)]);
    }
  }
  if (!removals) return out;
  for (const path of containers(doc)) {
    if (!isInnerHash(path, doc)) out.push([`${path.join('.')}:removed`, removeAt(doc, path)]);
  }
  return out;
}

function isInnerHash(path: Path, doc: Json): boolean {
  const index = path[path.length - 1];
  if (path[path.length - 2] !== 'hashes' || typeof index !== 'number') return false;
  let list: any = doc;
  for (const key of path.slice(0, -1)) list = list[key];
  return index !== 0 && index !== list.length - 1;
}

/** A signed note: change each line (origin, size, root hash, extra lines, each signature) once. */
function checkpointMutations(note: string): [string, string][] {
  const lines = note.split('\n');
  return lines.flatMap((line, i): [string, string][] => {
    if (line === '') return [];
    let changed: string;
    if (/^\d+$/.test(line)) changed = String(Number(line) + 1);
    else if (line.startsWith('— ')) changed = line.replace(/(\S+)$/, (b64) => flipBase64(b64));
    else if (/^[A-Za-z0-9+/]+=*$/.test(line)) changed = flipBase64(line);
    else changed = `${line}x`;
    const copy = [...lines];
    copy[i] = changed;
    return [[`line${i}`, copy.join('\n')]];
  });
}

const FAR_FUTURE = '2099-01-01T00:00:00Z';
const FAR_PAST_END = '1970-01-02T00:00:00Z';

/** Trusted-root mutations: each list emptied, every key swapped for a fresh one, every validFor window moved. */
export function rootMutations(root: Json): [string, Json][] {
  const out: [string, Json][] = [];
  const freshKey = (): string =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
  const lists = ['tlogs', 'certificateAuthorities', 'ctlogs', 'timestampAuthorities'] as const;
  const doc = root as Record<string, any>;
  for (const list of lists) {
    const entries: any[] = doc[list] ?? [];
    if (entries.length === 0) continue;
    out.push([`root.${list}:removed`, { ...doc, [list]: [] }]);
    const moved = (field: 'start' | 'end', at: string): Json => ({
      ...doc,
      [list]: entries.map((e) => withValidFor(e, list, field, at)),
    });
    out.push([`root.${list}.validFor.start:2099`, moved('start', FAR_FUTURE)]);
    out.push([`root.${list}.validFor.end:1970`, moved('end', FAR_PAST_END)]);
    if (list === 'tlogs' || list === 'ctlogs') {
      const key = freshKey();
      out.push([
        `root.${list}.publicKey:swapped`,
        { ...doc, [list]: entries.map((e) => ({ ...e, publicKey: { ...e.publicKey, rawBytes: key } })) },
      ]);
    } else {
      const foreign = { certificates: [{ rawBytes: FOREIGN_CA }] };
      out.push([
        `root.${list}.certChain:swapped`,
        { ...doc, [list]: entries.map((e) => ({ ...e, certChain: foreign })) },
      ]);
    }
  }
  return out;
}

function withValidFor(entry: any, list: string, field: 'start' | 'end', at: string): any {
  if (list === 'tlogs' || list === 'ctlogs') {
    return { ...entry, publicKey: { ...entry.publicKey, validFor: { ...entry.publicKey.validFor, [field]: at } } };
  }
  return { ...entry, validFor: { ...entry.validFor, [field]: at } };
}

/** A real CA certificate of another Sigstore instance, set by the sweep from the staging root. */
let FOREIGN_CA = '';
export function setForeignCa(rawBytes: string): void {
  FOREIGN_CA = rawBytes;
}

/** The layer with its blob replaced; the digest is recomputed, as an attacker controlling the manifest would. */
export function withPayload(layer: LegacyLayerEvidence, payload: Buffer): LegacyLayerEvidence {
  return { ...layer, payload: new Uint8Array(payload), layerDigest: sha256Digest(payload) };
}
