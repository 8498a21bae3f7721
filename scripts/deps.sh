#!/usr/bin/env bash
# deps.sh — install what Guanxi needs to build, run and test on Debian 12:
# Debian packages (apt) and the front-end/test packages (npm ci).
# Idempotent: packages already present are skipped. Needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

pkgs=(build-essential pkg-config meson ninja-build python3 curl ca-certificates
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libcmocka-dev libxlsxwriter-dev libcsv-dev
      postgresql postgresql-contrib gettext unicode-data chromium fonts-wqy-microhei wrk
      libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils
      libreoffice-calc-nogui)  # the tests open our Excel exports in LibreOffice
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A fresh postgresql package starts its own cluster; the tests start their
# own throwaway server instead, so the packaged one is left as it is.

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "deps: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi
