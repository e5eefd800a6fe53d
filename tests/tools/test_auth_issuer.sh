#!/usr/bin/env bash
# test_auth_issuer.sh - the auth pool refuses to start unless `issuer` is the main server's origin
# (https://host[:port]: no path, query, fragment or user info), because every authorization
# response carries it as `iss` (RFC 9207) and the metadata is served at the root (RFC 8414). The
# check runs before the pool listens or connects, so no stack is needed: the pool is run with a
# configuration from the environment only and must exit 2 with its "issuer" line.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${COMPTOIR_BIN:-$here/build/bin}
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_auth ISSUER [SECONDS]: exit status of comptoir-auth with only this issuer set (stderr in
# $tmp/log). -k: once a sanitizer build's exit-time leak check was seen hanging after the SIGTERM
# (its tracer attached, the master spinning); a kill after 5 s keeps the suite from waiting on it.
run_auth() {
    local clean=()
    mapfile -t clean < <(env | sed -n 's/^\(COMPTOIR_[A-Z0-9_]*\)=.*/-u\n\1/p')
    env "${clean[@]}" COMPTOIR_WWW_DIR="$here/www" COMPTOIR_LISTEN="$tmp/auth.sock" \
        COMPTOIR_ISSUER="$1" timeout -k 5 "${2:-10}" "$bin/comptoir-auth" >"$tmp/log" 2>&1
}

for bad in "" "http://127.0.0.1:8443" "https://" "https://127.0.0.1:8443/" "https://h/path" \
    "https://h?x=1" "https://h#f" "https://user@h" "https://h x" "ftp://h"; do
    run_auth "$bad"
    rc=$?
    if [ "$rc" = 2 ] && grep -q 'issuer must be' "$tmp/log"; then
        echo "ok: issuer '$bad' refused"
    else
        echo "not ok: issuer '$bad': exit $rc"; sed 's/^/    /' "$tmp/log"; fails=$((fails + 1))
    fi
done
# a valid origin passes the check: the pool goes on to listen (its "N workers on" line); it is
# stopped after 2 s (its workers cannot reach a database here, which does not matter)
run_auth "https://127.0.0.1:8443" 2
if grep -q 'issuer must be' "$tmp/log" || ! grep -q 'workers on' "$tmp/log"; then
    echo "not ok: a valid issuer refused"; sed 's/^/    /' "$tmp/log"; fails=$((fails + 1))
else
    echo "ok: https://127.0.0.1:8443 accepted: the pool listens"
fi
[ "$fails" = 0 ]
