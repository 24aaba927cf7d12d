import { UsageError } from '../errors.js';
import { isDigest, type Digest } from './digest.js';

/**
 * A container image reference, normalised the way docker does it (distribution/reference `ParseNormalizedNamed`):
 * `alpine` is `docker.io/library/alpine`, hosts and paths are lowercase.
 */
export interface ImageReference {
  /** Registry host with optional port, e.g. `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
  registry: string;
  /** Repository path inside the registry, e.g. `natrontech/gcp-mysql-backup`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

const DEFAULT_REGISTRY = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

// distribution/reference regexp.go: domain components, an optional port, or a bracketed IPv6 address.
const DOMAIN_COMPONENT = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-f0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Parses `[host[:port]/]path[:tag][@sha256:hex]`.
 *
 * The first component is a registry host when it contains `.` or `:` or is `localhost`; otherwise the image is on
 * Docker Hub. Hosts are lowercased (DNS does not care); an upper-case repository name is refused, as docker refuses
 * it ("repository name must be lowercase"), rather than lowercased into another repository.
 *
 * @throws UsageError when the reference is malformed.
 */
export function parseImageReference(input: string): ImageReference {
  const fail = (reason: string): never => {
    throw new UsageError(`invalid image reference "${input}": ${reason}`);
  };
  const trimmed = input.trim();
  if (trimmed === '') fail('expected [host/]name[:tag][@sha256:<hex>], got an empty string');
  if (trimmed.includes('://')) fail('expected no URL scheme, got one');

  let rest = trimmed;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const value = rest.slice(at + 1);
    if (!isDigest(value)) fail(`expected digest sha256:<64 lowercase hex>, got "${value}"`);
    digest = value as Digest;
    rest = rest.slice(0, at);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`expected tag matching [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, got "${tag}"`);
  }

  const components = rest.split('/');
  let registry = DEFAULT_REGISTRY;
  const first = components[0] ?? '';
  if (components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase();
    components.shift();
    if (!DOMAIN.test(registry)) fail(`expected a registry host[:port], got "${first}"`);
  }
  if (DOCKER_HUB_ALIASES.has(registry)) registry = DEFAULT_REGISTRY;

  const path = components;
  if (path.some((component) => component !== component.toLowerCase())) {
    fail(`expected a lowercase repository name, got "${path.join('/')}"`);
  }
  for (const component of path) {
    if (!PATH_COMPONENT.test(component))
      fail(`expected path components of [a-z0-9] joined by . _ __ or -, got "${component}"`);
  }
  if (registry === DEFAULT_REGISTRY && path.length === 1) path.unshift('library');
  const repository = path.join('/');
  if (repository.length > MAX_NAME_LENGTH) {
    fail(`expected a repository name of at most ${MAX_NAME_LENGTH} characters, got ${repository.length}`);
  }

  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * What a command-line argument names: an image (`ghcr.io/o/n`, `host:port/o/n:v1.1.2`, `…@sha256:…`), a release of
 * the default image (`latest`, `v1.1.2`), or an OCI image layout directory (`oci-layout://dir`).
 */
export type Reference =
  | { kind: 'image'; text: string; image: ImageReference }
  | { kind: 'version'; text: string; version: string }
  | { kind: 'layout'; text: string; dir: string };

const LAYOUT_SCHEME = 'oci-layout://';
/** What a bare word must look like to be taken as a version: `latest`, or starting with a digit (after a `v`). */
const VERSION_LIKE = /^(?:latest|[vV]?\d[\w.+-]*)$/;

/**
 * Classifies one command-line reference. An image reference names its repository with a `/`, a tag with `:` or a
 * digest with `@`, so a bare word such as `alpine` or a mistyped subcommand is never taken for a Docker Hub image;
 * a bare word is a version only when it looks like one (validated later, with the message that says how to verify
 * a tag that is not a release).
 *
 * @throws UsageError for a malformed image reference, a bare digest or an empty layout path; returns undefined for a bare word
 *   that is neither (the caller knows the subcommands to suggest).
 */
export function parseReference(text: string): Reference | undefined {
  if (text.startsWith(LAYOUT_SCHEME)) {
    const dir = text.slice(LAYOUT_SCHEME.length);
    if (dir === '') throw new UsageError(`invalid reference "${text}": expected oci-layout://<directory>`);
    return { kind: 'layout', text, dir };
  }
  // Docker would read `sha256:<hex>` as the tag <hex> of docker.io/library/sha256.
  if (text.startsWith('sha256:')) {
    throw new UsageError(`invalid reference "${text}": expected <image>@sha256:<hex>, got a digest without its image`);
  }
  if (/[/:@]/.test(text)) return { kind: 'image', text, image: parseImageReference(text) };
  if (VERSION_LIKE.test(text)) return { kind: 'version', text, version: text };
  return undefined;
}

/** `host/name`, the form used in reports and evidence locations. */
export function formatRepository(ref: { registry: string; repository: string }): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The full reference text: `host/name[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${formatRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * Whether a registry host (with optional port) is on the loopback interface: `localhost`, `127.0.0.0/8` or `[::1]`.
 * Such registries are spoken to over plain HTTP.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0];
  if (host === undefined) return false;
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === '[::1]') return true;
  const octets = lower.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
  );
}
