#!/usr/bin/env bash
# test_migrate.sh - tools/migrate against the test stack's MariaDB: a re-run applies nothing, a
# new migration is applied and recorded once, an edited or missing applied migration is refused.
set -uo pipefail
: "${COMPTOIR_DB_DEFAULTS:?run from tests/run-all.sh}"
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=ct_migrate_test_$$
fails=0
check() { if "$@"; then echo "ok: ${desc}"; else echo "not ok: ${desc}"; fails=$((fails + 1)); fi; }
sql() { mariadb --defaults-file="$COMPTOIR_DB_DEFAULTS" -N -B "$db" -e "$1"; }
migrate() { "$here/tools/migrate" --defaults-file "$COMPTOIR_DB_DEFAULTS" --db "$db" --dir "$1"; }

cp -r "$here/sql" "$work/sql"
desc="first run applies every migration"
check migrate "$work/sql" >/dev/null
n=$(ls "$work"/sql/*.sql | wc -l)
desc="schema_migrations records $n versions"
check [ "$(sql 'SELECT COUNT(*) FROM schema_migrations')" = "$n" ]
desc="a re-run succeeds and applies nothing"
before=$(sql 'SELECT MAX(applied_at) FROM schema_migrations')
check migrate "$work/sql" >/dev/null
check [ "$(sql 'SELECT MAX(applied_at) FROM schema_migrations')" = "$before" ]
printf 'CREATE TABLE t_added (id INT PRIMARY KEY);\n' > "$work/sql/9999_create_t_added.sql"
desc="a new migration is applied"
check migrate "$work/sql" >/dev/null
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
[ "$fails" = 0 ]
