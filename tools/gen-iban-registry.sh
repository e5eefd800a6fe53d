#!/usr/bin/env bash
# gen-iban-registry.sh - generate fcgi/lib/iban_registry.c and tests/unit/iban_examples.h from the
# SWIFT IBAN registry extract (../shared/iban/registry.tsv).
#
# Usage: tools/gen-iban-registry.sh [path/to/registry.tsv]
# Run from anywhere; outputs are written relative to the repository root. The generated files are
# checked in, so the build never needs ../shared. Re-run after updating registry.tsv and commit
# the diff.
#
# registry.tsv has no bank/branch identifier columns, so their positions (1-based, inclusive,
# within the BBAN, as the registry prints them) are kept below, copied as facts from the same
# registry release (r102, rows "Bank/Branch identifier position within the BBAN"). The script
# refuses to run when a country of the TSV has no positions here, or when anything disagrees
# (length vs structure, example vs length, positions outside the BBAN).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tsv=${1:-$root/../shared/iban/registry.tsv}
out_c=$root/fcgi/lib/iban_registry.c
out_h=$root/tests/unit/iban_examples.h

if [ ! -r "$tsv" ]; then
    echo "gen-iban-registry: cannot read $tsv" >&2
    exit 1
fi

# country  bank-position  branch-position ("-" when the registry gives none or N/A)
positions=$(
    cat <<'EOF'
AD 1-4 5-8
AE 1-3 -
AL 1-3 4-8
AT 1-5 -
AZ 1-4 -
BA 1-3 4-6
BE 1-3 -
BG 1-4 5-8
BH 1-4 -
BI 1-5 6-10
BR 1-8 9-13
BY 1-4 -
CH 1-5 -
CR 1-4 -
CY 1-3 4-8
CZ 1-4 -
DE 1-8 -
DJ 1-5 6-10
DK 1-4 -
DO 1-4 -
EE 1-2 -
EG 1-4 5-8
ES 1-4 5-8
FI 1-3 -
FK 1-2 -
FO 1-4 -
FR 1-5 -
GB 1-4 5-10
GE 1-2 -
GI 1-4 -
GL 1-4 -
GR 1-3 4-7
GT 1-4 -
HN 1-4 -
HR 1-7 -
HU 1-3 4-7
IE 1-4 5-10
IL 1-3 4-6
IQ 1-4 5-7
IS 1-2 3-4
IT 2-6 7-11
JO 1-4 5-8
KW 1-4 -
KZ 1-3 -
LB 1-4 -
LC 1-4 -
LI 1-5 -
LT 1-5 -
LU 1-3 -
LV 1-4 -
LY 1-3 4-6
MC 1-5 6-10
MD 1-2 -
ME 1-3 -
MK 1-3 -
MN 1-4 -
MR 1-5 6-10
MT 1-4 5-9
MU 1-6 7-8
NI 1-4 -
NL 1-4 -
NO 1-4 -
OM 1-3 -
PK 1-4 -
PL 1-8 -
PS 1-4 -
PT 1-4 -
QA 1-4 -
RO 1-4 -
RS 1-3 -
RU 1-9 10-14
SA 1-2 -
SC 1-6 7-8
SD 1-2 -
SE 1-3 -
SI 1-5 -
SK 1-4 -
SM 2-6 7-11
SO 1-4 5-7
ST 1-4 5-8
SV 1-4 -
TL 1-3 -
TN 1-2 3-5
TR 1-5 -
UA 1-6 -
VA 1-3 -
VG 1-4 -
XK 1-2 3-4
YE 1-4 5-8
EOF
)

tmp_c=$(mktemp)
tmp_h=$(mktemp)
trap 'rm -f "$tmp_c" "$tmp_h"' EXIT

printf '%s\n' "$positions" | LC_ALL=C awk -v tsv="$tsv" -v out_c="$tmp_c" -v out_h="$tmp_h" '
function die(msg) {
    print "gen-iban-registry: " msg > "/dev/stderr"
    failed = 1
    exit 1
}
# "a-b" (1-based, inclusive) -> offset and length globals; "-" -> -1 and 0
function span(s, what, cc,    p) {
    if (s == "-") {
        off = -1
        len = 0
        return
    }
    if (s !~ /^[0-9]+-[0-9]+$/)
        die(cc ": bad " what " position " s)
    split(s, p, "-")
    off = p[1] - 1
    len = p[2] - p[1] + 1
    if (off < 0 || len < 1)
        die(cc ": bad " what " position " s)
}
# sum of the field widths of a registry BBAN structure, or -1 when it is not well formed
function bban_len(f,    n, total) {
    total = 0
    while (f != "") {
        if (!match(f, /^[0-9]+![nac]/))
            return -1
        n = substr(f, 1, RLENGTH - 2) + 0
        if (n < 1)
            return -1
        total += n
        f = substr(f, RLENGTH + 1)
    }
    return total
}
# does the BBAN of example e match structure f (n digits, a A-Z, c A-Z0-9, upper case only)?
function bban_ok(e, f,    n, cls, chunk, re) {
    while (f != "") {
        match(f, /^[0-9]+![nac]/)
        n = substr(f, 1, RLENGTH - 2) + 0
        cls = substr(f, RLENGTH, 1)
        f = substr(f, RLENGTH + 1)
        chunk = substr(e, 1, n)
        e = substr(e, n + 1)
        re = cls == "n" ? "^[0-9]+$" : cls == "a" ? "^[A-Z]+$" : "^[A-Z0-9]+$"
        if (length(chunk) != n || chunk !~ re)
            return 0
    }
    return e == ""
}
{
    pos_bank[$1] = $2
    pos_branch[$1] = $3
}
END {
    if (failed)
        exit 1
    FS = "\t"
    line = 0
    count = 0
    while ((getline row < tsv) > 0) {
        line++
        nf = split(row, col, "\t")
        if (line == 1) {
            if (col[1] != "country" || col[2] != "length" || col[3] != "bban_format" ||
                col[4] != "example_iban")
                die("unexpected header in " tsv)
            continue
        }
        if (row == "")
            continue
        cc = col[1]
        ilen = col[2] + 0
        fmt = col[3]
        ex = col[4]
        if (cc !~ /^[A-Z][A-Z]$/)
            die("line " line ": bad country " cc)
        if (cc in seen)
            die(cc ": listed twice")
        seen[cc] = 1
        if (!(cc in pos_bank))
            die(cc ": no bank/branch positions in the script; add them from the registry")
        blen = bban_len(fmt)
        if (blen < 0 || blen + 4 != ilen || ilen > 34)
            die(cc ": length " ilen " does not match structure " fmt)
        if (length(ex) != ilen || substr(ex, 1, 2) != cc || substr(ex, 3, 2) !~ /^[0-9][0-9]$/ ||
            !bban_ok(substr(ex, 5), fmt))
            die(cc ": example " ex " does not match length and structure")
        span(pos_bank[cc], "bank", cc)
        boff = off
        bl = len
        span(pos_branch[cc], "branch", cc)
        roff = off
        rl = len
        if (boff + bl > blen || roff + rl > blen)
            die(cc ": bank/branch position outside the BBAN")
        entry[++count] = sprintf("    {\"%s\", %d, \"%s\", %d, %d, %d, %d},", cc, ilen, fmt, boff,
                                 bl, roff, rl)
        example[count] = sprintf("    \"%s\",", ex)
        used[cc] = 1
    }
    close(tsv)
    if (line == 0)
        die("cannot read " tsv)
    for (cc in pos_bank)
        if (!(cc in used))
            die(cc ": has positions in the script but is not in " tsv)

    print "/* iban_registry.c - IBAN countries, GENERATED by tools/gen-iban-registry.sh; do not edit. */" > out_c
    print "/* Source: shared/iban/registry.tsv (SWIFT IBAN Registry extract), " count " countries, sorted" > out_c
    print " * by code. Bank/branch offsets are 0-based inside the BBAN, -1 when the registry has none. */" > out_c
    print "#include <stddef.h>" > out_c
    print "#include \"ct/ct_iban.h\"" > out_c
    print "#include \"iban_registry.h\"" > out_c
    print "" > out_c
    print "const struct ct_iban_country ct__iban_registry[] = {" > out_c
    for (i = 1; i <= count; i++)
        print entry[i] > out_c
    print "};" > out_c
    print "" > out_c
    print "const size_t ct__iban_registry_count = sizeof(ct__iban_registry) / sizeof(ct__iban_registry[0]);" > out_c

    print "/* iban_examples.h - registry example IBANs, GENERATED by tools/gen-iban-registry.sh. */" > out_h
    print "#ifndef CT_IBAN_EXAMPLES_H" > out_h
    print "#define CT_IBAN_EXAMPLES_H" > out_h
    print "" > out_h
    print "/* One electronic-format example per registry country, in the order of ct__iban_registry. */" > out_h
    print "static const char *const iban_examples[] = {" > out_h
    for (i = 1; i <= count; i++)
        print example[i] > out_h
    print "};" > out_h
    print "" > out_h
    print "#define IBAN_EXAMPLES_COUNT " count > out_h
    print "" > out_h
    print "#endif /* CT_IBAN_EXAMPLES_H */" > out_h
}
'

# The table is searched by binary search: check the order instead of trusting the TSV.
if ! grep -o '^    {"[A-Z][A-Z]"' "$tmp_c" | LC_ALL=C sort -c 2>/dev/null; then
    echo "gen-iban-registry: $tsv is not sorted by country code" >&2
    exit 1
fi

mv "$tmp_c" "$out_c"
mv "$tmp_h" "$out_h"
chmod 644 "$out_c" "$out_h"
echo "gen-iban-registry: wrote ${out_c#"$root"/} and ${out_h#"$root"/}"
