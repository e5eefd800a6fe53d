#!/usr/bin/env bash
# test_scheduler.sh - comptoir-scheduler as a process: the test stack runs it (live pid file, its
# start line logged, listed by status); a stack of its own shows that tools/stack start starts it
# and tools/stack stop stops it cleanly (its "stopped" line: SIGTERM, not KILL).
set -uo pipefail
: "${COMPTOIR_STACK_DIR:?run from tests/run-all.sh}"
here=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
check() { if "$@"; then echo "ok: ${desc}"; else echo "not ok: ${desc}"; fails=$((fails + 1)); fi; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
started_line() { grep -q "\"pid\":$2,.*\"msg\":\"scheduler started" "$1"; }
stopped_line() { grep -q "\"pid\":$2,.*\"msg\":\"scheduler stopped\"" "$1"; }
gone() { [ -n "$1" ] && ! kill -0 "$1" 2>/dev/null && [ ! -e "$2" ]; }
no_kill() { ! grep -q 'scheduler (pid [0-9]*) did not stop' "$1"; }
# own_stack start|stop: tools/stack on the test's own stack, without the test stack's COMPTOIR_*
own_stack() {
    local clean=()
    mapfile -t clean < <(env | sed -n 's/^\(COMPTOIR_[A-Z0-9_]*\)=.*/-u\n\1/p')
    if [ "$1" = start ]; then
        env "${clean[@]}" COMPTOIR_BIN="$bin" COMPTOIR_WORKERS=1 "$here/tools/stack" start "$own" --test
    else
        env "${clean[@]}" COMPTOIR_BIN="$bin" "$here/tools/stack" stop "$own"
    fi >>"$own.log" 2>&1 || { cat "$own.log"; return 1; }
}

s=$COMPTOIR_STACK_DIR
desc="the test stack's scheduler runs (pid file alive)"
check alive "$s/run/scheduler.pid"
pid=$(cat "$s/run/scheduler.pid" 2>/dev/null)
desc="its log has its start line"
check started_line "$s/log/scheduler.log" "$pid"
desc="tools/stack status lists it running"
check grep -q '^scheduler  *running' <("$here/tools/stack" status "$s")

# The binaries the test stack runs: those of this test's build tree.
bin=$(dirname "$(readlink "/proc/$pid/exe")")
own=$(mktemp -d /tmp/comptoir-sched-test.XXXXXX)
: > "$own.log"
trap 'own_stack stop >/dev/null 2>&1; rm -rf "$own" "$own.log"' EXIT
desc="tools/stack start (own stack)"
check own_stack start
pid=$(cat "$own/run/scheduler.pid" 2>/dev/null)
desc="after start the scheduler runs"
check alive "$own/run/scheduler.pid"
desc="its conf file is written with the database and files_dir"
check grep -q "^files_dir = $own/files$" "$own/conf/scheduler.conf"
desc="its log has its start line"
check started_line "$own/log/scheduler.log" "${pid:-0}"
desc="tools/stack stop (own stack)"
check own_stack stop
desc="after stop the scheduler is gone and its pid file removed"
check gone "$pid" "$own/run/scheduler.pid"
desc="it stopped cleanly on SIGTERM (its stopped line, no KILL)"
check stopped_line "$own/log/scheduler.log" "${pid:-0}"
check no_kill "$own.log"
[ "$fails" = 0 ]
