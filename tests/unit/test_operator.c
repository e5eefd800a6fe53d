/* test_operator.c - the admin channel's pure code and the operator tools' helpers (ct_tool): roles
 * and statuses, admin origins as browsers send them, the operator JSON, and the user search's
 * filter parser (LIKE escaping, IBAN normalization, KYC statuses, time bounds, lengths, each bad
 * field reported). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "ct/ct_customer.h"
#include "ct/ct_operator.h"
#include "ct/ct_tool.h"

/* A query of name=value pairs (NULL-terminated) and the fields reported bad. */
struct fake_query {
    const char *const *pairs;
    char errors[256];
};

static const char *
fake_get(void *ctx, const char *name)
{
    struct fake_query *q = ctx;
    size_t i;

    for (i = 0; q->pairs[i] != NULL; i += 2)
        if (strcmp(q->pairs[i], name) == 0)
            return q->pairs[i + 1];
    return NULL;
}

static void
fake_error(void *ctx, const char *field, const char *message)
{
    struct fake_query *q = ctx;
    size_t n = strlen(q->errors);

    (void)message;
    (void)snprintf(q->errors + n, sizeof(q->errors) - n, "%s;", field);
}

static bool
parse(const char *const *pairs, struct ct_customer_filter *f, struct fake_query *q)
{
    struct ct_query_src src = {fake_get, fake_error, q};

    memset(q, 0, sizeof(*q));
    q->pairs = pairs;
    memset(f, 0x5a, sizeof(*f)); /* the parser sets every field */
    return ct_customer_filter_parse(&src, f);
}

static void
test_roles_and_statuses(void **state)
{
    (void)state;
    assert_true(ct_operator_role_valid("EMPLOYEE"));
    assert_true(ct_operator_role_valid("MANAGER"));
    assert_true(ct_operator_role_valid("ADMIN"));
    assert_false(ct_operator_role_valid("admin"));
    assert_false(ct_operator_role_valid("ADMINS"));
    assert_false(ct_operator_role_valid(""));
    assert_false(ct_operator_role_valid(NULL));
    assert_true(ct_operator_status_valid("active"));
    assert_true(ct_operator_status_valid("disabled"));
    assert_false(ct_operator_status_valid("locked"));
}

static void
test_origins(void **state)
{
    static const char *const good[] = {"https://admin.bank.example", "https://127.0.0.1:8443",
                                       "http://localhost:3000",      "http://127.0.0.1",
                                       "https://a-b.c.d:65535",      NULL};
    static const char *const bad[] = {"https://admin.bank.example/",
                                      "https://Admin.bank.example",
                                      "http://admin.bank.example",
                                      "https://admin.bank.example:0",
                                      "https://admin.bank.example:65536",
                                      "https://admin.bank.example:08443",
                                      "https://user@host",
                                      "https://",
                                      "ftp://host",
                                      "null",
                                      "https://host:",
                                      "https://host?x",
                                      "",
                                      NULL};
    size_t i;

    (void)state;
    for (i = 0; good[i] != NULL; i++)
        assert_true(ct_admin_origin_valid(good[i]));
    for (i = 0; bad[i] != NULL; i++)
        assert_false(ct_admin_origin_valid(bad[i]));
    assert_false(ct_admin_origin_valid(NULL));
}

static void
test_operator_json(void **state)
{
    struct ct_operator op;
    struct json_object *o, *v;

    (void)state;
    memset(&op, 0, sizeof(op));
    (void)snprintf(op.id, sizeof(op.id), "6c49c9b6-bd30-44a4-bf3e-7a9434d3b418");
    (void)snprintf(op.email, sizeof(op.email), "a@b.test");
    (void)snprintf(op.role, sizeof(op.role), "ADMIN");
    (void)snprintf(op.status, sizeof(op.status), "active");
    o = ct_operator_json(&op);
    assert_true(json_object_object_get_ex(o, "last_login_at", &v));
    assert_true(json_object_is_type(v, json_type_null));
    assert_false(json_object_object_get_ex(o, "password_hash", &v));
    assert_false(json_object_object_get_ex(o, "partner_id", &v));
    assert_string_equal(json_object_get_string(json_object_object_get(o, "role")), "ADMIN");
    json_object_put(o);
}

/* Every field of a parsed filter: name, email, phone (LIKE patterns), iban, kyc_status,
 * created_from, created_to. */
static void
assert_filter(const struct ct_customer_filter *f, const char *const want[7])
{
    assert_string_equal(f->name_like, want[0]);
    assert_string_equal(f->email_like, want[1]);
    assert_string_equal(f->phone_like, want[2]);
    assert_string_equal(f->iban, want[3]);
    assert_string_equal(f->kyc_status, want[4]);
    assert_string_equal(f->created_from, want[5]);
    assert_string_equal(f->created_to, want[6]);
}

static void
test_filter_empty(void **state)
{
    static const char *const none[] = {NULL};
    static const char *const blanks[] = {"name", "",           "email", "",  "iban",
                                         "",     "kyc_status", "",      NULL};
    struct ct_customer_filter f;
    struct fake_query q;

    (void)state;
    assert_true(parse(none, &f, &q));
    assert_filter(&f, (const char *const[]){"", "", "", "", "", "", ""});
    assert_true(parse(blanks, &f, &q));
    assert_string_equal(f.name_like, "");
    assert_string_equal(q.errors, "");
}

static void
test_filter_values(void **state)
{
    static const char *const pairs[] = {"name",
                                        "Zoé 50%_off\\",
                                        "email",
                                        "@Example.COM",
                                        "phone",
                                        "+48",
                                        "iban",
                                        "fr76 3000 6000 0112 3456 7890 189",
                                        "kyc_status",
                                        "VERIFIED",
                                        "created_from",
                                        "2026-01-02",
                                        "created_to",
                                        "2026-01-03T10:00:00Z",
                                        NULL};
    struct ct_customer_filter f;
    struct fake_query q;

    (void)state;
    assert_true(parse(pairs, &f, &q));
    /* wildcards and the escape character are literal; case is the query's business */
    assert_filter(&f, (const char *const[]){"%Zoé 50\\%\\_off\\\\%", "%@Example.COM%", "%+48%",
                                            "FR7630006000011234567890189", "VERIFIED",
                                            "2026-01-02 00:00:00.000000",
                                            "2026-01-03 10:00:00.000000"});
}

static void
test_filter_errors(void **state)
{
    char longname[300];
    const char *const pairs[] = {"name",
                                 longname,
                                 "phone",
                                 "+1234567890123456789012",
                                 "iban",
                                 "FR00 nope",
                                 "kyc_status",
                                 "verified",
                                 "created_from",
                                 "yesterday",
                                 "created_to",
                                 "2026-02-30",
                                 NULL};
    struct ct_customer_filter f;
    struct fake_query q;

    (void)state;
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_false(parse(pairs, &f, &q));
    assert_string_equal(q.errors, "name;phone;iban;kyc_status;created_from;created_to;");
    /* a refused field filters nothing rather than something half-read */
    assert_string_equal(f.name_like, "");
    assert_string_equal(f.iban, "");
    assert_string_equal(f.kyc_status, "");
}

/* The tools' exit statuses: 0 done, 1 refused, 2 failure. */
static void
test_tool_exit(void **state)
{
    (void)state;
    assert_int_equal(ct_tool_exit("t", CT_OK, "x"), 0);
    assert_int_equal(ct_tool_exit("t", CT_E_CONFLICT, "x"), 1);
    assert_int_equal(ct_tool_exit("t", CT_E_NOTFOUND, "x"), 1);
    assert_int_equal(ct_tool_exit("t", CT_E_RULE, "x"), 1);
    assert_int_equal(ct_tool_exit("t", CT_E_BUSY, "x"), 2);
    assert_int_equal(ct_tool_exit("t", CT_E_INTERNAL, "x"), 2);
}

static int
no_usage(void)
{
    return 7;
}

/* No command or an unknown one is usage(), before any connection is tried. */
static void
test_tool_main_usage(void **state)
{
    static const struct ct_tool_cmd cmds[] = {{NULL, NULL}};
    char *none[] = {"t", "/nonexistent.conf", NULL};
    char *unknown[] = {"t", "/nonexistent.conf", "frobnicate", NULL};

    (void)state;
    assert_int_equal(ct_tool_main("t", 2, none, cmds, no_usage), 7);
    assert_int_equal(ct_tool_main("t", 3, unknown, cmds, no_usage), 7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_statuses), cmocka_unit_test(test_origins),
        cmocka_unit_test(test_operator_json),      cmocka_unit_test(test_filter_empty),
        cmocka_unit_test(test_filter_values),      cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_tool_exit),          cmocka_unit_test(test_tool_main_usage),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
