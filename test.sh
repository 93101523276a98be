#!/usr/bin/env bash
# Runs every test of the project. The one command the README gives for testing; CI runs it too.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! dotnet test UploadGuard.sln -c Release --blame-hang-timeout 10m --logger "console;verbosity=normal" 2>&1 | tee "$log"; then
  # The test projects run in parallel and interleave their output; repeat the failures last, where a tail shows them.
  echo "=== failed tests (repeated from the log above) ==="
  grep -E -A 12 '^\s+Failed \S+\.\S+' "$log" | head -150
  exit 1
fi

# The browser extension: lint, unit tests, bundle, then end to end in Debian's Chromium against the gateway built above.
(
  cd src/Extension
  npm ci --no-audit --no-fund
  npm run lint
  npm test
  npm run build
  npm run e2e
)
