#!/usr/bin/env bash
# bench/run.sh - throughput and latency of the partner API against this box's ceilings.
#
# Starts a throwaway stack with the normal build (build/bin), seeds customers and balances
# through the API, then measures with bench/ctload (libcurl, TLS + the demo partner's client
# certificate, HTTP/1.1 keep-alive), at each concurrency of CONC for DUR seconds:
#   read    GET  /secure/customers/{c}/balances/{b}           spread over NBAL balances
#   reload  POST /secure/customers/{c}/balances/{b}/reload     spread over NBAL balances
#   reload1 POST  the same, always one balance (a hot row)
# Every reload carries a fresh Idempotency-Key. Then it runs build/bin/comptoir-ledger_check
# (must exit 0), stops the stack and runs the ceilings kit (../shared/bench/limits) for L4, L5
# and L5h at the same concurrencies, and prints one table: endpoint, c, req/s, p99, ceiling,
# ceiling req/s, ratio. The table and the raw lines also go to bench/results/latest.txt.
#
# `make bench` builds and runs this. Environment (defaults in brackets):
#   DUR [10]          seconds per measurement (each is preceded by WARMUP [1] s of load)
#   CONC ["16 64"]    concurrent connections      THREADS [2] ctload threads (wrk uses 2)
#   NBAL [300]        customers/balances seeded for the spread loads
#   COMPTOIR_WORKERS  workers of the secure pool, passed to tools/stack [its default]
#   COMPTOIR_RATE_API, COMPTOIR_RATE_PARTNER  nginx rate limits [1000000r/s: lifted]
#   LIMITS [1]        0 skips the ceilings kit (quick runs, worker sweeps)
#   LIMITS_DUR [DUR]  seconds per ceiling       LIMIT_PROCS [2] / LIMIT_WPROCS [16] kit prefork
#   LIMITS_KIT        path of the kit's run.sh [../shared/bench/limits/run.sh beside the repo]
#   LIMITS_TLS [1]    also measure L1 (plain HTTP) and L2 (TLS) to show what TLS costs: the
#                     L4/L5 ceilings are plain HTTP, the partner API is TLS + client certificate
#   KEEP_TMP [0]      1 keeps the stack directory (logs) after the run; kept anyway on failure
# Exit status: 0 when every measurement is clean (no errors, no non-2xx) and the ledger check
# passes; 1 otherwise (the results are written either way).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
DUR=${DUR:-10}
WARMUP=${WARMUP:-1}
CONC=${CONC:-"16 64"}
THREADS=${THREADS:-2}
NBAL=${NBAL:-300}
LIMITS=${LIMITS:-1}
LIMITS_DUR=${LIMITS_DUR:-$DUR}
LIMIT_PROCS=${LIMIT_PROCS:-2}
LIMIT_WPROCS=${LIMIT_WPROCS:-16}
LIMITS_KIT=${LIMITS_KIT:-$REPO/../shared/bench/limits/run.sh}
LIMITS_TLS=${LIMITS_TLS:-1}
KEEP_TMP=${KEEP_TMP:-0}
BIN=$REPO/build/bin
CTLOAD=$REPO/build/bench/ctload
RESULTS_DIR=$REPO/bench/results
# Everything comes from 127.0.0.1 with one partner certificate: lift the per-address and the
# per-partner rate limits (nginx answers 429 above them) unless told otherwise.
export COMPTOIR_RATE_API=${COMPTOIR_RATE_API:-1000000r/s}
export COMPTOIR_RATE_PARTNER=${COMPTOIR_RATE_PARTNER:-1000000r/s}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for v in DUR WARMUP THREADS NBAL LIMITS_DUR LIMIT_PROCS LIMIT_WPROCS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v='${!v}' is not a number"
done
for c in $CONC; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "CONC: '$c' is not a number"; done
[ "$NBAL" -ge 1 ] || die "NBAL must be at least 1"
[ -x "$BIN/comptoir-secure" ] || die "$BIN/comptoir-secure missing: run make (make bench builds it)"
[ -x "$BIN/comptoir-ledger_check" ] || die "$BIN/comptoir-ledger_check missing: run make"

# ---- ctload ----------------------------------------------------------------------------------
build_ctload() {
    local flags
    if [ -x "$CTLOAD" ] && [ "$CTLOAD" -nt bench/ctload.c ]; then
        return 0
    fi
    flags=$(pkg-config --cflags --libs libcurl) || die "libcurl not found (tools/deps.sh installs it)"
    mkdir -p "$(dirname "$CTLOAD")"
    # shellcheck disable=SC2086  # $flags is a word list
    gcc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wvla -pthread -o "$CTLOAD" bench/ctload.c $flags ||
        die "building ctload failed"
    say "built $CTLOAD"
}
build_ctload
# What is measured, fixed now: the tree and the binary may change while the run goes on.
REV="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- fcgi conf tools sql 2>/dev/null || echo '+dirty')"

# ---- stack -----------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/comptoir-bench.XXXXXX")
# nginx workers may drop to an unprivileged user: they must reach the pool sockets inside.
chmod 755 "$TMP"
STACK=$TMP/stack
# Run a private copy of the binaries: a `make` elsewhere during the run cannot swap them, and
# BIN_ID names exactly what ran.
mkdir -p "$TMP/bin"
cp -p "$BIN"/comptoir-* "$TMP/bin/"
BIN=$TMP/bin
BIN_ID="comptoir-secure $(sha256sum "$BIN/comptoir-secure" | cut -c1-12) built $(date -u -r "$BIN/comptoir-secure" '+%F %T')"
STARTED=0
OK_EXIT=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$STARTED" = 1 ]; then
        tools/stack stop "$STACK" >/dev/null 2>&1 || say "stopping the stack in $STACK failed"
    fi
    if [ "$KEEP_TMP" = 1 ] || [ "$OK_EXIT" != 1 ]; then
        say "kept $TMP (stack logs in $STACK/log)"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a throwaway stack in $STACK (workers: ${COMPTOIR_WORKERS:-pool default})"
STARTED=1
COMPTOIR_BIN=$BIN tools/stack start "$STACK" --test > "$TMP/stack-start.log" 2>&1 ||
    { tail -n 30 "$TMP/stack-start.log" >&2; die "tools/stack start failed"; }
# shellcheck disable=SC1091
. "$STACK/stack.env"
for v in COMPTOIR_MAIN_URL COMPTOIR_CA COMPTOIR_PARTNER_CERT COMPTOIR_PARTNER_KEY COMPTOIR_CONF; do
    [ -n "${!v:-}" ] || die "$STACK/stack.env has no $v"
done
# COMPTOIR_CONF is the first pool's file, not necessarily the secure pool's.
WORKERS=$(sed -n 's/^workers *= *//p' "$STACK/conf/secure.conf" 2>/dev/null | head -n 1)
TLS=(--cacert "$COMPTOIR_CA" --cert "$COMPTOIR_PARTNER_CERT" --key "$COMPTOIR_PARTNER_KEY")
API=$COMPTOIR_MAIN_URL/secure

# ---- seeding ---------------------------------------------------------------------------------
# One curl process per batch, one keep-alive connection: each block of the config file is one
# request; every answer is printed as "<status><TAB><body>" on its own line.
# curl_batch FILE: FILE holds "URL<TAB>JSON" lines; prints the answers in the same order.
curl_batch() {
    local in=$1 cfg=$TMP/batch.cfg url body first=1
    : > "$cfg"
    while IFS=$'\t' read -r url body; do
        [ "$first" = 1 ] || echo "next" >> "$cfg"
        first=0
        {
            printf 'url = "%s"\n' "$url"
            printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\n' "$COMPTOIR_CA" \
                "$COMPTOIR_PARTNER_CERT" "$COMPTOIR_PARTNER_KEY"
            printf 'header = "Content-Type: application/json"\n'
            printf 'data = "%s"\n' "${body//\"/\\\"}"
            printf 'silent\nshow-error\nwrite-out = "\\n@@status %%{http_code}\\n"\n'
        } >> "$cfg"
    done < "$in"
    # the body (any number of lines), then "@@status NNN": print "NNN<TAB>body" on one line
    curl -K "$cfg" | awk '/^@@status / { print $2 "\t" b; b = ""; next } NF { b = b $0 }'
}
# json_id JSON -> the value of the first "id" key (string or number).
json_id() {
    grep -o '"id" *: *"\{0,1\}[^",}]*' <<<"$1" | head -n 1 | sed 's/^"id" *: *"\{0,1\}//'
}

# seed_ids ANSWERS OUT WHAT: check every answer is 201 and write the ids, one a line.
seed_ids() {
    local answers=$1 out=$2 what=$3 st body id n=0
    : > "$out"
    while IFS=$'\t' read -r st body; do
        n=$((n + 1))
        [ "$st" = 201 ] || die "seeding $what #$n: HTTP $st: $body"
        id=$(json_id "$body")
        [[ $id =~ ^[A-Za-z0-9-]+$ ]] || die "seeding $what #$n: no id in $body"
        echo "$id" >> "$out"
    done < "$answers"
}

seed() {
    local i run cid
    run=$(date +%s)-$$
    say "seeding $NBAL customers with one EUR balance each"
    for ((i = 0; i < NBAL; i++)); do
        printf '%s/customers\t{"email":"bench-%s-%d@example.com","phone":"+48601234567","first_name":"Bench","last_name":"Load%d","country":"PL","birth_date":"1990-01-01"}\n' \
            "$API" "$run" "$i" "$i"
    done > "$TMP/cust.req"
    curl_batch "$TMP/cust.req" > "$TMP/cust.ans"
    seed_ids "$TMP/cust.ans" "$TMP/cust.ids" customer
    while read -r cid; do
        printf '%s/customers/%s/balances\t{"currency":"EUR"}\n' "$API" "$cid"
    done < "$TMP/cust.ids" > "$TMP/bal.req"
    curl_batch "$TMP/bal.req" > "$TMP/bal.ans"
    seed_ids "$TMP/bal.ans" "$TMP/bal.ids" balance
    paste -d' ' "$TMP/cust.ids" "$TMP/bal.ids" > "$TMP/pairs"
    awk -v a="$API" '{ print a "/customers/" $1 "/balances/" $2 }' "$TMP/pairs" > "$TMP/read.urls"
    awk -v a="$API" '{ print a "/customers/" $1 "/balances/" $2 "/reload" }' "$TMP/pairs" > "$TMP/reload.urls"
    head -n 1 "$TMP/reload.urls" > "$TMP/reload1.urls"
}
seed

RELOAD_BODY='{"amount":"1.00"}'
# One request of each kind by hand first: a broken endpoint fails here, with its answer, not
# after minutes of load.
smoke() {
    local out st
    out=$(curl -sS "${TLS[@]}" -w '\t%{http_code}' "$(head -n 1 "$TMP/read.urls")") || die "smoke GET failed"
    st=${out##*$'\t'}
    [ "$st" = 200 ] || die "GET balance answered $st: ${out%$'\t'*}"
    out=$(curl -sS "${TLS[@]}" -w '\t%{http_code}' -H 'Content-Type: application/json' \
        -H "Idempotency-Key: bench-smoke-$$-$RANDOM" -d "$RELOAD_BODY" \
        "$(head -n 1 "$TMP/reload.urls")") || die "smoke reload failed"
    st=${out##*$'\t'}
    [[ $st == 20? ]] || die "reload answered $st: ${out%$'\t'*}"
}
smoke

# ---- CPU accounting --------------------------------------------------------------------------
# Where the CPU goes per request: user+system ticks of the pool (its process group), nginx
# (master and workers), mariadbd, and the whole box (/proc/stat), sampled around each load.
CLK_TCK=$(getconf CLK_TCK)
read -r POOL_PID < "$STACK/run/secure.pid"
read -r NGINX_PID < "$STACK/run/nginx.pid"
read -r DB_PID < "$STACK/run/mariadbd.pid"
# proc_ticks PID... -> user+system ticks summed over the PIDs (all their threads)
proc_ticks() {
    local p t=0 st f
    for p in "$@"; do
        st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        read -ra f <<<"${st##*) }"
        t=$((t + f[11] + f[12]))
    done
    echo "$t"
}
# box_busy -> ticks all CPUs spent not idle (user nice system irq softirq steal)
box_busy() {
    local f
    read -ra f < /proc/stat
    echo $((f[1] + f[2] + f[3] + f[6] + f[7] + f[8]))
}
# cpu_sample -> "pool nginx db box" ticks so far
cpu_sample() {
    local pool ng
    pool=$(pgrep -g "$POOL_PID" | tr '\n' ' ')
    ng="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
    # shellcheck disable=SC2086  # word lists of PIDs
    echo "$(proc_ticks $pool) $(proc_ticks $ng) $(proc_ticks "$DB_PID") $(box_busy)"
}

# ---- measurements ----------------------------------------------------------------------------
# measure NAME C ctload-args... -> appends "NAME C <ctload line>" to $TMP/ours and
# "NAME C pool nginx db box" tick deltas to $TMP/cpu
measure() {
    local name=$1 c=$2 line b0 b1 b2 b3 a0 a1 a2 a3
    shift 2
    read -r b0 b1 b2 b3 < <(cpu_sample)
    line=$("$CTLOAD" "${TLS[@]}" --conns "$c" --threads "$THREADS" --duration "$DUR" \
        --warmup "$WARMUP" "$@" 2> "$TMP/ctload-$name-$c.err") ||
        { cat "$TMP/ctload-$name-$c.err" >&2; die "ctload $name c=$c failed"; }
    read -r a0 a1 a2 a3 < <(cpu_sample)
    echo "$name $c $((a0 - b0)) $((a1 - b1)) $((a2 - b2)) $((a3 - b3))" >> "$TMP/cpu"
    printf '%s c=%s %s\n' "$name" "$c" "$line" | tee -a "$TMP/ours" >&2
    [ -s "$TMP/ctload-$name-$c.err" ] && sed 's/^/    /' "$TMP/ctload-$name-$c.err" >&2
    return 0
}
: > "$TMP/ours"
: > "$TMP/cpu"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $CONC; do
    say "measuring at c=$c, ${DUR}s each (+${WARMUP}s warm-up)"
    measure read "$c" --url-list "$TMP/read.urls"
    measure reload "$c" --url-list "$TMP/reload.urls" --method POST --body "$RELOAD_BODY" --idem
    measure reload1 "$c" --url-list "$TMP/reload1.urls" --method POST --body "$RELOAD_BODY" --idem
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

say "ledger check"
LEDGER=ok
rc=0
"$BIN/comptoir-ledger_check" "$COMPTOIR_CONF" > "$TMP/ledger_check.out" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
    LEDGER="FAILED (exit $rc)"
    sed 's/^/    /' "$TMP/ledger_check.out" >&2
fi
tools/stack stop "$STACK" > /dev/null 2>&1 || say "stopping the stack failed"
STARTED=0

# ---- ceilings --------------------------------------------------------------------------------
: > "$TMP/limits"
if [ "$LIMITS" = 1 ]; then
    [ -x "$LIMITS_KIT" ] || die "ceilings kit $LIMITS_KIT not found (set LIMITS_KIT or LIMITS=0)"
    ids="L4 L5 L5h"
    [ "$LIMITS_TLS" = 1 ] && ids="L1 L2 $ids"
    say "ceilings kit: $ids at c=$CONC, ${LIMITS_DUR}s each"
    # sweep mode with one prefork count each = quick mode at every concurrency of CONC, in one
    # start of the kit's MariaDB.
    ONLY="$ids" MODE=sweep REPS=1 DUR=$LIMITS_DUR CONC_LIST="$CONC" PROC_LIST=$LIMIT_PROCS \
        WPROC_LIST=$LIMIT_WPROCS WRK_THREADS=$THREADS RESULTS="$TMP/limits" \
        "$LIMITS_KIT" > "$TMP/limits.out" 2> "$TMP/limits.err" ||
        { tail -n 20 "$TMP/limits.err" >&2; say "ceilings kit failed: ratios left empty"; }
fi

# ---- report ----------------------------------------------------------------------------------
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
ceiling_line() { grep -E "^$1 .* c=$2( |$)" "$TMP/limits" | tail -n 1 || true; }

# CPU per request in microseconds, from the tick deltas of $TMP/cpu. Requests are counted as
# req_s x (WARMUP + DUR), since the ticks cover the warm-up too.
cpu_table() {
    local name c pool ng db box line rq cl
    printf '\n# CPU per request, us: pool, nginx, mariadbd, client (ctload), rest of the box (kernel\n'
    printf '# softirq, other tenants); busy = the whole box during the load (%s CPUs = 100%%)\n' "$(nproc)"
    printf '%-30s %4s %7s %7s %7s %7s %7s %6s\n' endpoint c pool nginx db client rest busy%
    while read -r name c pool ng db box; do
        line=$(grep -E "^$name c=$c " "$TMP/ours" | tail -n 1)
        rq=$(field req_s "$line") cl=$(field cpu_s "$line")
        awk -v n="$name" -v c="$c" -v p="$pool" -v g="$ng" -v d="$db" -v b="$box" -v r="$rq" \
            -v cl="${cl:-0}" -v hz="$CLK_TCK" -v t="$((DUR + WARMUP))" -v ncpu="$(nproc)" 'BEGIN {
            lab = n == "read" ? "GET balance (spread)" : n == "reload" ? "POST reload (spread)" : "POST reload (one balance)"
            req = r * t; if (req <= 0) req = 1; us = 1e6 / hz
            rest = b * us - (p + g + d) * us - cl * 1e6
            printf "%-30s %4s %7.0f %7.0f %7.0f %7.0f %7.0f %5.0f%%\n", lab, c, p * us / req, g * us / req,
                d * us / req, cl * 1e6 / req, rest / req, 100 * b / (hz * t * ncpu)
        }'
    done < "$TMP/cpu"
}

report() {
    local name c line lim cid label rq p99 err non lrq lp99 ratio flag l1 l2 bad=0
    printf '# comptoir bench %s  rev %s  %s\n' "$(date -u '+%F %T UTC')" "$REV" "$BIN_ID"
    printf '# box %s cpus; load before %s, after %s; secure workers %s; DUR %ss; ctload threads %s; balances %s\n' \
        "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER" "${WORKERS:-?}" "$DUR" "$THREADS" "$NBAL"
    printf '# ledger_check: %s\n' "$LEDGER"
    printf '%-30s %4s %8s %8s  %-4s %9s %8s %6s\n' endpoint c req/s p99_ms ceil ceil_req/s ceil_p99 ratio
    while read -r name c line; do
        c=${c#c=}
        case $name in
        read) label="GET balance (spread)" cid=L4 ;;
        reload) label="POST reload (spread)" cid=L5 ;;
        reload1) label="POST reload (one balance)" cid=L5h ;;
        esac
        rq=$(field req_s "$line") p99=$(field p99_ms "$line")
        err=$(field errors "$line") non=$(field non2xx "$line")
        lim=$(ceiling_line "$cid" "$c")
        lrq=$(field req_s "$lim") lp99=$(field p99_ms "$lim")
        ratio=-
        if [ -n "$lrq" ] && [ "${lrq%.*}" -gt 0 ] 2>/dev/null; then
            ratio=$(awk -v a="$rq" -v b="$lrq" 'BEGIN { printf "%.2f", a / b }')
        fi
        flag=""
        if [ "${err:-0}" != 0 ] || [ "${non:-0}" != 0 ]; then
            # what went wrong: ctload's status counts and first transport error per thread
            flag="  INVALID errors=$err non2xx=$non ($(sed -n 's/^ctload: //p' \
                "$TMP/ctload-$name-$c.err" | grep -v '^status 2' | tr '\n' ';' | head -c 200))"
            bad=1
        fi
        [ -n "$lim" ] && [[ $lim == *errors=* ]] && flag="$flag  (ceiling has errors)"
        printf '%-30s %4s %8s %8s  %-4s %9s %8s %6s%s\n' "$label" "$c" "$rq" "$p99" "$cid" \
            "${lrq:--}" "${lp99:--}" "$ratio" "$flag"
    done < "$TMP/ours"
    for c in $CONC; do
        l1=$(field req_s "$(ceiling_line L1 "$c")") l2=$(field req_s "$(ceiling_line L2 "$c")")
        if [ -n "$l1" ] && [ -n "$l2" ]; then
            printf '# TLS at c=%s: L2/L1 = %s/%s = %s (the L4/L5 ceilings are plain HTTP)\n' "$c" \
                "$l2" "$l1" "$(awk -v a="$l2" -v b="$l1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
        fi
    done
    cpu_table
    printf '\n# ctload lines\n'
    cat "$TMP/ours"
    printf '\n# ceilings kit lines\n'
    cat "$TMP/limits"
    return $bad
}
mkdir -p "$RESULTS_DIR"
BAD=0
report > "$TMP/report.txt" || BAD=1
cp "$TMP/report.txt" "$RESULTS_DIR/latest.txt"
cp "$TMP/report.txt" "$RESULTS_DIR/$(date -u '+%Y%m%d-%H%M%S').txt"
echo
cat "$TMP/report.txt"
say "written to bench/results/latest.txt"
[ "$LEDGER" = ok ] || { say "ledger check failed"; exit 1; }
[ "$BAD" = 0 ] || { say "some measurements had errors or non-2xx answers"; exit 1; }
OK_EXIT=1
