#!/usr/bin/env bash
# test_openapi.sh - docs/openapi.yaml documents every route of every pool's route table, with
# its method, and documents no route that does not exist.
set -uo pipefail
cd "$(dirname "$0")/../.."
spec=docs/openapi.yaml
fails=0
# "METHOD /path" for every row of every route table: preprocess (macros such as CUST expand),
# join adjacent string literals, then read each {"METHOD", "/path" pair. HEAD rows (auth_request
# targets) are not API operations.
routes=$(for f in fcgi/*/routes.c; do
    cc -E -P -Ifcgi/lib/include $(pkg-config --cflags json-c libmariadb 2>/dev/null) "$f" |
        tr -d '\n' | sed -E 's/" *"//g' |
        grep -oE '\{ *"(GET|POST|PUT|PATCH|DELETE)", *"[^"]*"' |
        sed -E 's/^\{ *"([A-Z]+)", *"([^"]*)"/\1 \2/'
done | grep -vE '^(POST|PUT|PATCH|DELETE) /_auth/' | sort -u)
# (/_auth/{realm} answers nginx's subrequest under every method of the protected request; the
# spec documents it once, as GET.)
# "METHOD /path" for every operation in the spec: path keys at two spaces, methods at four
documented=$(awk '/^  \/[^ ]*:$/ {p=$1; sub(":$","",p)} /^    (get|post|put|patch|delete):/ {m=toupper($1); sub(":$","",m); print m, p}' "$spec" | sort -u)
while read -r r; do
    [ -n "$r" ] || continue
    # internal routes (nginx-only) are documented too, under their path
    if ! grep -qxF "$r" <<<"$documented"; then echo "not documented: $r"; fails=$((fails + 1)); fi
done <<<"$routes"
while read -r d; do
    [ -n "$d" ] || continue
    if ! grep -qxF "$d" <<<"$routes"; then echo "documented but not served: $d"; fails=$((fails + 1)); fi
done <<<"$documented"
echo "$(wc -l <<<"$routes") routes, $(wc -l <<<"$documented") documented operations, $fails problems"
[ "$fails" = 0 ]
