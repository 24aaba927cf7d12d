#!/usr/bin/env node
// `-V` needs none of the program: answer it before loading the bundle, so it costs little more than Node's start.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '-V' || args[0] === '--cli-version')) {
  const { readFileSync } = await import('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const { fileURLToPath } = await import('node:url');
  const { runBundle } = await import('./load-bundle.js');
  const { main } = runBundle(fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url))).exports;
  await main(process.argv);
}
