import 'reflect-metadata';
import { createHash, KeyObject, randomBytes, sign, webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';

/** A distribution token server (distribution/distribution `docs/spec/auth/token.md`) for a docker-registry started with `auth.token`. */
export interface TokenServer {
  /** The realm URL the registry sends clients to. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the self-signed certificate whose key signs the tokens (the registry's `rootcertbundle`). */
  certificatePem: string;
  /** Callers with these Basic credentials get every action they ask for; anonymous callers get `pull` only. */
  credentials: { username: string; password: string };
  /** Every token request, in order: the scopes asked for and who asked. */
  requests: { scopes: string[]; user: string | undefined }[];
  stop(): Promise<void>;
}

const SERVICE = 'test-registry';
const ISSUER = 'test-issuer';

/**
 * Starts a token server on 127.0.0.1:0 that signs ES256 JWTs with a fresh P-256 key. The JWT `kid` is the key's
 * libtrust key ID, which distribution 2.8 uses to find the key in its root certificate bundle.
 */
export async function startTokenServer(): Promise<TokenServer> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test-token-issuer',
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys,
  });
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const privateKey = KeyObject.from(keys.privateKey);
  const kid = libtrustKeyId(spki);
  const credentials = { username: 'alice', password: randomBytes(12).toString('hex') };
  const requests: TokenServer['requests'] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const user = authenticate(req, credentials);
    if (user === null) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((value) => value.split(' '))
      .filter(Boolean);
    requests.push({ scopes, user });
    const access = scopes.flatMap((scope) => {
      const parts = scope.split(':');
      if (parts.length < 3 || parts[0] !== 'repository') return [];
      const wanted = (parts.at(-1) ?? '').split(',');
      const actions = user === undefined ? wanted.filter((action) => action === 'pull') : wanted;
      return [{ type: 'repository', name: parts.slice(1, -1).join(':'), actions }];
    });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      sub: user ?? '',
      aud: url.searchParams.get('service') ?? SERVICE,
      exp: now + 3600,
      nbf: now - 60,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const token = signJwt({ typ: 'JWT', alg: 'ES256', kid }, claims, privateKey);
    send(res, 200, { token, access_token: token, expires_in: 3600, issued_at: new Date(now * 1000).toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: SERVICE,
    issuer: ISSUER,
    certificatePem: certificate.toString('pem'),
    credentials,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** undefined: anonymous; null: wrong credentials; otherwise the user name. */
function authenticate(
  req: IncomingMessage,
  credentials: { username: string; password: string },
): string | undefined | null {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const decoded = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
  return decoded === `${credentials.username}:${credentials.password}` ? credentials.username : null;
}

/** libtrust key ID: base32 (no padding) of the first 30 bytes of sha256(SPKI DER), in groups of 4 joined by `:`. */
function libtrustKeyId(spki: Uint8Array): string {
  const hash = createHash('sha256').update(spki).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of hash) bits += byte.toString(2).padStart(8, '0');
  let encoded = '';
  for (let i = 0; i < bits.length; i += 5) encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return encoded.match(/.{4}/g)?.join(':') ?? encoded;
}

function signJwt(header: object, claims: object, key: KeyObject): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  // JWS ES256 wants the raw r||s signature, not DER.
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
