#!/usr/bin/env bash
# deps.sh - install the Debian packages comptoir needs, only those missing. Called by `make run`
# and `make test`; runs as root on a fresh Debian 12 (apt-get update first, as the image's lists
# may be stale or empty).
set -euo pipefail
need=(gcc make clang libclang-rt-dev pkg-config openssl curl
      libfcgi-dev libjson-c-dev libmariadb-dev libssl-dev libcmocka-dev libcurl4-openssl-dev
      libxml2-dev libxml2-utils libargon2-dev libcairo2-dev
      poppler-utils unzip chromium
      mariadb-server mariadb-client nginx-light libnginx-mod-http-ndk libnginx-mod-http-set-misc
      nodejs wrk)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm may come from outside Debian (the image ships its own); install Debian's only
# when absent (Debian packages npm separately from nodejs).
if command -v node >/dev/null 2>&1; then
    missing=("${missing[@]/nodejs/}")
fi
if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi
set -- ${missing[@]+"${missing[@]}"}
[ $# -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages: $*; run as root or install them" >&2
    exit 1
fi
echo "deps: installing $*"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
