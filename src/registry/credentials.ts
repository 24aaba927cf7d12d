import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** Credentials for one registry: a username/password (or PAT) pair, or an OAuth2 refresh token. */
export type Credentials = { username: string; password: string } | { identityToken: string; username?: string };

/** Looks up credentials for a registry host; undefined means anonymous. */
export type CredentialResolver = (registry: string) => Promise<Credentials | undefined>;

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const DOCKER_HUB_HOSTS = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
// The key `docker login` writes for Docker Hub, and what credential helpers expect as server URL for it.
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/**
 * Credentials the way the docker CLI finds them: `credHelpers[host]`, then `credsStore`, then `auths[host]` in
 * `$DOCKER_CONFIG/config.json` (or `$HOME/.docker/config.json`); for ghcr.io, `GITHUB_TOKEN`/`GH_TOKEN` when the config
 * has nothing. Results are cached per host for the run.
 *
 * @param env the environment to read (DOCKER_CONFIG, HOME, PATH, GITHUB_TOKEN, GH_TOKEN, GITHUB_ACTOR); never
 *   falls back to the real home directory, so tests stay isolated.
 */
export function createCredentialResolver(env: NodeJS.ProcessEnv): CredentialResolver {
  let config: Promise<{ path: string; value: DockerConfig } | undefined> | undefined;
  const cache = new Map<string, Promise<Credentials | undefined>>();
  return (registry) => {
    let found = cache.get(registry);
    if (found === undefined) {
      config ??= readDockerConfig(env);
      found = config.then((loaded) => resolveFor(registry, loaded?.value ?? {}, env));
      cache.set(registry, found);
    }
    return found;
  };
}

async function resolveFor(
  registry: string,
  config: DockerConfig,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  const hosts = DOCKER_HUB_HOSTS.includes(registry) ? DOCKER_HUB_HOSTS : [registry];
  const helper =
    hosts.map((host) => config.credHelpers?.[host]).find((name) => name !== undefined) ?? config.credsStore;
  if (helper !== undefined && helper !== '') {
    const fromHelper = await runCredentialHelper(
      helper,
      hosts === DOCKER_HUB_HOSTS ? DOCKER_HUB_SERVER : registry,
      env,
    );
    if (fromHelper !== undefined) return fromHelper;
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => hosts.includes(toHost(key)))?.[1];
  if (entry !== undefined) {
    const fromEntry = toCredentials(entry, registry);
    if (fromEntry !== undefined) return fromEntry;
  }
  const githubToken = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (registry === 'ghcr.io' && githubToken) {
    // ghcr.io accepts any non-empty username with a token as password.
    return { username: env.GITHUB_ACTOR || 'token', password: githubToken };
  }
  return undefined;
}

async function readDockerConfig(env: NodeJS.ProcessEnv): Promise<{ path: string; value: DockerConfig } | undefined> {
  const home = env.HOME ?? env.USERPROFILE;
  const dir = env.DOCKER_CONFIG ?? (home !== undefined ? join(home, '.docker') : undefined);
  if (dir === undefined) return undefined;
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`expected a readable docker config at ${path}, got ${(error as Error).message}`, {
      code: 'CONFIG',
      cause: error,
    });
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('not an object');
    return { path, value: value };
  } catch (error) {
    throw new UsageError(`expected a JSON object in docker config ${path}, got invalid content`, {
      code: 'CONFIG',
      cause: error,
    });
  }
}

/** `https://ghcr.io/v2/` → `ghcr.io`: config keys may carry a scheme and a path. */
function toHost(key: string): string {
  return (
    key
      .replace(/^[a-z]+:\/\//i, '')
      .split('/')[0]
      ?.toLowerCase() ?? ''
  );
}

function toCredentials(entry: NonNullable<DockerConfig['auths']>[string], registry: string): Credentials | undefined {
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      throw new UsageError(`expected auths["${registry}"].auth to be base64 of user:password, got something else`, {
        code: 'CONFIG',
      });
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (entry.identitytoken) return { identityToken: entry.identitytoken, ...(username && { username }) };
  if (username !== undefined && password !== undefined && (username !== '' || password !== ''))
    return { username, password };
  return undefined;
}

/**
 * Runs `docker-credential-<name> get` (docker-credential-helpers protocol: server URL on stdin, JSON on stdout).
 * A helper that reports "credentials not found" means anonymous; a missing helper is a configuration error.
 */
async function runCredentialHelper(
  name: string,
  server: string,
  env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    // Loaded here: most runs have no credential helper, and node:child_process costs a cold start ~1 ms.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const got = error.code === 'ENOENT' ? 'no such program on PATH' : error.message;
      reject(
        new UsageError(`expected credential helper ${program} for ${server}, got ${got}`, {
          code: 'CONFIG',
          cause: error,
        }),
      );
    });
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
  if (code !== 0) {
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new UsageError(`expected credential helper ${program} to succeed for ${server}, got exit code ${code}`, {
      code: 'CONFIG',
    });
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch (error) {
    throw new UsageError(`expected JSON from credential helper ${program}, got unparseable output`, {
      code: 'CONFIG',
      cause: error,
    });
  }
  if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string') {
    throw new UsageError(`expected Username and Secret from credential helper ${program}, got other fields`, {
      code: 'CONFIG',
    });
  }
  // The helper protocol marks identity (refresh) tokens with this username.
  if (parsed.Username === '<token>') return { identityToken: parsed.Secret };
  return { username: parsed.Username, password: parsed.Secret };
}
