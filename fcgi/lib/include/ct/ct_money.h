/* ct_money.h - exact amounts: int64 minor units, ISO 4217 exponents, text in and out. */
#ifndef CT_MONEY_H
#define CT_MONEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_err.h"

/* The largest amount any single movement may carry, in currency units (999,999,999,999 units of
 * any currency, plus any minor part: "999999999999.99" EUR is accepted). In minor units that is
 * (CT_MONEY_MAX_UNITS + 1) * 10^exponent - 1, at most about 10^16. Kept far under INT64_MAX so
 * sums of many amounts never overflow. */
#define CT_MONEY_MAX_UNITS 999999999999LL

/* ISO 4217 currency: code, numeric code and minor-unit exponent (0..4). */
struct ct_currency {
    const char *code; /* "EUR" */
    int numeric;      /* 978 */
    int exponent;     /* 2 */
};

/* The table entry for an upper-case alphabetic code (exactly three letters, "EUR"), or NULL when
 * unknown, not upper case or NULL. The table is ISO 4217 list one without the codes that have no
 * minor unit (XAU, XDR, XXX, ...). Entries are static: the pointer stays valid forever. */
const struct ct_currency *ct_currency_find(const char *code);

/* Parse amount text exactly: digits, optionally one '.' followed by 1..exponent digits. No sign,
 * no exponent, no hex, no spaces, no leading '+', not empty, not only ".". Leading zeros allowed
 * ("0.50") but at most 18 integer digits. Zero is refused unless allow_zero. Values above
 * CT_MONEY_MAX_UNITS are refused. Exactly len bytes of text are read (no NUL needed). On CT_OK
 * *minor (may be NULL) holds the amount in minor units and *why is not touched. Any refusal,
 * including text NULL or cur NULL, is CT_E_RULE with *minor untouched and *why (why may be NULL)
 * set to a static English string saying why, for a 422 message. */
enum ct_err ct_money_parse(const char *text, size_t len, const struct ct_currency *cur,
                           bool allow_zero, int64_t *minor, const char **why);

/* Format minor units as text with exactly `exponent` decimals ("100.54", "-0.05", "1500" for
 * JPY); every int64_t value, INT64_MIN included, fits. out must hold at least CT_MONEY_TEXT_MAX
 * bytes (outsz says how many it holds). Returns the length written, without the NUL; 0 (and ""
 * when outsz > 0) when out is NULL, outsz < CT_MONEY_TEXT_MAX or cur is NULL. */
#define CT_MONEY_TEXT_MAX 32
size_t ct_money_format(int64_t minor, const struct ct_currency *cur, char *out, size_t outsz);

#endif /* CT_MONEY_H */
