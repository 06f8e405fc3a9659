#!/usr/bin/env bash
# Runs every test: unit, integration (real redis-server, real HTTP) and browser (headless Chromium).
# Installs what a fresh machine lacks first: Chromium + ChromeDriver, a Chinese font and redis-server (Debian
# packages), Node.js for the independent WeChat crypto client, and that client's npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
# A current Redis for the tests and the embedded server; without it the old 6.2 bundled in embedded-redis runs.
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# Without a Chinese font the simulator's screenshot (target/screenshots/) shows only empty boxes.
{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; } || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} (Debian packages)…"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -f src/test/node/package-lock.json ]; then
  npm ci --prefix src/test/node --no-audit --no-fund --loglevel=error
fi

mvn -B -ntp verify "$@"
