/* money.c - ISO 4217 currency table, exact amount parsing and formatting in minor units. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ct/ct_money.h"

#define MAX_INT_DIGITS 18
#define MAX_EXPONENT 4

static int currency_cmp(const char *code, const struct ct_currency *cur);
static bool is_digit(char c);
static enum ct_err refuse(const char **why, const char *reason);

/* ISO 4217 list one, currencies with a minor unit (the N.A. codes XAU XAG XPD XPT XDR XSU XUA
 * XBA-XBD XTS XXX are left out: they have no exponent to parse with). Includes the fund codes
 * (BOV CHE CHW CLF COU MXV USN UYI UYW). XCG replaced ANG (same numeric 532) in 2025, ZWG
 * replaced ZWL in 2024, SLE replaced SLL, HRK and CUC are withdrawn. Sorted by code: searched by
 * binary search. */
static const struct ct_currency currencies[] = {
    {"AED", 784, 2}, {"AFN", 971, 2}, {"ALL", 8, 2},   {"AMD", 51, 2},  {"AOA", 973, 2},
    {"ARS", 32, 2},  {"AUD", 36, 2},  {"AWG", 533, 2}, {"AZN", 944, 2}, {"BAM", 977, 2},
    {"BBD", 52, 2},  {"BDT", 50, 2},  {"BGN", 975, 2}, {"BHD", 48, 3},  {"BIF", 108, 0},
    {"BMD", 60, 2},  {"BND", 96, 2},  {"BOB", 68, 2},  {"BOV", 984, 2}, {"BRL", 986, 2},
    {"BSD", 44, 2},  {"BTN", 64, 2},  {"BWP", 72, 2},  {"BYN", 933, 2}, {"BZD", 84, 2},
    {"CAD", 124, 2}, {"CDF", 976, 2}, {"CHE", 947, 2}, {"CHF", 756, 2}, {"CHW", 948, 2},
    {"CLF", 990, 4}, {"CLP", 152, 0}, {"CNY", 156, 2}, {"COP", 170, 2}, {"COU", 970, 2},
    {"CRC", 188, 2}, {"CUP", 192, 2}, {"CVE", 132, 2}, {"CZK", 203, 2}, {"DJF", 262, 0},
    {"DKK", 208, 2}, {"DOP", 214, 2}, {"DZD", 12, 2},  {"EGP", 818, 2}, {"ERN", 232, 2},
    {"ETB", 230, 2}, {"EUR", 978, 2}, {"FJD", 242, 2}, {"FKP", 238, 2}, {"GBP", 826, 2},
    {"GEL", 981, 2}, {"GHS", 936, 2}, {"GIP", 292, 2}, {"GMD", 270, 2}, {"GNF", 324, 0},
    {"GTQ", 320, 2}, {"GYD", 328, 2}, {"HKD", 344, 2}, {"HNL", 340, 2}, {"HTG", 332, 2},
    {"HUF", 348, 2}, {"IDR", 360, 2}, {"ILS", 376, 2}, {"INR", 356, 2}, {"IQD", 368, 3},
    {"IRR", 364, 2}, {"ISK", 352, 0}, {"JMD", 388, 2}, {"JOD", 400, 3}, {"JPY", 392, 0},
    {"KES", 404, 2}, {"KGS", 417, 2}, {"KHR", 116, 2}, {"KMF", 174, 0}, {"KPW", 408, 2},
    {"KRW", 410, 0}, {"KWD", 414, 3}, {"KYD", 136, 2}, {"KZT", 398, 2}, {"LAK", 418, 2},
    {"LBP", 422, 2}, {"LKR", 144, 2}, {"LRD", 430, 2}, {"LSL", 426, 2}, {"LYD", 434, 3},
    {"MAD", 504, 2}, {"MDL", 498, 2}, {"MGA", 969, 2}, {"MKD", 807, 2}, {"MMK", 104, 2},
    {"MNT", 496, 2}, {"MOP", 446, 2}, {"MRU", 929, 2}, {"MUR", 480, 2}, {"MVR", 462, 2},
    {"MWK", 454, 2}, {"MXN", 484, 2}, {"MXV", 979, 2}, {"MYR", 458, 2}, {"MZN", 943, 2},
    {"NAD", 516, 2}, {"NGN", 566, 2}, {"NIO", 558, 2}, {"NOK", 578, 2}, {"NPR", 524, 2},
    {"NZD", 554, 2}, {"OMR", 512, 3}, {"PAB", 590, 2}, {"PEN", 604, 2}, {"PGK", 598, 2},
    {"PHP", 608, 2}, {"PKR", 586, 2}, {"PLN", 985, 2}, {"PYG", 600, 0}, {"QAR", 634, 2},
    {"RON", 946, 2}, {"RSD", 941, 2}, {"RUB", 643, 2}, {"RWF", 646, 0}, {"SAR", 682, 2},
    {"SBD", 90, 2},  {"SCR", 690, 2}, {"SDG", 938, 2}, {"SEK", 752, 2}, {"SGD", 702, 2},
    {"SHP", 654, 2}, {"SLE", 925, 2}, {"SOS", 706, 2}, {"SRD", 968, 2}, {"SSP", 728, 2},
    {"STN", 930, 2}, {"SVC", 222, 2}, {"SYP", 760, 2}, {"SZL", 748, 2}, {"THB", 764, 2},
    {"TJS", 972, 2}, {"TMT", 934, 2}, {"TND", 788, 3}, {"TOP", 776, 2}, {"TRY", 949, 2},
    {"TTD", 780, 2}, {"TWD", 901, 2}, {"TZS", 834, 2}, {"UAH", 980, 2}, {"UGX", 800, 0},
    {"USD", 840, 2}, {"USN", 997, 2}, {"UYI", 940, 0}, {"UYU", 858, 2}, {"UYW", 927, 4},
    {"UZS", 860, 2}, {"VED", 926, 2}, {"VES", 928, 2}, {"VND", 704, 0}, {"VUV", 548, 0},
    {"WST", 882, 2}, {"XAF", 950, 0}, {"XCD", 951, 2}, {"XCG", 532, 2}, {"XOF", 952, 0},
    {"XPF", 953, 0}, {"YER", 886, 2}, {"ZAR", 710, 2}, {"ZMW", 967, 2}, {"ZWG", 924, 2},
};

/* Refusal reasons for a decimal part longer than the exponent, indexed by exponent. */
static const char *const too_many_decimals[MAX_EXPONENT + 1] = {
    "this currency has no decimals",        "at most 1 decimal for this currency",
    "at most 2 decimals for this currency", "at most 3 decimals for this currency",
    "at most 4 decimals for this currency",
};

/* 10^0 .. 10^MAX_EXPONENT */
static const int64_t pow10s[MAX_EXPONENT + 1] = {1, 10, 100, 1000, 10000};

static int
currency_cmp(const char *code, const struct ct_currency *cur)
{
    return memcmp(code, cur->code, 3);
}

const struct ct_currency *
ct_currency_find(const char *code)
{
    size_t lo = 0, hi = sizeof(currencies) / sizeof(currencies[0]);
    int i;

    if (code == NULL)
        return NULL;
    for (i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return NULL;
    if (code[3] != '\0')
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = currency_cmp(code, &currencies[mid]);

        if (cmp == 0)
            return &currencies[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static enum ct_err
refuse(const char **why, const char *reason)
{
    if (why != NULL)
        *why = reason;
    return CT_E_RULE;
}

enum ct_err
ct_money_parse(const char *text, size_t len, const struct ct_currency *cur, bool allow_zero,
               int64_t *minor, const char **why)
{
    int64_t units = 0, frac = 0, value;
    size_t i = 0, int_digits, frac_digits = 0;
    int exp;

    if (cur == NULL || cur->exponent < 0 || cur->exponent > MAX_EXPONENT)
        return refuse(why, "unknown currency");
    exp = cur->exponent;
    if (text == NULL || len == 0)
        return refuse(why, "amount is empty");
    /* 18 digits always fit in int64; the overflow builtins keep that true if the limit moves. */
    for (; i < len && is_digit(text[i]); i++) {
        if (i == MAX_INT_DIGITS)
            return refuse(why, "amount has too many digits");
        if (__builtin_mul_overflow(units, 10, &units) ||
            __builtin_add_overflow(units, text[i] - '0', &units))
            return refuse(why, "amount is too large");
    }
    int_digits = i;
    if (int_digits == 0)
        return refuse(why, "amount must start with a digit (no sign, no spaces)");
    if (i < len && text[i] == '.') {
        if (exp == 0)
            return refuse(why, too_many_decimals[0]);
        for (i++; i < len && is_digit(text[i]); i++, frac_digits++) {
            if (frac_digits == (size_t)exp)
                return refuse(why, too_many_decimals[exp]);
            frac = frac * 10 + (text[i] - '0');
        }
        if (frac_digits == 0)
            return refuse(why, "no digits after the decimal point");
    }
    if (i < len)
        return refuse(why, "amount holds a character other than digits and one '.'");
    if (units > CT_MONEY_MAX_UNITS)
        return refuse(why, "amount is too large");
    /* "100.5" is 100 units and 50 minor units at exponent 2. */
    if (__builtin_mul_overflow(units, pow10s[exp], &value) ||
        __builtin_add_overflow(value, frac * pow10s[(size_t)exp - frac_digits], &value))
        return refuse(why, "amount is too large");
    if (value == 0 && !allow_zero)
        return refuse(why, "amount must be greater than zero");
    if (minor != NULL)
        *minor = value;
    return CT_OK;
}

size_t
ct_money_format(int64_t minor, const struct ct_currency *cur, char *out, size_t outsz)
{
    char tmp[CT_MONEY_TEXT_MAX];
    size_t n = 0, len = 0;
    uint64_t mag;
    int exp;

    if (out == NULL || outsz == 0)
        return 0;
    out[0] = '\0';
    if (cur == NULL || cur->exponent < 0 || cur->exponent > MAX_EXPONENT ||
        outsz < CT_MONEY_TEXT_MAX)
        return 0;
    exp = cur->exponent;
    /* Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t. */
    mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    /* Digits backwards, at least exp + 1 of them so there is a leading "0." when needed. */
    do {
        if (n == (size_t)exp && exp > 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0 || n <= (size_t)exp);
    if (minor < 0)
        tmp[n++] = '-';
    while (n > 0)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}
