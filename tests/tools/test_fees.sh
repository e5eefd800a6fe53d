#!/usr/bin/env bash
# test_fees.sh - comptoir-fees against the test stack: a schedule set from a file and shown back,
# a bad file refused with its field errors (and nothing changed), --if-unset leaving a set
# schedule alone, the demo partner's schedule seeded by tools/stack, charge-monthly run twice for
# a past month charging each balance once, collect, and the usage errors. (The stack's scheduler
# charges last month's fees meanwhile, the test's balance's too: checks name their period.)
set -uo pipefail
: "${COMPTOIR_DB_DEFAULTS:?run from tests/run-all.sh}"
: "${COMPTOIR_CONF:?run from tests/run-all.sh}"
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${COMPTOIR_BIN:-$here/build/san/bin}
fees="$bin/comptoir-fees"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
check() { if "$@"; then echo "ok: ${desc}"; else echo "not ok: ${desc}"; fails=$((fails + 1)); fi; }
sql() { mariadb --defaults-file="$COMPTOIR_DB_DEFAULTS" -N -B comptoir -e "$1"; }
tag="fees-tool-$$-$(date +%s)"

# A partner of this test's own, and one balance of it opened in January 2019 (rows as
# ct_balance_open writes them, with an IBAN no generator makes).
sql "INSERT INTO partner (public_id, name) VALUES (UUID(), '$tag')"
pid=$(sql "SELECT public_id FROM partner WHERE name = '$tag'")
sql "SET @p = (SELECT id FROM partner WHERE name = '$tag');
     INSERT INTO customer (id, partner_id, email, phone, first_name, last_name, country, birth_date)
         VALUES (UUID(), @p, '$tag@example.com', '+33612345678', 'Ada', 'Fees', 'FR', '1990-01-01');
     INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic)
         VALUES (@p, 'EUR', 'FR1420041010050500013M02606', 10, 'TESTFRPPXXX');
     INSERT INTO ledger_account (partner_id, kind, currency) VALUES (@p, 'user_balance', 'EUR');
     INSERT INTO balance (id, partner_id, customer_id, account_id, currency, iban, base_iban_id,
                          iban_seq, created_at)
         SELECT UUID(), @p, c.id, LAST_INSERT_ID(), 'EUR', CONCAT('XXFEES', @p), b.id, 1,
                '2019-01-15 10:00:00'
         FROM customer c JOIN base_iban b ON b.partner_id = c.partner_id WHERE c.partner_id = @p"
account=$(sql "SELECT b.account_id FROM balance b JOIN partner p ON p.id = b.partner_id WHERE p.name = '$tag'")
desc="the test's partner and balance exist"
check [ -n "$pid" ] && [ -n "$account" ]

cat > "$work/fees.json" <<'EOF'
{"rules": [
  {"event": "monthly_account", "currency": "EUR", "fixed": "2.00"},
  {"event": "card_creation", "currency": "EUR", "fixed": "5.00"},
  {"event": "atm", "currency": "EUR", "fixed": "1.50", "rate_bp": 100, "min": "2.00", "max": "10.00"}
]}
EOF
desc="set prints the new version"
check [ "$("$fees" "$COMPTOIR_CONF" set --partner "$pid" "$work/fees.json")" = "version=1" ]
"$fees" "$COMPTOIR_CONF" show --partner "$pid" > "$work/show.json"
desc="show prints the schedule as JSON"
check grep -q '"event":"monthly_account"' "$work/show.json"
check grep -q '"fixed":"2.00"' "$work/show.json"
check grep -q '"rate_bp":100' "$work/show.json"
check grep -q '"version":1' "$work/show.json"
desc="what show prints, set takes back"
check [ "$("$fees" "$COMPTOIR_CONF" set --partner "$pid" "$work/show.json")" = "version=2" ]

printf '{"rules":[{"event":"pos","currency":"EUR","fixed":"-1"},{"event":"nope","currency":"EUR"}],"x":1}' > "$work/bad.json"
"$fees" "$COMPTOIR_CONF" set --partner "$pid" "$work/bad.json" > /dev/null 2> "$work/bad.err"
rc=$?
desc="a bad file is refused (exit 1) with each field error"
check [ "$rc" = 1 ]
check grep -q 'rules\[0\].fixed: must not be negative' "$work/bad.err"
check grep -q 'rules\[1\].event' "$work/bad.err"
check grep -q 'x: unknown field' "$work/bad.err"
desc="and changes nothing"
check grep -q '"version":2' <("$fees" "$COMPTOIR_CONF" show --partner "$pid")
desc="a file that cannot be read is refused (exit 1) and changes nothing"
"$fees" "$COMPTOIR_CONF" set --partner "$pid" "$work/missing.json" > /dev/null 2> "$work/missing.err"
check [ $? = 1 ]
check grep -q 'fees: cannot read' "$work/missing.err"
check grep -q '"version":2' <("$fees" "$COMPTOIR_CONF" show --partner "$pid")
desc="--if-unset leaves a set schedule alone"
check [ "$("$fees" "$COMPTOIR_CONF" set --partner "$pid" "$work/bad.json" --if-unset 2>/dev/null || true)" = "" ]
check [ "$("$fees" "$COMPTOIR_CONF" set --partner "$pid" "$work/fees.json" --if-unset 2>&1)" = "$(printf 'fees: exists\nversion=2')" ]
desc="--if-unset sets a schedule never set"
sql "INSERT INTO partner (public_id, name) VALUES (UUID(), '$tag-unset')"
pid2=$(sql "SELECT public_id FROM partner WHERE name = '$tag-unset'")
check [ "$("$fees" "$COMPTOIR_CONF" set --partner "$pid2" "$work/fees.json" --if-unset 2>&1)" = "version=1" ]
desc="the demo partner's schedule was seeded: cards cost 5.00 EUR and 20.00 PLN, accounts 0"
demo=$(sql "SELECT public_id FROM partner WHERE name = 'Demo Partner'")
"$fees" "$COMPTOIR_CONF" show --partner "$demo" | tr -d ' \n' > "$work/demo.json"
check grep -q '{"event":"account_creation","currency":"EUR","fixed":"0.00"}' "$work/demo.json"
check grep -q '{"event":"card_creation","currency":"EUR","fixed":"5.00"}' "$work/demo.json"
check grep -q '{"event":"card_creation","currency":"PLN","fixed":"20.00"}' "$work/demo.json"

desc="charge-monthly for March 2019 charges the balance's fee (due: the balance is empty)"
out=$("$fees" "$COMPTOIR_CONF" charge-monthly --month 2019-03)
check grep -qE '^period=2019-03 charged=[0-9]+ due=[1-9][0-9]* already=0 failed=0$' <<<"$out"
desc="run twice, it charges nothing more"
out=$("$fees" "$COMPTOIR_CONF" charge-monthly --month 2019-03)
check grep -qE '^period=2019-03 charged=0 due=0 already=0 failed=0$' <<<"$out"
check [ "$(sql "SELECT COUNT(*) FROM fee_charge WHERE account_id = $account AND period = '2019-03'")" = 1 ]
check [ "$(sql "SELECT CONCAT(status, ' ', amount) FROM fee_charge WHERE account_id = $account AND period = '2019-03'")" = "due 200" ]
desc="a month before the balance was opened charges it nothing"
"$fees" "$COMPTOIR_CONF" charge-monthly --month 2018-12 > /dev/null
check [ "$(sql "SELECT COUNT(*) FROM fee_charge WHERE account_id = $account AND period = '2018-12'")" = 0 ]
desc="collect leaves a fee its balance cannot cover due, and never overdraws"
check grep -qE '^charged=[0-9]+ due=[0-9]+ failed=0$' <("$fees" "$COMPTOIR_CONF" collect)
check [ "$(sql "SELECT status FROM fee_charge WHERE account_id = $account AND period = '2019-03'")" = due ]
check [ "$(sql "SELECT balance FROM ledger_account WHERE id = $account")" = 0 ]

desc="usage errors exit 2, an unknown partner 1"
"$fees" "$COMPTOIR_CONF" charge-monthly --month 2019-13 2>/dev/null; check [ $? = 2 ]
"$fees" "$COMPTOIR_CONF" show 2>/dev/null; check [ $? = 2 ]
"$fees" "$COMPTOIR_CONF" collect extra 2>/dev/null; check [ $? = 2 ]
"$fees" "$COMPTOIR_CONF" show --partner 00000000-0000-0000-0000-000000000000 2>/dev/null; check [ $? = 1 ]
desc="a configuration that cannot be read exits 2 and says so"
"$fees" "$work/missing.conf" show --partner "$pid" > /dev/null 2> "$work/conf.err"
check [ $? = 2 ]
check grep -q '^fees: bad configuration' "$work/conf.err"
desc="the ledger is healthy"
check "$bin/comptoir-ledger_check" "$COMPTOIR_CONF"
[ "$fails" = 0 ]
