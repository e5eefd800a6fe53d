#!/usr/bin/env bash
# card_scan.sh - after the integration suite: no card secret in clear anywhere the stack writes.
# tests/integration/cards.test.mjs records every PAN, CVC2 and PIN it saw (full data it decrypted,
# PINs it set) in STACK/cards_seen.txt, one "pan|cvc2|pin VALUE" a line. This script looks for
# each of them in every log of the stack (pools, nginx, MariaDB, scheduler), in a dump of every
# table of the database, and (PANs) in MariaDB's data files, and fails on any hit.
#
#   tests/tools/card_scan.sh [STACK_DIR]     (default: COMPTOIR_STACK_DIR of the environment)
#
# A PAN is looked for as its digits, anywhere. A CVC2 or a PIN is 3 to 12 digits, which occur in
# any dump by chance, so they are looked for next to a name that gives them away (cvc2, cvv, pin,
# pin_block, ... then at most 16 non-digit characters) and, in the card tables, as whole values.
# Run by tests/run-all.sh at the end of the suite, after the integration tests.
set -euo pipefail
stack=${1:-${COMPTOIR_STACK_DIR:-}}
[ -n "$stack" ] && [ -d "$stack" ] || { echo "card_scan: no stack directory" >&2; exit 2; }
seen=$stack/cards_seen.txt
[ -s "$seen" ] || { echo "card_scan: $seen is missing or empty: the card tests recorded nothing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# values only in files of our own (0600), never on a command line
(umask 077
 awk '$1 == "pan" && $2 ~ /^[0-9]{12,19}$/ {print $2}' "$seen" | sort -u > "$work/pans"
 awk '($1 == "cvc2" || $1 == "pin") && $2 ~ /^[0-9]{3,12}$/ {print $2}' "$seen" | sort -u > "$work/short")
npan=$(wc -l < "$work/pans")
nshort=$(wc -l < "$work/short")
[ "$npan" -gt 0 ] || { echo "card_scan: no PAN recorded in $seen" >&2; exit 1; }

# every table, one INSERT a row, text only
db=(mariadb --defaults-file="$stack/conf/client.cnf")
dump=$work/dump.sql
mariadb-dump --defaults-file="$stack/conf/client.cnf" --skip-extended-insert --no-create-info \
    --skip-comments --hex-blob comptoir > "$dump" || { echo "card_scan: mariadb-dump failed" >&2; exit 1; }
tables=$("${db[@]}" -N -B -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'comptoir'")
# the card tables alone, column by column, for whole-value matches of short secrets
"${db[@]}" -N -B comptoir -e "SELECT pan_sealed, pan_lookup, pin_sealed, cardholder_name, delivery_line1,
    IFNULL(delivery_line2, ''), delivery_city, delivery_postal_code, tracking_number FROM card;
    SELECT actor FROM card_event" | tr '\t' '\n' > "$work/card_values"

logs=()
while IFS= read -r -d '' f; do logs+=("$f"); done < <(find "$stack/log" -type f -print0)

hits=0
report() { echo "card_scan: FOUND $1 in clear in $2" >&2; hits=$((hits + 1)); }

# PANs: as digits anywhere in the logs, the dump and the data files
for f in "${logs[@]}" "$dump"; do
    if grep -a -q -F -f "$work/pans" "$f"; then report "a PAN" "$f"; fi
done
if grep -r -a -l -F -f "$work/pans" "$stack/mysql/data" > "$work/datahits" 2>/dev/null; then
    while IFS= read -r f; do report "a PAN" "$f"; done < "$work/datahits"
fi

# CVC2s and PINs: next to a name that gives them away, or as a whole value of the card tables
if [ "$nshort" -gt 0 ]; then
    alt=$(paste -sd'|' "$work/short")
    re="(^|[^A-Za-z0-9])(cvc2?|cvv2?|pin|pin_block|pinblock|security_code)[^0-9]{0,16}($alt)([^0-9]|\$)"
    for f in "${logs[@]}" "$dump"; do
        if grep -a -q -i -E "$re" "$f"; then report "a CVC2 or PIN" "$f"; fi
    done
    if grep -q -x -F -f "$work/short" "$work/card_values"; then report "a CVC2 or PIN" "the card tables"; fi
fi

echo "card_scan: $npan PANs and $nshort CVC2s/PINs looked for in ${#logs[@]} logs, $tables tables and the data files: $hits found"
[ "$hits" = 0 ]
