/* ct_money.h - exact amounts: int64 minor units, ISO 4217 exponents, text in and out. */
#ifndef CT_MONEY_H
#define CT_MONEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_err.h"

/* The largest amount any single movement may carry, in currency units (999,999,999,999 units of
 * any currency); CT_MONEY_MAX_MINOR(exp) is its value in minor units. Kept far under INT64_MAX so
 * sums of many amounts never overflow. */
#define CT_MONEY_MAX_UNITS 999999999999LL

/* ISO 4217 currency: code, numeric code and minor-unit exponent (0..4). */
struct ct_currency {
    const char *code; /* "EUR" */
    int numeric;      /* 978 */
    int exponent;     /* 2 */
};

/* The table entry for an upper-case alphabetic code, or NULL when unknown. */
const struct ct_currency *ct_currency_find(const char *code);

/* Parse amount text exactly: digits, optionally one '.' followed by 1..exponent digits. No sign,
 * no exponent, no hex, no spaces, no leading '+', not empty, not only ".". Leading zeros allowed
 * ("0.50") but at most 18 integer digits. Zero is refused unless allow_zero. Values above
 * CT_MONEY_MAX_UNITS are refused. On CT_OK *minor holds the amount in minor units. Any refusal is
 * CT_E_RULE, with *why (static string, may be NULL) saying why in words for a 422 message. */
enum ct_err ct_money_parse(const char *text, size_t len, const struct ct_currency *cur,
                           bool allow_zero, int64_t *minor, const char **why);

/* Format minor units as text with exactly `exponent` decimals ("100.54", "-0.05", "1500" for
 * JPY). out must hold at least CT_MONEY_TEXT_MAX bytes. Returns the length written. */
#define CT_MONEY_TEXT_MAX 32
size_t ct_money_format(int64_t minor, const struct ct_currency *cur, char *out, size_t outsz);

#endif /* CT_MONEY_H */
