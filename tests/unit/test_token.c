/* test_token.c - token shape, uniqueness, hashing and the Bearer header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "ct/ct_token.h"

static void
test_tokens_have_their_shape_and_differ(void **state)
{
    char a[CT_TOKEN_MAX], b[CT_TOKEN_MAX];
    unsigned char ha[32], hb[32], again[32];

    (void)state;
    assert_int_equal(ct_token_new("cs", a, ha), CT_OK);
    assert_int_equal(ct_token_new("cs", b, hb), CT_OK);
    assert_int_equal(strlen(a), 3 + 43);
    assert_true(ct_token_shape(a, "cs"));
    assert_false(ct_token_shape(a, "at"));
    assert_string_not_equal(a, b);
    assert_memory_not_equal(ha, hb, 32);
    ct_token_hash(a, again);
    assert_memory_equal(ha, again, 32);
    a[10] = '+';
    assert_false(ct_token_shape(a, "cs"));
    assert_false(ct_token_shape("cs_short", "cs"));
    assert_false(ct_token_shape(NULL, "cs"));
}

static void
test_bearer_header(void **state)
{
    (void)state;
    assert_string_equal(ct_token_bearer("Bearer abc"), "abc");
    assert_string_equal(ct_token_bearer("bearer abc"), "abc");
    assert_null(ct_token_bearer("Basic abc"));
    assert_null(ct_token_bearer("Bearer "));
    assert_null(ct_token_bearer("Bearer a b"));
    assert_null(ct_token_bearer("Bearerabc"));
    assert_null(ct_token_bearer(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_have_their_shape_and_differ),
        cmocka_unit_test(test_bearer_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
