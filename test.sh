#!/usr/bin/env bash
# Runs every test of the project. The one command the README gives for testing; CI runs it too.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
dotnet test UploadGuard.sln -c Release --blame-hang-timeout 10m --logger "console;verbosity=normal"
