#!/usr/bin/env bash
# run-fuzz.sh SECONDS - a bounded run of every fuzz target on a copy of its seed corpus.
set -uo pipefail
secs=${1:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for f in "$here"/build/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=${f##*/fuzz_}
    mkdir -p "$work/$name"
    [ -d "$here/tests/fuzz/corpus/$name" ] && cp -r "$here/tests/fuzz/corpus/$name/." "$work/$name/"
    if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix="$work/" "$work/$name" >"$work/$name.log" 2>&1; then
        echo "fuzz $name: ok ($(grep -c . "$work/$name.log") log lines, ${secs}s)"
    else
        echo "fuzz $name: FAILED"; tail -40 "$work/$name.log"; fail=1
    fi
done
exit $fail
