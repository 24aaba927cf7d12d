// The registry floor of `npm run bench`: what the no-CUE row's registry round trips cost a fresh Node process that
// does nothing else. It makes the same requests, in the same five dependent waves, with node:http and keep-alive as
// the CLI does (tag list; the release's index; its .sig/.att tags, referrers API and fallback tag; the layers and
// referrer manifests; their bundles), and verifies, parses or checks nothing beyond what picks the next request.
// Usage: node registry-floor.cjs <host:port> <repository> <tag>
'use strict';
const { createHash } = require('node:crypto');
const { Buffer } = require('node:buffer');
const http = require('node:http');

const [host, repository, tag] = process.argv.slice(2);
const [hostname, port] = host.split(':');
const agent = new http.Agent({ keepAlive: true });
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function get(path) {
  return new Promise((resolve, reject) => {
    const request = http.get({ hostname, port, path: `/v2/${repository}/${path}`, agent, headers: { accept: ACCEPT } });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
    });
  });
}

const json = (response) => (response.status === 200 ? JSON.parse(response.body.toString('utf8')) : undefined);
const firstLayerBlob = (manifest) => get(`blobs/${manifest.layers[0].digest}`);

async function main() {
  await get('tags/list');
  const index = await get(`manifests/${tag}`);
  const hex = createHash('sha256').update(index.body).digest('hex');
  const [, att, referrers, fallback] = await Promise.all([
    get(`manifests/sha256-${hex}.sig`),
    get(`manifests/sha256-${hex}.att`),
    get(`referrers/sha256:${hex}`),
    get(`manifests/sha256-${hex}`),
  ]);
  const listed = json(referrers) ?? json(fallback) ?? { manifests: [] };
  await Promise.all([
    ...(json(att)?.layers ?? []).map((layer) => get(`blobs/${layer.digest}`)),
    ...listed.manifests.map(async (descriptor) => firstLayerBlob(json(await get(`manifests/${descriptor.digest}`)))),
  ]);
  agent.destroy();
}

main().catch((error) => {
  process.stderr.write(`registry floor: ${error.message}\n`);
  process.exitCode = 1;
});
