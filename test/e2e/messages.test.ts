import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/index.js';
import { TINY_REPO } from '../support/tiny-release.js';
import { startFaultServer, type FaultServer } from '../support/fault-server.js';
import { cli, reason } from './helpers.js';

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return `127.0.0.1:${port}`;
}

async function resolveReason(args: string[]): Promise<string> {
  const run = await cli([...args, '--checks', 'resolve', '--json']);
  expect(run.code).toBe(3);
  return reason(reportSchema.parse(JSON.parse(run.stdout)), 'resolve');
}

describe('network errors name the limit and the flag that changes it', () => {
  it('a registry that never answers: the per-request limit and --request-timeout', async () => {
    const silent = await startFaultServer(() => new Promise(() => undefined));
    servers.push(silent);
    expect(await resolveReason(['--image', `${silent.host}/${TINY_REPO}`, '--request-timeout', '0.3'])).toBe(
      `no answer from ${silent.host} within 0.3 s (--request-timeout) for tag list of ${silent.host}/${TINY_REPO}`,
    );
  });

  it('a registry that never answers within the whole run: the deadline and --timeout', async () => {
    const silent = await startFaultServer(() => new Promise(() => undefined));
    servers.push(silent);
    expect(await resolveReason(['--image', `${silent.host}/${TINY_REPO}`, '--timeout', '0.5'])).toBe(
      'expected the run to finish within 0.5 s (--timeout), got past that deadline while running step "resolve"',
    );
  });

  it('a closed port: connection refused, naming host:port', async () => {
    const host = await closedPort();
    expect(await resolveReason(['--image', `${host}/${TINY_REPO}`])).toBe(
      `connection refused by ${host} (ECONNREFUSED) for tag list of ${host}/${TINY_REPO}`,
    );
  });
});
