#!/usr/bin/env bash
# Sets up and runs the whole test suite on a fresh Debian machine: installs Debian's docker-registry (the real
# OCI registry the tests start on 127.0.0.1), the npm dependencies, builds, type-checks and lints the whole tree, and
# runs vitest. Ends with the plain line "N passed, N failed" (scripts/test-summary.mjs): the type check and the lint
# count as one check each, a test file that fails to load counts as a failure, and a skipped test counts as failed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-registry >/dev/null 2>&1; then
  echo "installing docker-registry (Debian package)…" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq docker-registry >/dev/null
fi

npm ci --no-audit --no-fund
npm run build

set +e
npm run --silent typecheck
typecheck=$?
npm run --silent lint
lint=$?
results="$(mktemp)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results"
vitest=$?
node scripts/test-summary.mjs "$results" vitest=$vitest typecheck=$typecheck lint=$lint
summary=$?
set -e
rm -f "$results"
if [ "$vitest" -ne 0 ] || [ "$summary" -ne 0 ]; then exit 1; fi
