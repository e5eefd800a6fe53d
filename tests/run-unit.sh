#!/usr/bin/env bash
# run-unit.sh BUILD [valgrind] - run every cmocka unit test binary of BUILD/tests.
set -uo pipefail
build=${1:-build}; mode=${2:-}
fail=0
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    if [ "$mode" = valgrind ]; then
        valgrind -q --error-exitcode=1 --leak-check=full "$t" || fail=1
    else
        "$t" || fail=1
    fi
done
exit $fail
