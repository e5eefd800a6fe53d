#!/usr/bin/env bash
# test_migrate.sh - tools/migrate against the test stack's MariaDB: a re-run applies nothing, a
# new migration is applied and recorded once, an edited or missing applied migration is refused;
# two runs at once apply each migration once, and a run that cannot take the lock applies nothing.
set -uo pipefail
: "${COMPTOIR_DB_DEFAULTS:?run from tests/run-all.sh}"
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=ct_migrate_test_$$
fails=0
check() { if "$@"; then echo "ok: ${desc}"; else echo "not ok: ${desc}"; fails=$((fails + 1)); fi; }
sql() { mariadb --defaults-file="$COMPTOIR_DB_DEFAULTS" -N -B "$db" -e "$1"; }
migrate() { "$here/tools/migrate" --defaults-file "$COMPTOIR_DB_DEFAULTS" --db "$db" --dir "$@"; }
quiet() { "$@" >/dev/null; } # (check's own "ok:" line must not go to /dev/null with it)

cp -r "$here/sql" "$work/sql"
desc="first run applies every migration"
check quiet migrate "$work/sql"
n=$(ls "$work"/sql/*.sql | wc -l)
desc="schema_migrations records $n versions"
check [ "$(sql 'SELECT COUNT(*) FROM schema_migrations')" = "$n" ]
desc="a re-run succeeds and applies nothing"
before=$(sql 'SELECT MAX(applied_at) FROM schema_migrations')
check quiet migrate "$work/sql"
check [ "$(sql 'SELECT MAX(applied_at) FROM schema_migrations')" = "$before" ]
printf 'CREATE TABLE t_added (id INT PRIMARY KEY);\n' > "$work/sql/9999_create_t_added.sql"
desc="a new migration is applied"
check quiet migrate "$work/sql"
check [ "$(sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='$db' AND table_name='t_added'")" = 1 ]
cp -r "$work/sql" "$work/edited"
printf -- '-- an innocent-looking edit\n' >> "$work/edited/0001_create_ledger.sql"
desc="an edited applied migration is refused"
check [ "$(migrate "$work/edited" >/dev/null 2>&1; echo $?)" != 0 ]
cp -r "$work/sql" "$work/missing"
rm "$work/missing/0002_create_idempotency.sql"
desc="a missing applied migration is refused"
check [ "$(migrate "$work/missing" >/dev/null 2>&1; echo $?)" != 0 ]
mariadb --defaults-file="$COMPTOIR_DB_DEFAULTS" -e "DROP DATABASE $db"

# Two runs at once on a fresh database. The extra migration sleeps, so the second run starts
# while the first is still applying: without the lock both would apply the early files.
db=ct_migrate_conc_$$
cp -r "$here/sql" "$work/conc"
printf 'DO SLEEP(1);\n' > "$work/conc/9998_wait_a_moment.sql"
migrate "$work/conc" >"$work/run1.out" 2>&1 & p1=$!
migrate "$work/conc" >"$work/run2.out" 2>&1 & p2=$!
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
desc="two concurrent runs both exit 0"
check [ "$rc1:$rc2" = 0:0 ]
n=$(ls "$work"/conc/*.sql | wc -l)
desc="each of the $n migrations was applied by exactly one run"
check [ "$(cat "$work"/run1.out "$work"/run2.out | grep -c '^migrate: applied ')" = "$n" ]
desc="schema_migrations has each version once"
check [ "$(sql 'SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations')" = "$n	$n" ]
desc="the second run found nothing to do"
check grep -q 'is up to date' "$work/run1.out" "$work/run2.out"

# A lock held elsewhere: the run waits --lock-wait seconds, then fails before touching anything.
coproc HOLDER { exec mariadb --defaults-file="$COMPTOIR_DB_DEFAULTS" -N -B --unbuffered; }
holder_in=${HOLDER[1]} holder_pid=$HOLDER_PID # bash unsets HOLDER_PID once the coprocess ends
printf "SELECT GET_LOCK('comptoir_migrate_%s', 10);\n" "$db" >&"$holder_in"
read -r -t 20 held <&"${HOLDER[0]}"
printf 'CREATE TABLE t_late (id INT PRIMARY KEY);\n' > "$work/conc/9999_create_t_late.sql"
desc="a run that cannot take the lock fails with a clear message"
check [ "${held:-}:$(migrate "$work/conc" --lock-wait 1 2>&1 >/dev/null)" = \
    "1:migrate: another migrate of $db still holds the lock comptoir_migrate_$db after 1 s; nothing applied" ]
desc="... and applies nothing"
check [ "$(sql "SELECT COUNT(*) FROM schema_migrations WHERE version = 9999")" = 0 ]
exec {holder_in}>&-
wait "$holder_pid" 2>/dev/null || true
desc="once the lock is free, the run applies the new migration"
check quiet migrate "$work/conc"
mariadb --defaults-file="$COMPTOIR_DB_DEFAULTS" -e "DROP DATABASE $db"
[ "$fails" = 0 ]
