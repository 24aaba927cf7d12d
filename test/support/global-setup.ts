import { ensureBuilt } from './bundled-cli.js';

/** The end-to-end suites run the bundled CLI: build it once, before any test file starts, if it is stale. */
export default function setup(): void {
  ensureBuilt();
}
