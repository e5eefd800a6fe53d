/* fuzz_amount.c - libFuzzer target: amount text in, exact round trip through format and parse. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(int64_t minor, const struct ct_currency *cur);
static void check_text(const uint8_t *data, size_t size, const struct ct_currency *cur);
static void check_int(const uint8_t *data, size_t size, const struct ct_currency *cur);

/* One currency per exponent 0..4, and a few more. */
static const char *const codes[] = {"EUR", "JPY", "BHD", "CLF", "USD", "KWD", "UYW"};

/* format -> parse gives minor back (minor must be in 0..max). */
static void
check_round_trip(int64_t minor, const struct ct_currency *cur)
{
    char text[CT_MONEY_TEXT_MAX];
    int64_t back = -1;
    size_t n = ct_money_format(minor, cur, text, sizeof(text));

    if (n == 0 || n != strlen(text))
        abort();
    if (ct_money_parse(text, n, cur, true, &back, NULL) != CT_OK || back != minor)
        abort();
}

/* The input as amount text. It is not NUL-terminated: parse must stay within size (ASan). */
static void
check_text(const uint8_t *data, size_t size, const struct ct_currency *cur)
{
    const char *text = (const char *)data;
    const char *why = NULL;
    int64_t minor = -1, again = -1;
    enum ct_err err = ct_money_parse(text, size, cur, true, &minor, &why);

    if (err != CT_OK) {
        if (err != CT_E_RULE || why == NULL || minor != -1)
            abort();
        return;
    }
    if (why != NULL || minor < 0)
        abort();
    check_round_trip(minor, cur);
    /* without allow_zero only the verdict on zero changes */
    err = ct_money_parse(text, size, cur, false, &again, NULL);
    if ((err == CT_OK) != (minor != 0) || (err == CT_OK && again != minor))
        abort();
}

/* The first 8 bytes as minor units: any int64 formats; values in range parse back. */
static void
check_int(const uint8_t *data, size_t size, const struct ct_currency *cur)
{
    char text[CT_MONEY_TEXT_MAX];
    int64_t v, scale = 1, max;
    size_t n;
    int i;

    if (size < sizeof(v))
        return;
    memcpy(&v, data, sizeof(v));
    n = ct_money_format(v, cur, text, sizeof(text));
    if (n == 0 || n >= sizeof(text) || text[n] != '\0')
        abort();
    for (i = 0; i < cur->exponent; i++)
        scale *= 10;
    max = CT_MONEY_MAX_UNITS * scale + (scale - 1);
    if (v >= 0)
        check_round_trip(v % (max + 1), cur);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i;

    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const struct ct_currency *cur = ct_currency_find(codes[i]);

        if (cur == NULL)
            abort();
        check_text(data, size, cur);
        check_int(data, size, cur);
    }
    return 0;
}
