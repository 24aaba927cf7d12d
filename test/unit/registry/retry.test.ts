import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/errors.js';
import { DeadlineError, startDeadline } from '../../../src/registry/deadline.js';
import { MAX_RETRY_DELAY_MS, retryAfter, withRetry } from '../../../src/registry/retry.js';
import type { RegistryFetch, RegistryRequest } from '../../../src/registry/transport.js';

const REQUEST: RegistryRequest = {
  url: new URL('https://r.example/v2/a/manifests/v1'),
  registry: 'r.example',
  what: 'manifest r.example/a:v1',
};

/** A transport that plays back the given outcomes in order and counts calls. */
function scripted(outcomes: (Response | Error)[]): RegistryFetch & { calls: number } {
  const fn = Object.assign(
    async (): Promise<Response> => {
      const next = outcomes[fn.calls++];
      if (next === undefined) throw new Error('no more scripted outcomes');
      if (next instanceof Error) throw next;
      return next;
    },
    { calls: 0 },
  );
  return fn;
}

function reset(): RegistryError {
  const cause = Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  });
  return new RegistryError('NETWORK', 'expected a response, got ECONNRESET', { cause });
}

describe('withRetry', () => {
  it('retries 429/502/503/504 with exponential backoff and returns the first success', async () => {
    const slept: number[] = [];
    const next = scripted([
      new Response('', { status: 503 }),
      new Response('', { status: 502 }),
      new Response('', { status: 504 }),
      new Response('ok'),
    ]);
    const response = await withRetry(next, { retries: 3, sleep: async (ms) => void slept.push(ms) })(REQUEST);
    expect(response.status).toBe(200);
    expect(slept).toEqual([1000, 2000, 4000]);
  });

  it('honours Retry-After in seconds and as an HTTP date, capped', async () => {
    const slept: number[] = [];
    const now = Date.parse('2026-01-01T00:00:00Z');
    const next = scripted([
      new Response('', { status: 429, headers: { 'retry-after': '7' } }),
      new Response('', { status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:08 GMT' } }),
      new Response('', { status: 429, headers: { 'retry-after': '86400' } }),
      new Response('ok'),
    ]);
    await withRetry(next, { retries: 3, sleep: async (ms) => void slept.push(ms), now: () => now })(REQUEST);
    expect(slept).toEqual([7000, 8000, MAX_RETRY_DELAY_MS]);
    expect(MAX_RETRY_DELAY_MS).toBe(10_000);
  });

  it('never starts a wait that would end past the run deadline', async () => {
    const slept: number[] = [];
    let clock = 0;
    const deadline = startDeadline(5_000, () => clock);
    const next = scripted([
      new Response('', { status: 503, headers: { 'retry-after': '3' } }),
      new Response('', { status: 503, headers: { 'retry-after': '3' } }),
      new Response('ok'),
    ]);
    const retrying = withRetry(next, {
      retries: 3,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      now: () => clock,
      deadline,
    });
    const error = await retrying(REQUEST).catch((e: unknown) => e);
    deadline.stop();
    expect(error).toBeInstanceOf(DeadlineError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(slept).toEqual([3000]);
    expect(next.calls).toBe(2);
  });

  it('returns the last retryable response when attempts run out', async () => {
    const next = scripted([new Response('', { status: 429 }), new Response('', { status: 429 })]);
    const response = await withRetry(next, { retries: 1, sleep: async () => undefined })(REQUEST);
    expect(response.status).toBe(429);
    expect(next.calls).toBe(2);
  });

  it('does not retry other statuses', async () => {
    const next = scripted([new Response('', { status: 500 })]);
    expect((await withRetry(next, { retries: 3, sleep: async () => undefined })(REQUEST)).status).toBe(500);
    expect(next.calls).toBe(1);
  });

  it('retries reset connections but not refused ones or timeouts', async () => {
    const slept: number[] = [];
    const next = scripted([reset(), new Response('ok')]);
    expect((await withRetry(next, { retries: 3, sleep: async (ms) => void slept.push(ms) })(REQUEST)).status).toBe(200);
    expect(slept).toEqual([1000]);

    const refused = new RegistryError('NETWORK', 'refused', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    const timeout = new RegistryError('TIMEOUT', 'timeout');
    for (const error of [refused, timeout]) {
      const once = scripted([error, new Response('ok')]);
      await expect(withRetry(once, { retries: 3, sleep: async () => undefined })(REQUEST)).rejects.toBe(error);
      expect(once.calls).toBe(1);
    }
  });

  it('rethrows the last reset when attempts run out', async () => {
    const last = reset();
    const next = scripted([reset(), reset(), last]);
    await expect(withRetry(next, { retries: 2, sleep: async () => undefined })(REQUEST)).rejects.toBe(last);
  });
});

describe('retryAfter', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['soon', undefined],
    ['0', 0],
    ['3', 3000],
    ['Thu, 01 Jan 2026 00:00:00 GMT', 0],
  ])('%j → %j', (header, expected) => {
    expect(retryAfter(header, Date.parse('2026-01-01T00:00:05Z'))).toBe(expected);
  });
});
