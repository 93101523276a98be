#!/usr/bin/env bash
# Runs every test of the project. The one command the README gives for testing; CI runs it too.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
dotnet test UploadGuard.sln -c Release --blame-hang-timeout 10m --logger "console;verbosity=normal"

# The browser extension: lint, unit tests, bundle, then end to end in Debian's Chromium against the gateway built above.
(
  cd src/Extension
  npm ci --no-audit --no-fund
  npm run lint
  npm test
  npm run build
  npm run e2e
)
