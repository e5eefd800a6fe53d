#!/usr/bin/env bash
# run-all.sh BUILD - every test of `make test`: unit tests, bounded fuzz runs, then a throwaway
# stack on free ports for the ledger and HTTPS integration tests; ends with "N passed, N failed".
set -uo pipefail
build=${1:-build/san}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "PASS: $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL: $*"; }
count_cmocka() {  # count_cmocka LOG NAME
    local p f
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs=$(mktemp -d)

run_cmocka() {  # run_cmocka BINARY...: each a cmocka program; its counts join the totals
    local t n
    for t in "$@"; do
        [ -x "$t" ] || continue
        n=${t##*/}
        if "$t" >"$logs/$n.log" 2>&1; then count_cmocka "$logs/$n.log"; echo "PASS: $n"
        else count_cmocka "$logs/$n.log"; cat "$logs/$n.log"; bad "$n"; fi
    done
}

echo "== unit tests"
run_cmocka "$build"/tests/test_*

echo "== fuzz (bounded)"
if tests/run-fuzz.sh "${FUZZ_SECONDS:-15}"; then ok "fuzz targets"; else bad "fuzz targets"; fi

echo "== stack"
stack=$(mktemp -d /tmp/comptoir-test.XXXXXX)
cleanup() { COMPTOIR_BIN="$here/$build/bin" tools/stack stop "$stack" >/dev/null 2>&1; }
trap cleanup EXIT
if COMPTOIR_BIN="$here/$build/bin" tools/stack start "$stack" --test >"$logs/stack.log" 2>&1; then
    ok "stack starts"
else
    cat "$logs/stack.log"; bad "stack starts"
    echo "$passed passed, $failed failed"; exit 1
fi
set -a; . "$stack/stack.env"; set +a

echo "== C tests against the stack's MariaDB (ledger, worker runtime)"
run_cmocka "$build"/tests/db_test_*

echo "== tools against the stack"
for t in tests/tools/test_*.sh; do
    [ -x "$t" ] || continue
    if COMPTOIR_BIN="$here/$build/bin" timeout -k 10 300 "$t" >"$logs/tool.log" 2>&1; then ok "${t##*/}"; else cat "$logs/tool.log"; bad "${t##*/}"; fi
done

run_node() {  # run_node NAME DIR: node's test runner over DIR; its counts join the totals
    local name=$1 dir=$2 p f ok=1
    COMPTOIR_STACK_ENV="$stack/stack.env" COMPTOIR_BIN="$here/$build/bin" \
        node --test --test-concurrency=1 --test-reporter=spec "$dir" >"$logs/$name.log" 2>&1 || ok=0
    cat "$logs/$name.log"
    p=$(sed -n 's/^ℹ pass \([0-9]*\)/\1/p' "$logs/$name.log" | tail -1)
    f=$(sed -n 's/^ℹ fail \([0-9]*\)/\1/p' "$logs/$name.log" | tail -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    [ "$ok" = 1 ] || [ "${f:-0}" != 0 ] || bad "$name: node test runner"
}

# tests/browser's packages first: the card tests use its jose for JWE (tests/integration/lib/cards.mjs)
npm_ok=0
if [ -f tests/browser/package.json ]; then
    if (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) >"$logs/npm.log" 2>&1; then
        npm_ok=1
    else
        cat "$logs/npm.log"; bad "npm ci in tests/browser"
    fi
fi

echo "== integration (HTTPS, real nginx, pools, MariaDB)"
run_node integration tests/integration/

if [ "$npm_ok" = 1 ]; then
    echo "== browser (headless Chromium driven by playwright-core)"
    run_node browser tests/browser/
fi

# At the end of the suite, once every test has written what it writes: no PAN, CVC2 or PIN the
# card tests saw may be in clear in any log or table of the stack.
echo "== card data scan (logs and tables)"
if tests/tools/card_scan.sh "$stack" >"$logs/card_scan.log" 2>&1; then
    cat "$logs/card_scan.log"; ok "card_scan.sh"
else
    cat "$logs/card_scan.log"; bad "card_scan.sh"
fi

echo "== ledger invariants after the run"
if "$build/bin/comptoir-ledger_check" "$COMPTOIR_CONF"; then ok "ledger invariants"
else bad "ledger invariants"; fi

echo "== sanitizer reports in the pools' logs"
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$stack"/log/*.log 2>/dev/null; then
    grep -h -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$stack"/log/*.log | head -80
    bad "no sanitizer report"
else
    ok "no sanitizer report"
fi
if grep -h '"level":"err"' "$stack"/log/*.log 2>/dev/null | head -20 | grep .; then
    echo "(error lines above are from the pools' logs)"
fi
cleanup
trap - EXIT
rm -rf "$logs"
[ "$failed" = 0 ] && rm -rf "$stack"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
