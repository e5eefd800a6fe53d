/* test_kyc.c - KYC body readers and their field checks (document, expiry, postal codes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "../../fcgi/lib/internal.h"
#include "../../fcgi/lib/kyc.c"

/* The request the readers see; body() gives it a new body. */
static struct ct_conf conf = {.max_body = 65536};
static struct ct_req req;
static struct ct_req_internal in;

static int
group_setup(void **state)
{
    (void)state;
    ct_req_setup(&req, &in, NULL, &conf, NULL);
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    ct_req_teardown(&req);
    return 0;
}

/* A fresh request whose body is `text`. */
static void
body(const char *text)
{
    const char *why = NULL;

    ct_req_teardown(&req);
    ct_req_setup(&req, &in, NULL, &conf, NULL);
    assert_int_equal(ct_json_parse_object(text, strlen(text), &in.json, &why), CT_OK);
}

/* Whether the request's field errors name `field`. */
static bool
names(const char *field)
{
    size_t i, n = in.field_errors ? json_object_array_length(in.field_errors) : 0;

    for (i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(in.field_errors, i), *v = NULL;

        if (json_object_object_get_ex(e, "field", &v) &&
            strcmp(json_object_get_string(v), field) == 0)
            return true;
    }
    return false;
}

static void
date_in(int days, char out[11])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    assert_int_equal(strftime(out, 11, "%Y-%m-%d", &tm), 10);
}

static void
test_status_names(void **state)
{
    enum ct_kyc_status s = CT_KYC_NONE;

    (void)state;
    assert_true(ct_kyc_status_parse("REJECTED", &s));
    assert_int_equal(s, CT_KYC_REJECTED);
    assert_string_equal(ct_kyc_status_name(CT_KYC_PENDING), "PENDING");
    assert_false(ct_kyc_status_parse("verified", &s));
    assert_false(ct_kyc_status_parse("VERIFIED ", &s));
    assert_false(ct_kyc_status_parse(NULL, &s));
    assert_int_equal(s, CT_KYC_REJECTED); /* untouched on failure */
}

static void
test_document_numbers(void **state)
{
    static const struct {
        const char *number;
        bool ok;
    } cases[] = {
        {"AB1234567", true},
        {"RP-2024-00012", true},
        {"x4rt", true},
        {"A23456789012345678901234567890", true}, /* 30 */
        {"A234567890123456789012345678901", false},
        {"AB1", false},
        {"-AB1234", false},
        {"AB1234-", false},
        {"AB 1234", false},
        {"AB\xc3\x84"
         "1234",
         false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (document_number_valid(cases[i].number) != cases[i].ok)
            fail_msg("document number %s: expected %s", cases[i].number,
                     cases[i].ok ? "valid" : "invalid");
}

static void
test_expiry(void **state)
{
    char d[11];

    (void)state;
    date_in(0, d);
    assert_true(expiry_valid(d));
    date_in(-1, d);
    assert_false(expiry_valid(d));
    date_in(10 * 365, d);
    assert_true(expiry_valid(d));
    date_in(31 * 366, d);
    assert_false(expiry_valid(d));
    assert_false(expiry_valid("2031-02-30"));
    assert_false(expiry_valid("2031-6-30"));
    assert_false(expiry_valid("2031-06-30T00:00:00Z"));
}

static void
test_postal_codes(void **state)
{
    static const struct {
        const char *country, *code;
        bool ok;
    } cases[] = {
        {"FR", "75002", true},      {"FR", "7500", false},        {"FR", "00-950", false},
        {"PL", "00-950", true},     {"PL", "00950", false},       {"NL", "1012 AB", true},
        {"NL", "1012AB", true},     {"NL", "1012 ab", false},     {"US", "10001", true},
        {"US", "10001-2345", true}, {"US", "10001-23", false},    {"LU", "L-1940", true},
        {"GB", "SW1A 1AA", true},   {"GB", " SW1A", false},       {"GB", "SW1A_1AA", false},
        {"GB", "A", false},         {"GB", "12345678901", false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (postal_code_valid(cases[i].country, cases[i].code) != cases[i].ok)
            fail_msg("%s postal code %s: expected %s", cases[i].country, cases[i].code,
                     cases[i].ok ? "valid" : "invalid");
    /* optional where none exist: the list's first, inner and last entries */
    assert_true(postal_code_optional("AE") && postal_code_optional("AG") &&
                postal_code_optional("ZW"));
    assert_false(postal_code_optional("FR") || postal_code_optional("ZZ"));
}

static void
test_read_data(void **state)
{
    (void)state;
    struct ct_kyc_data d;
    char text[1024], exp[11];

    date_in(365, exp);
    (void)snprintf(text, sizeof(text),
                   "{\"document_type\":\"PASSPORT\",\"document_number\":\"AB1234567\","
                   "\"document_country\":\"FR\",\"document_expiry\":\"%s\",\"nationality\":\"FR\","
                   "\"address_line1\":\"12 rue de la Paix\",\"city\":\"Paris\","
                   "\"postal_code\":\"75002\",\"country\":\"FR\"}",
                   exp);
    body(text);
    ct_kyc_read_data(&req, &d);
    assert_false(ct_req_has_errors(&req));
    assert_string_equal(d.document_expiry, exp);
    assert_string_equal(d.postal_code, "75002");
    assert_string_equal(d.address_line2, "");

    /* no postal code in France: required; none in the Emirates: fine; a wrong one: refused */
    body("{\"country\":\"FR\"}");
    ct_kyc_read_data(&req, &d);
    assert_true(names("postal_code") && names("document_type") && names("city"));
    assert_false(names("country") || names("address_line2"));
    body("{\"country\":\"AE\"}");
    ct_kyc_read_data(&req, &d);
    assert_false(names("postal_code"));
    body("{\"country\":\"PL\",\"postal_code\":\"75002\",\"address_line2\":\"  \",\"x\":1}");
    ct_kyc_read_data(&req, &d);
    assert_true(names("postal_code") && names("address_line2") && names("x"));
    assert_string_equal(d.postal_code, "");
}

static void
test_read_result(void **state)
{
    (void)state;
    enum ct_kyc_status to = CT_KYC_NONE;
    const char *reason = "unset";

    body("{\"status\":\"REJECTED\",\"reason\":\"blurry scan\"}");
    ct_kyc_read_result(&req, &to, &reason);
    assert_false(ct_req_has_errors(&req));
    assert_int_equal(to, CT_KYC_REJECTED);
    assert_string_equal(reason, "blurry scan");

    body("{\"status\":\"VERIFIED\"}");
    ct_kyc_read_result(&req, &to, &reason);
    assert_false(ct_req_has_errors(&req));
    assert_null(reason);

    body("{\"status\":\"PENDING\",\"reason\":\" \"}");
    ct_kyc_read_result(&req, &to, &reason);
    assert_true(names("status") && names("reason"));
    body("{\"status\":\"NONE\",\"by\":\"me\"}");
    ct_kyc_read_result(&req, &to, &reason);
    assert_true(names("status") && names("by"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names), cmocka_unit_test(test_document_numbers),
        cmocka_unit_test(test_expiry),       cmocka_unit_test(test_postal_codes),
        cmocka_unit_test(test_read_data),    cmocka_unit_test(test_read_result),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
