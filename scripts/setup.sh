#!/usr/bin/env bash
# Installs what the build and tests need and is missing. Safe to run again; does nothing when all is present.
set -euo pipefail

need_apt=()
command -v curl >/dev/null 2>&1 || need_apt+=(curl)                  # the gateway tests drive uploads with curl
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)  # the SignalR backplane test runs a real Redis
# The extension's end-to-end test drives Debian's Chromium (Playwright's own browser download does not work here).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# libjpeg's own decoder (djpeg): the JPEG tests and bench/JpegBench measure the decoded L-infinity with it as well.
command -v djpeg >/dev/null 2>&1 || need_apt+=(libjpeg-turbo-progs)
# libjpeg-turbo's library: the engine holds JPEG output to the budget by libjpeg's decoder too (Imaging/LibJpeg).
compgen -G '/usr/lib/*/libturbojpeg.so.0' >/dev/null || [ -e /usr/lib/libturbojpeg.so.0 ] || need_apt+=(libturbojpeg0)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)

if ((${#need_apt[@]})); then
  echo "setup: installing ${need_apt[*]} with apt-get"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://dot.net); it is not in Debian's own archive." >&2
  exit 1
fi
if ! dotnet --list-sdks | grep -q '^10\.'; then
  echo "setup: a .NET 10 SDK is required; found: $(dotnet --list-sdks | tr '\n' ' ')" >&2
  exit 1
fi

# The extension (src/Extension) builds with npm; its tools (ESLint 10) need Node.js 20.19 or later.
node_version="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "setup: Node.js 20.19 or later is required for src/Extension; found ${node_version}" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm is required for src/Extension" >&2
  exit 1
fi
