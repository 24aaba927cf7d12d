import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { HttpExchange, RegistryResponse, ResponseBody } from './transport.js';

/**
 * The registry transport's HTTP exchange on node:http/node:https, hand-written because globalThis.fetch costs a
 * cold start 70-100 ms: Node 20 loads and compiles its whole undici bundle on first use. It does what fetch with
 * `redirect: 'manual'` did for us: no redirect followed, no Accept-Encoding sent and nothing decompressed (the bytes
 * must be the ones a digest covers), and an aborted signal rejects the answer or the body read with `signal.reason`.
 * TLS is Node's default (its CA store, NODE_EXTRA_CA_CERTS). Connections are kept alive and reused within one
 * exchange function (one client); Node unrefs idle sockets, so they never keep the process alive.
 */
export function createHttpExchange(): HttpExchange {
  const http = { request: httpRequest, agent: new HttpAgent({ keepAlive: true }) };
  // node:https (and TLS with it) is loaded for the first https: URL only: a plain-HTTP run does not pay for it.
  let https: typeof http | undefined;
  const transportFor = (secure: boolean): typeof http => {
    if (!secure) return http;
    if (https === undefined) {
      const { request, Agent } = process.getBuiltinModule('node:https');
      https = { request, agent: new Agent({ keepAlive: true }) };
    }
    return https;
  };
  return (url, init) =>
    new Promise<RegistryResponse>((resolve, reject) => {
      const { signal } = init;
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const transport = transportFor(url.protocol === 'https:');
      // A User-Agent as fetch sent one (`node`): some front ends turn away requests without any.
      const headers: Record<string, string> = { 'user-agent': 'verify-release', ...init.headers };
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
      const request = transport.request(url, { method: init.method, headers, agent: transport.agent });
      let response: IncomingMessage | undefined;
      const onAbort = (): void => {
        const reason = signal.reason as Error;
        (response ?? request).destroy(reason);
        reject(reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const release = (): void => signal.removeEventListener('abort', onAbort);
      request.on('error', (error) => {
        release();
        reject(error);
      });
      request.on('response', (answer) => {
        response = answer;
        // Without a listener an error on a body nobody reads would crash the process; a reader sees it as a rejection.
        answer.on('error', () => undefined);
        answer.on('close', release);
        resolve({ status: answer.statusCode ?? 0, headers: headersOf(answer), body: bodyOf(answer) });
      });
      request.end(init.body);
    });
}

function headersOf(answer: IncomingMessage): RegistryResponse['headers'] {
  const all = answer.headersDistinct;
  return { get: (name) => all[name.toLowerCase()]?.join(', ') ?? null };
}

function bodyOf(answer: IncomingMessage): ResponseBody {
  let chunks: AsyncIterator<Buffer> | undefined;
  return {
    getReader: () => {
      chunks ??= answer[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const iterator = chunks;
      return {
        read: async () => {
          const next = await iterator.next();
          return next.done === true ? { done: true } : { done: false, value: next.value };
        },
        cancel: async () => {
          await iterator.return?.();
        },
      };
    },
    // A body that has fully arrived is drained, so its connection is back in the pool for the next request (a 401's
    // retry, a redirect's next hop); one still arriving is cut off.
    cancel: () =>
      new Promise<void>((done) => {
        if (!answer.complete || answer.readableEnded) {
          if (!answer.complete) answer.destroy();
          done();
          return;
        }
        answer.once('end', done).once('close', done).resume();
      }),
  };
}
