/* test_json.c - the JSON writer (ct_json.h) against json-c's plain printer: every byte in a
 * string, keys, numbers at their limits, nesting, exact number text, and the buffer cap. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "ct/ct_buf.h"
#include "ct/ct_json.h"

#define PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* What json-c prints for o (consumed). */
static void
expect_json_c(struct json_object *o, const struct ct_buf *ours)
{
    assert_string_equal(ct_buf_str(ours), json_object_to_json_string_ext(o, PLAIN));
    json_object_put(o);
}

static void
test_every_byte_in_a_string(void **state)
{
    struct ct_buf b;
    struct ct_json w;
    char s[4];
    int c;

    (void)state;
    ct_buf_init(&b, 1024);
    for (c = 1; c < 256; c++) {
        /* the byte alone and between plain text */
        s[0] = (char)c;
        s[1] = '\0';
        ct_buf_reset(&b);
        ct_json_init(&w, &b);
        ct_json_str(&w, NULL, s);
        assert_int_equal(ct_json_finish(&w), CT_OK);
        expect_json_c(json_object_new_string(s), &b);
        (void)snprintf(s, sizeof(s), "a%cb", c);
        ct_buf_reset(&b);
        ct_json_init(&w, &b);
        ct_json_begin(&w, NULL, '[');
        ct_json_str(&w, NULL, s);
        ct_json_str(&w, NULL, s);
        ct_json_end(&w, ']');
        assert_int_equal(ct_json_finish(&w), CT_OK);
        {
            struct json_object *a = json_object_new_array();

            json_object_array_add(a, json_object_new_string(s));
            json_object_array_add(a, json_object_new_string(s));
            expect_json_c(a, &b);
        }
    }
    ct_buf_free(&b);
}

static void
test_structure_and_numbers(void **state)
{
    static const char text[] = "l\xc3\xa9on \"le\" \\ /x/ \x01\x1f\x7f \xf0\x9f\x98\x80";
    struct json_object *o = json_object_new_object(), *in = json_object_new_object();
    struct json_object *arr = json_object_new_array();
    struct ct_buf b;
    struct ct_json w;

    (void)state;
    ct_buf_init(&b, 4096);
    ct_json_init(&w, &b);
    ct_json_begin(&w, NULL, '{');
    ct_json_int(&w, "min", INT64_MIN);
    ct_json_int(&w, "max", INT64_MAX);
    ct_json_int(&w, "zero", 0);
    ct_json_bool(&w, "t", true);
    ct_json_bool(&w, "f", false);
    ct_json_null(&w, "n");
    ct_json_str(&w, "s", text);
    ct_json_str(&w, "absent", NULL);
    ct_json_num(&w, "rate", "5.5");
    ct_json_num(&w, "amount", "100.50");
    ct_json_num(&w, "none", NULL);
    ct_json_str(&w, "k\"ey\n", "v");
    ct_json_begin(&w, "empty", '{');
    ct_json_end(&w, '}');
    ct_json_begin(&w, "list", '[');
    ct_json_begin(&w, NULL, '[');
    ct_json_end(&w, ']');
    ct_json_int(&w, NULL, -1);
    ct_json_begin(&w, NULL, '{');
    ct_json_null(&w, "vat");
    ct_json_end(&w, '}');
    ct_json_end(&w, ']');
    ct_json_begin(&w, "in", '{');
    ct_json_str(&w, "a", "b");
    ct_json_end(&w, '}');
    ct_json_end(&w, '}');
    assert_int_equal(ct_json_finish(&w), CT_OK);

    json_object_object_add(o, "min", json_object_new_int64(INT64_MIN));
    json_object_object_add(o, "max", json_object_new_int64(INT64_MAX));
    json_object_object_add(o, "zero", json_object_new_int(0));
    json_object_object_add(o, "t", json_object_new_boolean(1));
    json_object_object_add(o, "f", json_object_new_boolean(0));
    json_object_object_add(o, "n", NULL);
    json_object_object_add(o, "s", json_object_new_string(text));
    json_object_object_add(o, "absent", NULL);
    json_object_object_add(o, "rate", json_object_new_double_s(5.5, "5.5"));
    json_object_object_add(o, "amount", json_object_new_double_s(100.5, "100.50"));
    json_object_object_add(o, "none", NULL);
    json_object_object_add(o, "k\"ey\n", json_object_new_string("v"));
    json_object_object_add(o, "empty", json_object_new_object());
    json_object_array_add(arr, json_object_new_array());
    json_object_array_add(arr, json_object_new_int(-1));
    {
        struct json_object *v = json_object_new_object();

        json_object_object_add(v, "vat", NULL);
        json_object_array_add(arr, v);
    }
    json_object_object_add(o, "list", arr);
    json_object_object_add(in, "a", json_object_new_string("b"));
    json_object_object_add(o, "in", in);
    expect_json_c(o, &b);

    /* an empty top-level array */
    ct_buf_reset(&b);
    ct_json_init(&w, &b);
    ct_json_begin(&w, NULL, '[');
    ct_json_end(&w, ']');
    assert_int_equal(ct_json_finish(&w), CT_OK);
    expect_json_c(json_object_new_array(), &b);
    ct_buf_free(&b);
}

/* Text longer than the stage, in one string and across many values: flushed in order. */
static void
test_long_text(void **state)
{
    struct json_object *a = json_object_new_array();
    struct ct_buf b;
    struct ct_json w;
    char *big = malloc(20001);
    int i;

    (void)state;
    assert_non_null(big);
    for (i = 0; i < 20000; i++)
        big[i] = i % 7 == 0 ? '"' : (char)('a' + i % 26);
    big[20000] = '\0';
    ct_buf_init(&b, 1 << 20);
    ct_json_init(&w, &b);
    ct_json_begin(&w, NULL, '[');
    ct_json_str(&w, NULL, big);
    json_object_array_add(a, json_object_new_string(big));
    for (i = 0; i < 3000; i++) {
        ct_json_int(&w, NULL, (int64_t)i * 7919 - 1000000);
        json_object_array_add(a, json_object_new_int64((int64_t)i * 7919 - 1000000));
    }
    ct_json_str(&w, NULL, big);
    json_object_array_add(a, json_object_new_string(big));
    ct_json_end(&w, ']');
    assert_int_equal(ct_json_finish(&w), CT_OK);
    expect_json_c(a, &b);
    free(big);
    ct_buf_free(&b);
}

static void
test_cap(void **state)
{
    struct ct_buf b;
    struct ct_json w;
    int i;

    (void)state;
    ct_buf_init(&b, 64);
    ct_json_init(&w, &b);
    ct_json_begin(&w, NULL, '[');
    for (i = 0; i < 100; i++)
        ct_json_str(&w, NULL, "0123456789");
    ct_json_end(&w, ']');
    assert_int_equal(ct_json_finish(&w), CT_E_TOOBIG);
    assert_true(ct_buf_len(&b) <= 64);
    ct_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_in_a_string), cmocka_unit_test(test_structure_and_numbers),
        cmocka_unit_test(test_long_text), cmocka_unit_test(test_cap)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
