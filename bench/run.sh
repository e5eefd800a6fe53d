#!/usr/bin/env bash
# bench/run.sh - throughput and latency of the partner API against this box's ceilings.
#
# Starts a throwaway stack with the normal build (build/bin), seeds customers and balances
# through the API, then measures with bench/ctload (libcurl, TLS + the demo partner's client
# certificate, HTTP/1.1 keep-alive), at each concurrency of CONC for DUR seconds:
#   read    GET  /secure/customers/{c}/balances/{b}           spread over NBAL balances
#   reload  POST /secure/customers/{c}/balances/{b}/reload     spread over NBAL balances
#   reload1 POST  the same, always one balance (a hot row)
# Every reload carries a fresh Idempotency-Key. The manager part (PART=manager|all) drives the
# manager.one read API as the demo customer with an OAuth bearer (nginx auth_request -> auth pool
# -> banking pool), after giving the customer's EUR balance NOPS operations (bench/seed_ops.c):
#   accounts GET /accounts                                        -> L4
#   ops      GET /operations?account_id=A       (page 1 of 50)    -> L4p
#   ops100   GET /operations?account_id=A&page=100                -> L4p
#   authhop  GET /accounts with a well-formed unknown token: nginx + auth_request + the auth
#            pool's token lookup, answered 401 before the banking pool -> L4 (the hop on its own)
# Then it runs build/bin/comptoir-ledger_check
# (must exit 0), stops the stack and runs the ceilings kit (../shared/bench/limits) for L4, L5
# and L5h at the same concurrencies, and prints one table: endpoint, c, req/s, p99, ceiling,
# ceiling req/s, ratio. The table and the raw lines also go to bench/results/latest.txt.
#
# `make bench` builds and runs this. Environment (defaults in brackets):
#   DUR [10]          seconds per measurement (each is preceded by WARMUP [1] s of load)
#   CONC ["16 64"]    concurrent connections      THREADS [2] ctload threads (wrk uses 2)
#   NBAL [300]        customers/balances seeded for the spread loads
#   PART [all]        partner (the /secure rows), manager (the OAuth read rows) or all
#   NOPS [100000]     operations booked on the demo customer's EUR balance (manager part)
#   COMPTOIR_WORKERS  workers of the secure pool, passed to tools/stack [its default]
#   COMPTOIR_RATE_API, COMPTOIR_RATE_PARTNER  nginx rate limits [1000000r/s: lifted]
#   LIMITS [1]        0 skips the ceilings kit (quick runs, worker sweeps)
#   LIMITS_DUR [DUR]  seconds per ceiling       LIMIT_PROCS [2] / LIMIT_WPROCS [16] kit prefork
#   LIMITS_KIT        path of the kit's run.sh [../shared/bench/limits/run.sh beside the repo]
#   LIMITS_TLS [1]    also measure L1 (plain HTTP) and L2 (TLS) to show what TLS costs: the
#                     L4/L5 ceilings are plain HTTP, the partner API is TLS + client certificate
#   BUILD [build]     the build tree whose bin/ is measured (make BUILD=...)
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
NOPS=${NOPS:-100000}
PART=${PART:-all}
LIMITS=${LIMITS:-1}
LIMITS_DUR=${LIMITS_DUR:-$DUR}
LIMIT_PROCS=${LIMIT_PROCS:-2}
LIMIT_WPROCS=${LIMIT_WPROCS:-16}
LIMITS_KIT=${LIMITS_KIT:-$REPO/../shared/bench/limits/run.sh}
LIMITS_TLS=${LIMITS_TLS:-1}
KEEP_TMP=${KEEP_TMP:-0}
BUILD_DIR=$REPO/${BUILD:-build}
BIN=$BUILD_DIR/bin
CTLOAD=$BUILD_DIR/bench/ctload
SEED_OPS=$BUILD_DIR/bench/seed_ops
RESULTS_DIR=$REPO/bench/results
# Everything comes from 127.0.0.1 with one partner certificate: lift the per-address and the
# per-partner rate limits (nginx answers 429 above them) unless told otherwise.
export COMPTOIR_RATE_API=${COMPTOIR_RATE_API:-1000000r/s}
export COMPTOIR_RATE_PARTNER=${COMPTOIR_RATE_PARTNER:-1000000r/s}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

case $PART in partner | manager | all) ;; *) die "PART='$PART': partner, manager or all" ;; esac
want() { [ "$PART" = all ] || [ "$PART" = "$1" ]; }
for v in DUR WARMUP THREADS NBAL NOPS LIMITS_DUR LIMIT_PROCS LIMIT_WPROCS; do
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
# seed_ops links the project library: ct_balance_reload books real ledger entries.
build_seed_ops() {
    local pkgs="fcgi json-c libmariadb libcrypto libargon2 cairo libxml-2.0" cf lf
    [ -f "$BUILD_DIR/libcomptoir.a" ] || die "$BUILD_DIR/libcomptoir.a missing: run make"
    if [ -x "$SEED_OPS" ] && [ "$SEED_OPS" -nt bench/seed_ops.c ] && [ "$SEED_OPS" -nt "$BUILD_DIR/libcomptoir.a" ]; then
        return 0
    fi
    # shellcheck disable=SC2086  # $pkgs is a word list
    { cf=$(pkg-config --cflags $pkgs) && lf=$(pkg-config --libs $pkgs); } || die "pkg-config: $pkgs"
    mkdir -p "$(dirname "$SEED_OPS")"
    # shellcheck disable=SC2086  # word lists
    gcc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wvla -Ifcgi/lib/include $cf -o "$SEED_OPS" \
        bench/seed_ops.c "$BUILD_DIR/libcomptoir.a" $lf || die "building seed_ops failed"
    say "built $SEED_OPS"
}
want manager && build_seed_ops
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
WORKERS_BANK=$(sed -n 's/^workers *= *//p' "$STACK/conf/banking.conf" 2>/dev/null | head -n 1)
WORKERS_AUTH=$(sed -n 's/^workers *= *//p' "$STACK/conf/auth.conf" 2>/dev/null | head -n 1)
TLS=(--cacert "$COMPTOIR_CA" --cert "$COMPTOIR_PARTNER_CERT" --key "$COMPTOIR_PARTNER_KEY")
API=$COMPTOIR_MAIN_URL/secure

# ---- seeding ---------------------------------------------------------------------------------
# One curl process per batch, one keep-alive connection: each block of the config file is one
# request; every answer is printed as "<status><TAB><body>" on its own line.
# curl_batch FILE [METHOD]: FILE holds "URL<TAB>JSON" lines; prints the answers in the same order.
curl_batch() {
    local in=$1 method=${2:-POST} cfg=$TMP/batch.cfg url body first=1
    : > "$cfg"
    while IFS=$'\t' read -r url body; do
        [ "$first" = 1 ] || echo "next" >> "$cfg"
        first=0
        {
            printf 'url = "%s"\n' "$url"
            printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\n' "$COMPTOIR_CA" \
                "$COMPTOIR_PARTNER_CERT" "$COMPTOIR_PARTNER_KEY"
            printf 'header = "Content-Type: application/json"\nrequest = "%s"\n' "$method"
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
    # a balance needs a verified customer: the partner records its own KYC result
    while read -r cid; do
        printf '%s/customers/%s/kyc\t{"status":"VERIFIED"}\n' "$API" "$cid"
    done < "$TMP/cust.ids" > "$TMP/kyc.req"
    curl_batch "$TMP/kyc.req" PUT > "$TMP/kyc.ans"
    awk -F '\t' '$1 != 200 { print "seeding KYC #" NR ": HTTP " $1 ": " $2; bad = 1 } END { exit bad }' \
        "$TMP/kyc.ans" || die "seeding KYC failed"
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
want partner && seed

# ---- manager.one seeding: a bearer token and NOPS operations on one account -------------------
# The token is minted in the database the way tests/integration/lib/stack.mjs mintAccessToken
# does (a grant, then an access token whose SHA-256 is stored), for the demo customer and the
# demo OAuth client: the OAuth dance itself is not what is measured.
sqlq() { mariadb --defaults-file="$STACK/conf/client.cnf" --batch --skip-column-names comptoir "$@"; }
new_token() { echo "at_$(openssl rand 32 | base64 -w0 | tr '+/' '-_' | tr -d '=')"; }
seed_manager() {
    local v hash
    for v in COMPTOIR_DEMO_EMAIL COMPTOIR_OAUTH_CLIENT_ID; do
        [ -n "${!v:-}" ] || die "$STACK/stack.env has no $v (demo customer not seeded)"
    done
    TOKEN=$(new_token)
    # a well-formed token that is in no table: the auth pool looks it up and answers 401
    BADTOKEN=$(new_token)
    hash=$(printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1)
    read -r _ BAL_ID ACCT_ID < <(sqlq -e "
        SET @c = (SELECT id FROM customer WHERE email = '$COMPTOIR_DEMO_EMAIL');
        SET @p = (SELECT partner_id FROM customer WHERE id = @c);
        SET @k = (SELECT id FROM oauth_client WHERE client_id = '$COMPTOIR_OAUTH_CLIENT_ID');
        INSERT INTO oauth_grant (partner_id, client_id, customer_id, scope)
            VALUES (@p, @k, @c, 'read write');
        SET @g = LAST_INSERT_ID();
        INSERT INTO oauth_token (token_hash, kind, grant_id, family_id, client_id, partner_id,
                customer_id, scope, expires_at)
            VALUES (UNHEX('$hash'), 'access', @g, 0, @k, @p, @c, 'read write',
                UTC_TIMESTAMP(6) + INTERVAL 1 HOUR);
        COMMIT;
        SELECT @c, id, account_id FROM balance WHERE customer_id = @c AND currency = 'EUR';") ||
        die "minting the bench token failed"
    [ -n "${ACCT_ID:-}" ] || die "the demo customer has no EUR balance"
    say "booking $NOPS operations on the demo customer's EUR balance $BAL_ID (account $ACCT_ID)"
    "$SEED_OPS" "$STACK/conf/seed.conf" "$BAL_ID" "$NOPS" 1000 >&2 || die "seed_ops failed"
    echo "$COMPTOIR_MAIN_URL/accounts" > "$TMP/accounts.urls"
    echo "$COMPTOIR_MAIN_URL/operations?account_id=$ACCT_ID" > "$TMP/ops.urls"
    echo "$COMPTOIR_MAIN_URL/operations?account_id=$ACCT_ID&page=100" > "$TMP/ops100.urls"
    MGR_TLS=(--cacert "$COMPTOIR_CA")
}
want manager && seed_manager

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
want partner && smoke
smoke_manager() {
    local u out st
    for u in accounts ops ops100; do
        out=$(curl -sS --cacert "$COMPTOIR_CA" -H "Authorization: Bearer $TOKEN" \
            -w '\t%{http_code}' "$(cat "$TMP/$u.urls")") || die "smoke $u failed"
        st=${out##*$'\t'}
        [ "$st" = 200 ] || die "$u answered $st: ${out%$'\t'*}"
        [[ $out == *'"id":'* ]] || die "$u answered an empty list"
    done
    st=$(curl -sS -o /dev/null --cacert "$COMPTOIR_CA" -H "Authorization: Bearer $BADTOKEN" \
        -w '%{http_code}' "$(cat "$TMP/accounts.urls")") || die "smoke authhop failed"
    [ "$st" = 401 ] || die "an unknown token answered $st, not 401"
}
want manager && smoke_manager

# ---- CPU accounting --------------------------------------------------------------------------
# Where the CPU goes per request: user+system ticks of the pool (its process group), nginx
# (master and workers), mariadbd, and the whole box (/proc/stat), sampled around each load.
CLK_TCK=$(getconf CLK_TCK)
read -r POOL_PID < "$STACK/run/secure.pid"
read -r BANK_PID < "$STACK/run/banking.pid"
read -r AUTH_PID < "$STACK/run/auth.pid"
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
# cpu_sample -> "secure banking auth nginx db box" ticks so far
cpu_sample() {
    local sec bank auth ng
    sec=$(pgrep -g "$POOL_PID" | tr '\n' ' ')
    bank=$(pgrep -g "$BANK_PID" | tr '\n' ' ')
    auth=$(pgrep -g "$AUTH_PID" | tr '\n' ' ')
    ng="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
    # shellcheck disable=SC2086  # word lists of PIDs
    echo "$(proc_ticks $sec) $(proc_ticks $bank) $(proc_ticks $auth) $(proc_ticks $ng)" \
        "$(proc_ticks "$DB_PID") $(box_busy)"
}

# ---- measurements ----------------------------------------------------------------------------
# measure NAME C ctload-args... -> appends "NAME C <ctload line>" to $TMP/ours and
# "NAME C secure banking auth nginx db box" tick deltas to $TMP/cpu. The arguments carry the
# identity: the partner's certificate (TLS), or the CA and a bearer header (MGR_TLS).
measure() {
    local name=$1 c=$2 line b0 b1 b2 b3 b4 b5 a0 a1 a2 a3 a4 a5
    shift 2
    read -r b0 b1 b2 b3 b4 b5 < <(cpu_sample)
    line=$("$CTLOAD" --conns "$c" --threads "$THREADS" --duration "$DUR" \
        --warmup "$WARMUP" "$@" 2> "$TMP/ctload-$name-$c.err") ||
        { cat "$TMP/ctload-$name-$c.err" >&2; die "ctload $name c=$c failed"; }
    read -r a0 a1 a2 a3 a4 a5 < <(cpu_sample)
    echo "$name $c $((a0 - b0)) $((a1 - b1)) $((a2 - b2)) $((a3 - b3)) $((a4 - b4)) $((a5 - b5))" >> "$TMP/cpu"
    printf '%s c=%s %s\n' "$name" "$c" "$line" | tee -a "$TMP/ours" >&2
    [ -s "$TMP/ctload-$name-$c.err" ] && sed 's/^/    /' "$TMP/ctload-$name-$c.err" >&2
    return 0
}
: > "$TMP/ours"
: > "$TMP/cpu"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $CONC; do
    say "measuring at c=$c, ${DUR}s each (+${WARMUP}s warm-up)"
    if want partner; then
        measure read "$c" "${TLS[@]}" --url-list "$TMP/read.urls"
        measure reload "$c" "${TLS[@]}" --url-list "$TMP/reload.urls" --method POST \
            --body "$RELOAD_BODY" --idem
        measure reload1 "$c" "${TLS[@]}" --url-list "$TMP/reload1.urls" --method POST \
            --body "$RELOAD_BODY" --idem
    fi
    if want manager; then
        for r in accounts ops ops100; do
            measure "$r" "$c" "${MGR_TLS[@]}" --header "Authorization: Bearer $TOKEN" \
                --url-list "$TMP/$r.urls"
        done
        measure authhop "$c" "${MGR_TLS[@]}" --header "Authorization: Bearer $BADTOKEN" \
            --expect 401 --url-list "$TMP/accounts.urls"
    fi
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
    ids="L4"
    want partner && ids="$ids L5 L5h"
    [ "$LIMITS_TLS" = 1 ] && ids="L1 L2 $ids"
    say "ceilings kit: $ids at c=$CONC, ${LIMITS_DUR}s each"
    # sweep mode with one prefork count each = quick mode at every concurrency of CONC, in one
    # start of the kit's MariaDB.
    ONLY="$ids" MODE=sweep REPS=1 DUR=$LIMITS_DUR CONC_LIST="$CONC" PROC_LIST=$LIMIT_PROCS \
        WPROC_LIST=$LIMIT_WPROCS WRK_THREADS=$THREADS RESULTS="$TMP/limits" \
        "$LIMITS_KIT" > "$TMP/limits.out" 2> "$TMP/limits.err" ||
        { tail -n 20 "$TMP/limits.err" >&2; say "ceilings kit failed: ratios left empty"; }
    # The kit's sweep mode has no L4p (a page of 50 operations): quick mode, once per c, with
    # the same prefork count as L4.
    if want manager; then
        for c in $CONC; do
            say "ceilings kit: L4p at c=$c"
            ONLY=L4p MODE=quick REPS=1 DUR=$LIMITS_DUR CONNS=$c PROCS=$LIMIT_PROCS \
                WRK_THREADS=$THREADS RESULTS="$TMP/limits" \
                "$LIMITS_KIT" >> "$TMP/limits.out" 2>> "$TMP/limits.err" ||
                { tail -n 20 "$TMP/limits.err" >&2; say "ceilings kit failed (L4p c=$c)"; }
        done
    fi
fi

# ---- report ----------------------------------------------------------------------------------
row_label() {
    case $1 in
    read) echo "GET balance (spread)" ;;
    reload) echo "POST reload (spread)" ;;
    reload1) echo "POST reload (one balance)" ;;
    accounts) echo "GET /accounts" ;;
    ops) echo "GET /operations p1 (1 acct)" ;;
    ops100) echo "GET /operations p100" ;;
    authhop) echo "auth hop only (401)" ;;
    *) echo "$1" ;;
    esac
}
row_ceiling() {
    case $1 in
    read | accounts | authhop) echo L4 ;;
    reload) echo L5 ;;
    reload1) echo L5h ;;
    ops | ops100) echo L4p ;;
    esac
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
ceiling_line() { grep -E "^$1 .* c=$2( |$)" "$TMP/limits" | tail -n 1 || true; }

# CPU per request in microseconds, from the tick deltas of $TMP/cpu. Requests are counted as
# req_s x (WARMUP + DUR), since the ticks cover the warm-up too.
cpu_table() {
    local name c sec bank auth ng db box line rq cl pool
    printf '\n# CPU per request, us: pool (secure for the partner rows, banking for the manager rows),\n'
    printf '# auth (the auth pool: the auth_request hop), nginx, mariadbd, client (ctload), rest of the\n'
    printf '# box (kernel softirq, other tenants); busy = the whole box during the load (%s CPUs = 100%%)\n' "$(nproc)"
    printf '%-30s %4s %7s %7s %7s %7s %7s %7s %6s\n' endpoint c pool auth nginx db client rest busy%
    while read -r name c sec bank auth ng db box; do
        line=$(grep -E "^$name c=$c " "$TMP/ours" | tail -n 1)
        rq=$(field req_s "$line") cl=$(field cpu_s "$line")
        case $name in read | reload | reload1) pool=$sec ;; *) pool=$bank ;; esac
        awk -v lab="$(row_label "$name")" -v c="$c" -v p="$pool" -v a="$auth" -v g="$ng" -v d="$db" \
            -v b="$box" -v r="$rq" -v cl="${cl:-0}" -v hz="$CLK_TCK" -v t="$((DUR + WARMUP))" \
            -v ncpu="$(nproc)" 'BEGIN {
            req = r * t; if (req <= 0) req = 1; us = 1e6 / hz
            rest = b * us - (p + a + g + d) * us - cl * 1e6
            printf "%-30s %4s %7.0f %7.0f %7.0f %7.0f %7.0f %7.0f %5.0f%%\n", lab, c, p * us / req,
                a * us / req, g * us / req, d * us / req, cl * 1e6 / req, rest / req,
                100 * b / (hz * t * ncpu)
        }'
    done < "$TMP/cpu"
}

report() {
    local name c line lim cid label rq p99 err non lrq lp99 ratio flag l1 l2 bad=0
    printf '# comptoir bench %s  rev %s  %s\n' "$(date -u '+%F %T UTC')" "$REV" "$BIN_ID"
    printf '# box %s cpus; load before %s, after %s; workers secure %s banking %s auth %s; DUR %ss; ctload threads %s; PART %s; balances %s; operations %s\n' \
        "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER" "${WORKERS:-?}" "${WORKERS_BANK:-?}" \
        "${WORKERS_AUTH:-?}" "$DUR" "$THREADS" "$PART" "$NBAL" "$NOPS"
    printf '# ledger_check: %s\n' "$LEDGER"
    printf '%-30s %4s %8s %8s  %-4s %9s %8s %6s\n' endpoint c req/s p99_ms ceil ceil_req/s ceil_p99 ratio
    while read -r name c line; do
        c=${c#c=}
        label=$(row_label "$name") cid=$(row_ceiling "$name")
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
