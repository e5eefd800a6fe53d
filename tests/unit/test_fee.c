/* test_fee.c - fee events, the computation (fixed + rate, min and max, rounding half up, no
 * overflow), the schedule JSON reader on good input and on every kind of bad input, and the
 * writer's round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_fee.h"
#include "ct/ct_money.h"

/* The field errors a read reported, "field: message" one per line. */
struct errs {
    char text[4096];
    int n;
};

static void
collect(void *arg, const char *field, const char *message)
{
    struct errs *e = arg;
    size_t len = strlen(e->text);

    (void)snprintf(e->text + len, sizeof(e->text) - len, "%s: %s\n", field, message);
    e->n++;
}

static struct ct_fee_schedule sched; /* large: static, not on the stack */

static enum ct_err
parse(const char *json, struct errs *e)
{
    memset(e, 0, sizeof(*e));
    return ct_fee_schedule_parse(json, strlen(json), &sched, collect, e);
}

/* A body with one rule whose members are `members`, refused with an error on `field`. */
static void
refused(const char *members, const char *field)
{
    char json[1024];
    struct errs e;

    (void)snprintf(json, sizeof(json), "{\"rules\":[{%s}]}", members);
    if (parse(json, &e) != CT_E_RULE || strstr(e.text, field) == NULL) {
        fprintf(stderr, "expected an error on %s for %s, got:\n%s", field, json, e.text);
        fail();
    }
}

static int64_t
fee(int64_t fixed, int rate, int64_t min, int64_t max, int64_t amount)
{
    struct ct_fee_rule r = {CT_FEE_POS, "EUR", fixed, rate, min, max};
    int64_t out = -1;

    assert_int_equal(ct_fee_compute(&r, amount, &out), CT_OK);
    return out;
}

static void
test_events(void **state)
{
    int e;

    (void)state;
    for (e = CT_FEE_ACCOUNT_CREATION; e <= CT_FEE_EVENT_LAST; e++)
        assert_int_equal(ct_fee_event_from_name(ct_fee_event_name((enum ct_fee_event)e)), e);
    assert_null(ct_fee_event_name(0));
    assert_null(ct_fee_event_name(CT_FEE_EVENT_LAST + 1));
    assert_int_equal(ct_fee_event_from_name("POS"), 0);
    assert_int_equal(ct_fee_event_from_name(NULL), 0);
    assert_false(ct_fee_event_has_rate(CT_FEE_CARD_CREATION));
    assert_false(ct_fee_event_has_rate(CT_FEE_MONTHLY_ACCOUNT));
    assert_true(ct_fee_event_has_rate(CT_FEE_TRANSFER));
    assert_true(ct_fee_event_has_rate(CT_FEE_ATM));
}

static void
test_compute(void **state)
{
    struct ct_fee_rule bad = {CT_FEE_POS, "EUR", 0, 10001, 0, 0};
    int64_t out = 7;

    (void)state;
    assert_int_equal(fee(500, 0, 0, 0, 123456), 500);    /* fixed only */
    assert_int_equal(fee(0, 150, 0, 0, 10000), 150);     /* 1.5 % of 100.00 = 1.50 */
    assert_int_equal(fee(10, 150, 0, 0, 10000), 160);    /* fixed + rate */
    assert_int_equal(fee(0, 150, 200, 0, 10000), 200);   /* raised to min */
    assert_int_equal(fee(0, 150, 0, 100, 10000), 100);   /* lowered to max */
    assert_int_equal(fee(300, 150, 0, 100, 10000), 100); /* max bounds the whole fee */
    assert_int_equal(fee(0, 0, 0, 0, 0), 0);
    assert_int_equal(fee(0, 10000, 0, 0, 12345), 12345); /* 100 % */
    /* rounding: half a minor unit and more goes up, less goes down */
    assert_int_equal(fee(0, 50, 0, 0, 100), 1);      /* 0.5 % of 1.00 = 0.5 cent -> 1 */
    assert_int_equal(fee(0, 50, 0, 0, 99), 0);       /* 0.495 cent -> 0 */
    assert_int_equal(fee(0, 1, 0, 0, 5000), 1);      /* 0.5 -> 1 */
    assert_int_equal(fee(0, 1, 0, 0, 4999), 0);      /* 0.4999 -> 0 */
    assert_int_equal(fee(0, 1, 0, 0, 15000), 2);     /* 1.5 -> 2 */
    assert_int_equal(fee(0, 333, 0, 0, 10001), 333); /* 333.0333 -> 333 */
    assert_int_equal(fee(0, 175, 0, 0, 25714), 450); /* 449.995 -> 450 */
    /* the largest amount at the largest rate: no intermediate overflow */
    assert_int_equal(fee(0, 10000, 0, 0, 999999999999999999LL), 999999999999999999LL);
    assert_int_equal(fee(0, 9999, 0, 0, 999999999999999999LL), 999899999999999999LL);
    /* refusals leave the out-param alone */
    assert_int_equal(ct_fee_compute(&bad, 100, &out), CT_E_BADREQ);
    bad.rate_bp = 10;
    assert_int_equal(ct_fee_compute(&bad, -1, &out), CT_E_BADREQ);
    bad.min = 500;
    bad.max = 100;
    assert_int_equal(ct_fee_compute(&bad, 100, &out), CT_E_BADREQ);
    bad.min = 0;
    bad.fixed = INT64_MAX;
    assert_int_equal(ct_fee_compute(&bad, 999999999999999999LL, &out), CT_E_BADREQ);
    assert_int_equal(out, 7);
}

static void
test_read_good(void **state)
{
    static const char json[] =
        "{\"version\":3,\"updated_at\":\"2026-01-01T00:00:00Z\",\"rules\":["
        "{\"event\":\"card_creation\",\"currency\":\"EUR\",\"fixed\":\"5.00\"},"
        "{\"event\":\"card_creation\",\"currency\":\"PLN\",\"fixed\":20},"
        "{\"event\":\"atm\",\"currency\":\"EUR\",\"fixed\":1.5,\"rate_bp\":100,\"min\":\"2\","
        "\"max\":\"10.00\"},"
        "{\"event\":\"pos\",\"currency\":\"JPY\",\"rate_bp\":0,\"max\":null},"
        "{\"event\":\"transfer\",\"currency\":\"EUR\"}]}";
    const struct ct_fee_rule *r;
    struct errs e;

    (void)state;
    assert_int_equal(parse(json, &e), CT_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(sched.n, 5);
    assert_int_equal(sched.version, 3);
    r = ct_fee_rule_find(&sched, CT_FEE_CARD_CREATION, "PLN");
    assert_non_null(r);
    assert_int_equal(r->fixed, 2000);
    r = ct_fee_rule_find(&sched, CT_FEE_ATM, "EUR");
    assert_non_null(r);
    assert_int_equal(r->fixed, 150);
    assert_int_equal(r->rate_bp, 100);
    assert_int_equal(r->min, 200);
    assert_int_equal(r->max, 1000);
    assert_null(ct_fee_rule_find(&sched, CT_FEE_ATM, "PLN"));
    assert_non_null(ct_fee_rule_find(&sched, CT_FEE_TRANSFER, "EUR"));
    /* an empty schedule, without a version */
    assert_int_equal(parse("{\"rules\":[]}", &e), CT_OK);
    assert_int_equal(sched.n, 0);
    assert_int_equal(sched.version, -1);
}

static void
test_read_bad(void **state)
{
    struct errs e;
    char *big;
    size_t i, len;

    (void)state;
    /* the body */
    assert_int_equal(parse("[]", &e), CT_E_BADREQ);
    assert_int_equal(parse("{\"rules\":", &e), CT_E_BADREQ);
    assert_int_equal(parse("{}", &e), CT_E_RULE);
    assert_non_null(strstr(e.text, "rules: is required"));
    assert_int_equal(parse("{\"rules\":{}}", &e), CT_E_RULE);
    assert_int_equal(parse("{\"rules\":[],\"currency\":\"EUR\"}", &e), CT_E_RULE);
    assert_non_null(strstr(e.text, "currency: unknown field"));
    assert_int_equal(parse("{\"rules\":[],\"version\":-1}", &e), CT_E_RULE);
    assert_non_null(strstr(e.text, "version:"));
    assert_int_equal(parse("{\"rules\":[],\"version\":\"1\"}", &e), CT_E_RULE);
    assert_int_equal(parse("{\"rules\":[1]}", &e), CT_E_RULE);
    assert_non_null(strstr(e.text, "rules[0]: must be an object"));
    /* unknown fields, events, currencies */
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"rate\":1", "rules[0].rate: unknown field");
    refused("\"currency\":\"EUR\"", "rules[0].event");
    refused("\"event\":\"POS\",\"currency\":\"EUR\"", "rules[0].event");
    refused("\"event\":\"token_creation\",\"currency\":\"EUR\"", "rules[0].event");
    refused("\"event\":7,\"currency\":\"EUR\"", "rules[0].event");
    refused("\"event\":\"pos\"", "rules[0].currency");
    refused("\"event\":\"pos\",\"currency\":\"eur\"", "rules[0].currency");
    refused("\"event\":\"pos\",\"currency\":\"EURO\"", "rules[0].currency");
    refused("\"event\":\"pos\",\"currency\":\"XXX\"", "rules[0].currency");
    refused("\"event\":\"pos\",\"currency\":978", "rules[0].currency");
    /* amounts: negative, malformed, too precise, too large, wrong type */
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":\"-1.00\"",
            "rules[0].fixed: must not be negative");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":-1",
            "rules[0].fixed: must not be negative");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":\"1.001\"", "rules[0].fixed");
    refused("\"event\":\"pos\",\"currency\":\"JPY\",\"fixed\":\"1.5\"", "rules[0].fixed");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":\"1e3\"", "rules[0].fixed");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":\"\"", "rules[0].fixed");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":\"9999999999999.00\"",
            "rules[0].fixed");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":true", "rules[0].fixed");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"min\":[1]", "rules[0].min");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"max\":\"-0.01\"", "rules[0].max");
    /* rates */
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"rate_bp\":-1", "rules[0].rate_bp");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"rate_bp\":10001", "rules[0].rate_bp");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"rate_bp\":1.5", "rules[0].rate_bp");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"rate_bp\":\"150\"", "rules[0].rate_bp");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"rate_bp\":99999999999999999999999",
            "rules[0].rate_bp");
    refused("\"event\":\"pos\",\"currency\":\"EUR\",\"min\":\"5.00\",\"max\":\"1.00\"",
            "rules[0].max: must not be less than min");
    /* rate, min and max on an event without an amount */
    refused("\"event\":\"card_creation\",\"currency\":\"EUR\",\"rate_bp\":0",
            "rules[0].rate_bp: not allowed");
    refused("\"event\":\"monthly_account\",\"currency\":\"EUR\",\"min\":\"1\"",
            "rules[0].min: not allowed");
    refused("\"event\":\"account_creation\",\"currency\":\"EUR\",\"max\":\"1\"",
            "rules[0].max: not allowed");
    /* two rules for one event and currency; every bad rule is reported, not only the first */
    assert_int_equal(parse("{\"rules\":[{\"event\":\"pos\",\"currency\":\"EUR\"},"
                           "{\"event\":\"pos\",\"currency\":\"EUR\"}]}",
                           &e),
                     CT_E_RULE);
    assert_non_null(strstr(e.text, "rules[1]: a second rule"));
    assert_int_equal(parse("{\"rules\":[{\"event\":\"x\",\"currency\":\"EUR\"},"
                           "{\"event\":\"pos\",\"currency\":\"EUR\",\"fixed\":\"-2\"}],\"y\":1}",
                           &e),
                     CT_E_RULE);
    assert_int_equal(e.n, 3);
    /* more rules than a schedule holds */
    len = 16 + (CT_FEE_RULES_MAX + 1) * 40;
    big = malloc(len);
    assert_non_null(big);
    (void)snprintf(big, len, "{\"rules\":[");
    for (i = 0; i <= CT_FEE_RULES_MAX; i++)
        (void)snprintf(big + strlen(big), len - strlen(big), "%s{\"event\":\"pos\"}",
                       i > 0 ? "," : "");
    (void)snprintf(big + strlen(big), len - strlen(big), "]}");
    assert_int_equal(parse(big, &e), CT_E_RULE);
    assert_non_null(strstr(e.text, "rules: has more than 256 rules"));
    free(big);
}

static void
test_write_round_trip(void **state)
{
    static const char json[] =
        "{\"rules\":[{\"event\":\"card_creation\",\"currency\":\"EUR\",\"fixed\":\"5.00\"},"
        "{\"event\":\"ecom\",\"currency\":\"EUR\",\"fixed\":\"0.00\",\"rate_bp\":20,"
        "\"max\":\"2.00\"},"
        "{\"event\":\"fx\",\"currency\":\"JPY\",\"fixed\":\"0\",\"rate_bp\":50,\"min\":\"10\"}]}";
    struct ct_fee_schedule *again = malloc(sizeof(*again));
    struct json_object *o;
    const char *text;
    struct errs e;

    (void)state;
    assert_non_null(again);
    assert_int_equal(parse(json, &e), CT_OK);
    sched.version = 4;
    o = ct_fee_schedule_json(&sched);
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    assert_string_equal(
        text,
        "{\"version\":4,\"updated_at\":null,\"rules\":["
        "{\"event\":\"card_creation\",\"currency\":\"EUR\",\"fixed\":\"5.00\"},"
        "{\"event\":\"ecom\",\"currency\":\"EUR\",\"fixed\":\"0.00\",\"rate_bp\":20,"
        "\"min\":\"0.00\",\"max\":\"2.00\"},"
        "{\"event\":\"fx\",\"currency\":\"JPY\",\"fixed\":\"0\",\"rate_bp\":50,\"min\":\"10\","
        "\"max\":null}]}");
    /* what GET answers, PUT takes back */
    memset(&e, 0, sizeof(e));
    assert_int_equal(ct_fee_schedule_parse(text, strlen(text), again, collect, &e), CT_OK);
    assert_int_equal(again->n, 3);
    assert_int_equal(again->version, 4);
    assert_memory_equal(again->rules, sched.rules, 3 * sizeof(sched.rules[0]));
    json_object_put(o);
    free(again);
}

static void
test_period(void **state)
{
    (void)state;
    assert_true(ct_fee_period_valid("2026-01"));
    assert_true(ct_fee_period_valid("2026-12"));
    assert_false(ct_fee_period_valid("2026-13"));
    assert_false(ct_fee_period_valid("2026-00"));
    assert_false(ct_fee_period_valid("2026-1"));
    assert_false(ct_fee_period_valid("2026/01"));
    assert_false(ct_fee_period_valid("1999-01"));
    assert_false(ct_fee_period_valid("2026-01-01"));
    assert_false(ct_fee_period_valid(NULL));
}

/* A max of 0 is no maximum (docs/openapi.yaml FeeRule.max): accepted even below min, the fee
 * is not capped, and the writer answers null. */
static void
test_max_zero_is_none(void **state)
{
    struct json_object *o, *rules, *max = NULL;
    int64_t out = -1;
    struct errs e;

    (void)state;
    assert_int_equal(parse("{\"rules\":[{\"event\":\"atm\",\"currency\":\"EUR\",\"fixed\":\"1\","
                           "\"rate_bp\":100,\"min\":\"2\",\"max\":\"0\"}]}",
                           &e),
                     CT_OK);
    assert_int_equal(sched.rules[0].max, 0);
    assert_int_equal(ct_fee_compute(&sched.rules[0], 10000000, &out), CT_OK);
    assert_int_equal(out, 100 + 100000);
    o = ct_fee_schedule_json(&sched);
    assert_true(json_object_object_get_ex(o, "rules", &rules));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(rules, 0), "max", &max));
    assert_null(max);
    json_object_put(o);
}

/* The month before "now" (UTC): January's is December of the year before. */
static void
test_period_last(void **state)
{
    char p[8];

    (void)state;
    assert_true(ct_fee_period_last(INT64_C(1552651200) * 1000000, p)); /* 2019-03-15 12:00 */
    assert_string_equal(p, "2019-02");
    assert_true(ct_fee_period_last(INT64_C(1546300800) * 1000000, p)); /* 2019-01-01 00:00 */
    assert_string_equal(p, "2018-12");
    assert_true(ct_fee_period_last(INT64_C(1546300799) * 1000000, p)); /* 2018-12-31 23:59:59 */
    assert_string_equal(p, "2018-11");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events),           cmocka_unit_test(test_compute),
        cmocka_unit_test(test_read_good),        cmocka_unit_test(test_read_bad),
        cmocka_unit_test(test_write_round_trip), cmocka_unit_test(test_period),
        cmocka_unit_test(test_period_last),      cmocka_unit_test(test_max_zero_is_none),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
