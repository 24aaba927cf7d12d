#!/usr/bin/env bash
# Sets up and runs the whole test suite on a fresh Debian machine: installs Debian's docker-registry (the real
# OCI registry the tests start on 127.0.0.1), the npm dependencies, builds, and runs vitest.
# Ends with the plain line "N passed, N failed" (CI reads vitest only by its exit code).
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

results="$(mktemp)"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$results"
status=$?
set -e

node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
// A skipped test proves nothing: treat it as a failure.
if (skipped > 0) process.exit(1);
' "$results" || status=1
rm -f "$results"
exit "$status"
