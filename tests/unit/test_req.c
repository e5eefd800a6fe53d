/* test_req.c - JSON body parsing, field readers, URL decoding, replies and error envelopes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "ct/ct_customer.h"
#include "../../fcgi/lib/internal.h"

struct fixture {
    struct ct_conf conf;
    struct ct_req req;
    struct ct_req_internal in;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    f->conf.max_body = 65536;
    ct_req_setup(&f->req, &f->in, NULL, &f->conf, NULL);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    ct_req_teardown(&f->req);
    free(f);
    return 0;
}

static void
parse(struct fixture *f, const char *text)
{
    const char *why = NULL;

    assert_int_equal(ct_json_parse_object(text, strlen(text), &f->in.json, &why), CT_OK);
}

static void
test_json_parse_refuses_bad_bodies(void **state)
{
    static const char *const bad[] = {
        "", "{", "[1]", "\"x\"", "1", "{} {}", "{'a':1}", "{\"a\":01}", "null", "{\"a\":\"\xff\"}",
        "{\"a\":1,}",
        /* a repeated member name, at the top, nested, in an array, after an escaped name */
        "{\"a\":1,\"a\":2}", "{\"o\":{\"b\":1,\"b\":1}}", "{\"l\":[{\"c\":1,\"c\":2}]}",
        "{\"a\":1,\"\\u0061\":2}"};
    struct json_object *o = NULL;
    const char *why = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = NULL;
        assert_int_equal(ct_json_parse_object(bad[i], strlen(bad[i]), &o, &why), CT_E_BADREQ);
        assert_null(o);
        assert_non_null(why);
    }
}

static void
test_json_parse_keeps_colons_in_strings(void **state)
{
    /* colons inside names and values are not members: no false duplicate */
    static const char ok[] = "{\"a:b\":\"x:y\",\"c\":{\"d\":\"\\\":\"},\"e\":[\":\",{}]}";
    struct json_object *o = NULL;
    const char *why = NULL;

    (void)state;
    assert_int_equal(ct_json_parse_object(ok, strlen(ok), &o, &why), CT_OK);
    assert_int_equal(json_object_object_length(o), 3);
    json_object_put(o);
}

static void
test_json_depth_is_limited(void **state)
{
    char deep[200];
    struct json_object *o = NULL;
    const char *why;
    size_t i, n = 0;

    (void)state;
    n += (size_t)snprintf(deep, sizeof(deep), "{\"a\":");
    for (i = 0; i < 40; i++)
        deep[n++] = '[';
    for (i = 0; i < 40; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    assert_int_equal(ct_json_parse_object(deep, n, &o, &why), CT_E_BADREQ);
}

static void
test_amount_keeps_exact_text(void **state)
{
    struct fixture *f = *state;
    int64_t minor = 0;

    parse(f, "{\"a\":100.54,\"b\":\"0.01\",\"c\":1e3,\"d\":\"1.005\",\"e\":99999999999999999999,"
             "\"f\":true,\"g\":-1,\"h\":\"\",\"i\":0}");
    assert_true(ct_body_amount(&f->req, "a", ct_currency_find("EUR"), &minor));
    assert_int_equal(minor, 10054);
    assert_true(ct_body_amount(&f->req, "b", ct_currency_find("EUR"), &minor));
    assert_int_equal(minor, 1);
    assert_false(ct_req_has_errors(&f->req));
    assert_false(ct_body_amount(&f->req, "c", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "d", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "e", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "f", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "g", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "h", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "i", ct_currency_find("EUR"), &minor));
    assert_false(ct_body_amount(&f->req, "missing", ct_currency_find("EUR"), &minor));
    assert_true(ct_req_has_errors(&f->req));
    assert_int_equal(json_object_array_length(f->in.field_errors), 8);
}

static void
test_strings_and_unknown_fields(void **state)
{
    struct fixture *f = *state;
    static const char *const allowed[] = {"name", "nul", "ctl", "num", NULL};

    parse(f, "{\"name\":\"Ada\",\"nul\":\"a\\u0000b\",\"ctl\":\"a\\nb\",\"num\":5,\"extra\":1}");
    assert_string_equal(ct_body_str(&f->req, "name", true, 10), "Ada");
    assert_null(ct_body_str(&f->req, "name", true, 2)); /* too long */
    assert_null(ct_body_str(&f->req, "nul", true, 10));
    assert_null(ct_body_str(&f->req, "ctl", true, 10));
    assert_null(ct_body_str(&f->req, "num", true, 10));
    assert_null(ct_body_str(&f->req, "absent", false, 10));
    assert_int_equal(json_object_array_length(f->in.field_errors), 4);
    ct_body_only(&f->req, allowed);
    assert_int_equal(json_object_array_length(f->in.field_errors), 5);
}

static void
test_customer_fields_are_validated(void **state)
{
    struct fixture *f = *state;
    struct ct_customer c;
    struct json_object *errs, *e;
    const char *fields[6];
    size_t i;

    memset(&c, 0, sizeof(c));
    parse(f, "{\"email\":\"nope\",\"phone\":\"12\",\"first_name\":\"\",\"last_name\":\"L\","
             "\"country\":\"XX\",\"birth_date\":\"2999-01-01\"}");
    ct_customer_read(&f->req, &c, false);
    errs = f->in.field_errors;
    assert_non_null(errs);
    assert_int_equal(json_object_array_length(errs), 5);
    for (i = 0; i < 5; i++) {
        e = json_object_array_get_idx(errs, i);
        fields[i] = json_object_get_string(json_object_object_get(e, "field"));
    }
    assert_string_equal(fields[0], "email");
    assert_string_equal(fields[1], "phone");
    assert_string_equal(fields[2], "first_name");
    assert_string_equal(fields[3], "country");
    assert_string_equal(fields[4], "birth_date");
    assert_string_equal(c.last_name, "L");
}

static void
test_url_decode(void **state)
{
    char out[32];

    (void)state;
    assert_true(ct_url_decode("a%20b+c", 7, true, out));
    assert_string_equal(out, "a b c");
    assert_true(ct_url_decode("a+b", 3, false, out));
    assert_string_equal(out, "a+b");
    assert_false(ct_url_decode("a%2", 3, true, out));
    assert_false(ct_url_decode("a%zz", 4, true, out));
    assert_false(ct_url_decode("a%00b", 5, true, out));
}

static void
test_error_envelope(void **state)
{
    struct fixture *f = *state;
    struct json_object *o;
    const char *why;

    f->req.request_id = "rid-1";
    ct_req_field_error(&f->req, "amount", "is required");
    ct_req_fail(&f->req, CT_E_RULE, NULL, "some fields are invalid");
    assert_int_equal(ct_err_status(f->in.err), 422);
    /* render through the same path the dispatcher uses, minus the FastCGI write */
    f->in.replied = false;
    ct_req_render_error(&f->req);
    assert_int_equal(f->in.status, 422);
    assert_int_equal(ct_json_parse_object(f->in.out, f->in.out_len, &o, &why), CT_OK);
    assert_int_equal(json_object_get_int(json_object_object_get(o, "status")), 422);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "code")),
                        "VALIDATION_ERROR");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "request_id")), "rid-1");
    assert_int_equal(json_object_array_length(json_object_object_get(o, "errors")), 1);
    json_object_put(o);
}

static void
test_manager_one_envelopes(void **state)
{
    static const struct ct_route m1 = {"GET", "/operations", NULL, CT_R_M1};
    struct fixture *f = *state;
    struct json_object *o;
    const char *why;

    f->req.route = &m1;
    ct_req_fail(&f->req, CT_E_NOTFOUND, NULL, "The operation doesn't exist");
    ct_req_render_error(&f->req);
    assert_int_equal(f->in.status, 404);
    assert_int_equal(ct_json_parse_object(f->in.out, f->in.out_len, &o, &why), CT_OK);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "name")), "Not Found");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "type")),
                        "yii\\web\\NotFoundHttpException");
    assert_int_equal(json_object_get_int(json_object_object_get(o, "code")), 0);
    assert_int_equal(json_object_get_int(json_object_object_get(o, "status")), 404);
    json_object_put(o);

    /* 422: the bare array of field errors */
    ct_req_field_error(&f->req, "amount", "is required");
    ct_req_fail(&f->req, CT_E_RULE, NULL, "invalid");
    ct_req_render_error(&f->req);
    assert_int_equal(f->in.status, 422);
    o = json_tokener_parse(f->in.out);
    assert_true(json_object_is_type(o, json_type_array));
    assert_int_equal(json_object_array_length(o), 1);
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_array_get_idx(o, 0), "field")),
        "amount");
    json_object_put(o);
}

static void
test_internal_errors_say_nothing(void **state)
{
    struct fixture *f = *state;

    ct_req_fail(&f->req, CT_E_INTERNAL, NULL, "INSERT INTO secret_table failed: duplicate");
    ct_req_render_error(&f->req);
    assert_int_equal(f->in.status, 500);
    assert_null(strstr(f->in.out, "secret_table"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_parse_refuses_bad_bodies),
        cmocka_unit_test(test_json_parse_keeps_colons_in_strings),
        cmocka_unit_test(test_json_depth_is_limited),
        cmocka_unit_test_setup_teardown(test_amount_keeps_exact_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings_and_unknown_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_customer_fields_are_validated, setup, teardown),
        cmocka_unit_test(test_url_decode),
        cmocka_unit_test_setup_teardown(test_error_envelope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manager_one_envelopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_internal_errors_say_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
