/* test_money.c - ISO 4217 table, exact amount parsing, formatting and round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

/* Included for the static table (the h2o pattern). */
#include "../../fcgi/lib/money.c"

#define NCUR (sizeof(currencies) / sizeof(currencies[0]))

static const struct ct_currency *
cur(const char *code)
{
    const struct ct_currency *c = ct_currency_find(code);

    assert_non_null(c);
    return c;
}

/* Parse NUL-terminated text; returns the error, *out the value (or the sentinel on refusal). */
static enum ct_err
parse(const char *text, const char *code, bool allow_zero, int64_t *out)
{
    const char *why = NULL;
    enum ct_err err;

    *out = -42;
    err = ct_money_parse(text, strlen(text), cur(code), allow_zero, out, &why);
    if (err == CT_OK) {
        assert_null(why);
    } else {
        assert_int_equal(err, CT_E_RULE);
        assert_non_null(why);
        assert_true(strlen(why) > 0);
        assert_int_equal(*out, -42); /* out-params are written only on CT_OK */
    }
    return err;
}

static void
expect_ok(const char *text, const char *code, int64_t want)
{
    int64_t v;

    if (parse(text, code, false, &v) != CT_OK)
        fail_msg("\"%s\" %s refused", text, code);
    assert_int_equal(v, want);
}

static void
expect_refused(const char *text, const char *code)
{
    int64_t v;

    if (parse(text, code, false, &v) == CT_OK)
        fail_msg("\"%s\" %s accepted as %lld", text, code, (long long)v);
    /* allow_zero only ever changes the verdict on zero */
    if (strcmp(text, "0") != 0 && strcmp(text, "0.00") != 0 && strcmp(text, "00") != 0)
        assert_int_not_equal(parse(text, code, true, &v), CT_OK);
}

static void
expect_format(int64_t minor, const char *code, const char *want)
{
    char out[CT_MONEY_TEXT_MAX];
    size_t n = ct_money_format(minor, cur(code), out, sizeof(out));

    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void
test_table(void **state)
{
    size_t i, j;

    (void)state;
    assert_true(NCUR >= 150);
    for (i = 0; i < NCUR; i++) {
        const struct ct_currency *c = &currencies[i];

        assert_int_equal(strlen(c->code), 3);
        assert_true(c->exponent >= 0 && c->exponent <= 4);
        assert_true(c->numeric > 0 && c->numeric < 1000);
        assert_ptr_equal(ct_currency_find(c->code), c);
        if (i > 0)
            assert_true(strcmp(currencies[i - 1].code, c->code) < 0);
        for (j = 0; j < i; j++)
            assert_int_not_equal(currencies[j].numeric, c->numeric);
    }
}

static void
test_find(void **state)
{
    static const struct {
        const char *code;
        int numeric, exponent;
    } known[] = {
        {"EUR", 978, 2}, {"USD", 840, 2}, {"PLN", 985, 2}, {"GBP", 826, 2}, {"CHF", 756, 2},
        {"JPY", 392, 0}, {"KRW", 410, 0}, {"BHD", 48, 3},  {"KWD", 414, 3}, {"TND", 788, 3},
        {"OMR", 512, 3}, {"JOD", 400, 3}, {"IQD", 368, 3}, {"LYD", 434, 3}, {"CLF", 990, 4},
        {"UYW", 927, 4}, {"ISK", 352, 0}, {"XOF", 952, 0}, {"CLP", 152, 0}, {"VND", 704, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        const struct ct_currency *c = cur(known[i].code);

        assert_string_equal(c->code, known[i].code);
        assert_int_equal(c->numeric, known[i].numeric);
        assert_int_equal(c->exponent, known[i].exponent);
    }
    assert_null(ct_currency_find(NULL));
    assert_null(ct_currency_find(""));
    assert_null(ct_currency_find("eur"));
    assert_null(ct_currency_find("Eur"));
    assert_null(ct_currency_find("EU"));
    assert_null(ct_currency_find("EURO"));
    assert_null(ct_currency_find("XXX"));
    assert_null(ct_currency_find("XAU"));
    assert_null(ct_currency_find("HRK"));
}

static void
test_parse_accepts(void **state)
{
    (void)state;
    expect_ok("100.54", "EUR", 10054);
    expect_ok("0.01", "EUR", 1);
    expect_ok("100", "EUR", 10000);
    expect_ok("100.5", "EUR", 10050);
    expect_ok("0.50", "EUR", 50);
    expect_ok("007.10", "EUR", 710);
    expect_ok("999999999999.99", "EUR", 99999999999999LL);
    expect_ok("000000000000000001", "EUR", 100); /* 18 integer digits */
    expect_ok("1500", "JPY", 1500);
    expect_ok("999999999999", "JPY", 999999999999LL);
    expect_ok("1.005", "BHD", 1005);
    expect_ok("0.5", "BHD", 500);
    expect_ok("0.001", "KWD", 1);
    expect_ok("1.2345", "CLF", 12345);
    expect_ok("999999999999.9999", "CLF", 9999999999999999LL);
}

static void
test_parse_refuses(void **state)
{
    static const char *const eur_bad[] = {
        "1.005",
        "-1",
        "+1",
        "1e3",
        "1E3",
        "0x10",
        "",
        ".",
        "1.",
        ".5",
        " 1",
        "1 ",
        "1\t",
        "1..2",
        "1.2.3",
        "1,00",
        "1_000",
        "1'000",
        "\xd9\xa1",
        "0",
        "0.00",
        "00",
        "1.5 EUR",
        "EUR 1",
        "inf",
        "nan",
        "1.00\n",
        "0000000000000000001",
        "1000000000000",
        "1000000000000.00",
        "999999999999.991",
        "9999999999999999999999",
        "99999999999999999999999999999999999999999",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(eur_bad) / sizeof(eur_bad[0]); i++)
        expect_refused(eur_bad[i], "EUR");
    expect_refused("1.5", "JPY");
    expect_refused("1.0", "JPY");
    expect_refused("1.", "JPY");
    expect_refused("1000000000000", "JPY");
    expect_refused("1.0005", "BHD");
    expect_refused("1.00001", "CLF");
    expect_refused("1000000000000", "CLF");
}

static void
test_parse_details(void **state)
{
    const char *why = NULL, *why2 = NULL;
    const char digits[5] = {'1', '2', '3', '4', '5'}; /* not NUL-terminated */
    int64_t v = 0;

    (void)state;
    /* zero only with allow_zero */
    assert_int_equal(parse("0", "EUR", true, &v), CT_OK);
    assert_int_equal(v, 0);
    assert_int_equal(parse("0.00", "EUR", true, &v), CT_OK);
    assert_int_equal(v, 0);
    assert_int_equal(parse("0", "JPY", true, &v), CT_OK);
    /* len is honoured and nothing past it is read */
    assert_int_equal(ct_money_parse(digits, 3, cur("EUR"), false, &v, NULL), CT_OK);
    assert_int_equal(v, 12300);
    assert_int_equal(ct_money_parse(digits, sizeof(digits), cur("JPY"), false, &v, NULL), CT_OK);
    assert_int_equal(v, 12345);
    assert_int_equal(ct_money_parse("12.345", 5, cur("EUR"), false, &v, NULL), CT_OK);
    assert_int_equal(v, 1234);
    /* reasons are static strings: the same pointer each time, and they say which rule */
    assert_int_equal(ct_money_parse("1.005", 5, cur("EUR"), false, &v, &why), CT_E_RULE);
    assert_int_equal(ct_money_parse("2.005", 5, cur("EUR"), false, &v, &why2), CT_E_RULE);
    assert_ptr_equal(why, why2);
    assert_non_null(strstr(why, "2 decimals"));
    assert_int_equal(ct_money_parse("1.5", 3, cur("JPY"), false, &v, &why), CT_E_RULE);
    assert_non_null(strstr(why, "no decimals"));
    /* NULL why and NULL/unknown inputs */
    assert_int_equal(ct_money_parse("x", 1, cur("EUR"), false, &v, NULL), CT_E_RULE);
    assert_int_equal(ct_money_parse(NULL, 0, cur("EUR"), true, &v, &why), CT_E_RULE);
    assert_int_equal(ct_money_parse("1", 1, NULL, false, &v, &why), CT_E_RULE);
}

static void
test_format(void **state)
{
    char small[CT_MONEY_TEXT_MAX - 1] = "unchanged";
    char out[CT_MONEY_TEXT_MAX];

    (void)state;
    expect_format(10054, "EUR", "100.54");
    expect_format(10050, "EUR", "100.50");
    expect_format(1, "EUR", "0.01");
    expect_format(0, "EUR", "0.00");
    expect_format(-5, "EUR", "-0.05");
    expect_format(-10054, "EUR", "-100.54");
    expect_format(1500, "JPY", "1500");
    expect_format(0, "JPY", "0");
    expect_format(-1, "JPY", "-1");
    expect_format(1005, "BHD", "1.005");
    expect_format(5, "BHD", "0.005");
    expect_format(-1000, "BHD", "-1.000");
    expect_format(1, "CLF", "0.0001");
    expect_format(99999999999999LL, "EUR", "999999999999.99");
    expect_format(INT64_MAX, "EUR", "92233720368547758.07");
    expect_format(INT64_MIN, "EUR", "-92233720368547758.08");
    expect_format(INT64_MIN + 1, "EUR", "-92233720368547758.07");
    expect_format(INT64_MAX, "JPY", "9223372036854775807");
    expect_format(INT64_MIN, "JPY", "-9223372036854775808");
    expect_format(INT64_MIN, "BHD", "-9223372036854775.808");
    expect_format(INT64_MIN, "CLF", "-922337203685477.5808");
    /* refused buffers and currencies */
    assert_int_equal(ct_money_format(1, cur("EUR"), small, sizeof(small)), 0);
    assert_string_equal(small, "");
    assert_int_equal(ct_money_format(1, NULL, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(ct_money_format(1, cur("EUR"), NULL, 0), 0);
}

/* format -> parse gives the same minor units, for every exponent and the range edges. */
static void
round_trip(int64_t minor, const char *code)
{
    char out[CT_MONEY_TEXT_MAX];
    const char *why = NULL;
    int64_t back = -1;
    size_t n = ct_money_format(minor, cur(code), out, sizeof(out));

    if (ct_money_parse(out, n, cur(code), true, &back, &why) != CT_OK)
        fail_msg("%s %s refused: %s", out, code, why);
    assert_int_equal(back, minor);
}

static void
test_round_trip(void **state)
{
    static const char *const codes[] = {"EUR", "JPY", "BHD", "CLF"};
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t i;
    int k;

    (void)state;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const struct ct_currency *c = cur(codes[i]);
        int64_t max = CT_MONEY_MAX_UNITS * pow10s[c->exponent] + (pow10s[c->exponent] - 1);
        static const int64_t fixed[] = {0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 123456789};

        for (k = 0; k < (int)(sizeof(fixed) / sizeof(fixed[0])); k++)
            round_trip(fixed[k], codes[i]);
        round_trip(max, codes[i]);
        round_trip(max - 1, codes[i]);
        for (k = 0; k < 10000; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            round_trip((int64_t)(x % (uint64_t)(max + 1)), codes[i]);
        }
        /* one past the largest amount is refused, and negatives never parse back */
        {
            char out[CT_MONEY_TEXT_MAX];
            int64_t v;
            size_t n = ct_money_format(max + 1, c, out, sizeof(out));

            assert_int_equal(ct_money_parse(out, n, c, true, &v, NULL), CT_E_RULE);
            n = ct_money_format(-1, c, out, sizeof(out));
            assert_int_equal(ct_money_parse(out, n, c, true, &v, NULL), CT_E_RULE);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),         cmocka_unit_test(test_find),
        cmocka_unit_test(test_parse_accepts), cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_parse_details), cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
