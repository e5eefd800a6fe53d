/* test_password.c - argon2id hashing and verification, malformed hashes, the password policy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "ct/ct_password.h"

static void
test_hash_then_verify(void **state)
{
    char a[CT_PASSWORD_HASH_MAX], b[CT_PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(ct_password_hash("correct horse battery", a), CT_OK);
    assert_int_equal(ct_password_hash("correct horse battery", b), CT_OK);
    assert_true(strncmp(a, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    assert_true(strlen(a) < CT_PASSWORD_HASH_MAX);
    assert_string_not_equal(a, b); /* a fresh salt each time */
    assert_true(ct_password_verify(a, "correct horse battery"));
    assert_true(ct_password_verify(b, "correct horse battery"));
}

static void
test_wrong_password(void **state)
{
    char h[CT_PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(ct_password_hash("correct horse battery", h), CT_OK);
    assert_false(ct_password_verify(h, "correct horse batterY"));
    assert_false(ct_password_verify(h, "correct horse battery "));
    assert_false(ct_password_verify(h, ""));
    assert_false(ct_password_verify(h, NULL));
}

static void
test_malformed_hash(void **state)
{
    char h[CT_PASSWORD_HASH_MAX], cut[CT_PASSWORD_HASH_MAX];
    char longer[2 * CT_PASSWORD_HASH_MAX];

    (void)state;
    assert_int_equal(ct_password_hash("correct horse battery", h), CT_OK);
    assert_false(ct_password_verify(NULL, "correct horse battery"));
    assert_false(ct_password_verify("", "correct horse battery"));
    assert_false(ct_password_verify("not a hash", "correct horse battery"));
    /* another argon2 variant is not accepted, even when otherwise well-formed */
    assert_false(ct_password_verify("$argon2i$v=19$m=19456,t=2,p=1$Y3QtZHVtbXktc2FsdC0xNg$"
                                    "yR5qqL6DzxJRVW4fh8cxAng6Cx/G6tldtRuANABXBUE",
                                    "x"));
    memcpy(cut, h, sizeof(cut));
    cut[strlen(cut) - 5] = '\0'; /* truncated digest */
    assert_false(ct_password_verify(cut, "correct horse battery"));
    memcpy(cut, h, sizeof(cut));
    cut[20] = '!'; /* broken parameters */
    assert_false(ct_password_verify(cut, "correct horse battery"));
    memset(longer, 'A', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer, h, strlen(h)); /* over the length a stored hash may have */
    assert_false(ct_password_verify(longer, "correct horse battery"));
}

static void
test_burn_does_not_crash(void **state)
{
    (void)state;
    ct_password_burn("whatever it is");
    ct_password_burn("");
    ct_password_burn(NULL);
}

static void
test_policy(void **state)
{
    const char *why = NULL;
    char big[130];

    (void)state;
    assert_true(ct_password_acceptable("0123456789", &why));
    assert_true(ct_password_acceptable("zażółć gęślą jaźń", &why));
    assert_false(ct_password_acceptable("012345678", &why)); /* 9 bytes */
    assert_non_null(why);
    why = NULL;
    assert_false(ct_password_acceptable(NULL, &why));
    assert_non_null(why);
    memset(big, 'a', 128);
    big[128] = '\0';
    assert_true(ct_password_acceptable(big, &why));
    big[128] = 'a';
    big[129] = '\0';
    assert_false(ct_password_acceptable(big, &why));
    assert_false(ct_password_acceptable("0123456789\t", &why));
    assert_false(ct_password_acceptable("0123456789\x7f", &why));
    assert_false(ct_password_acceptable("0123456789\xc2\x85", &why));        /* C1 NEL */
    assert_false(ct_password_acceptable("0123456789\xff", &why));            /* not UTF-8 */
    assert_false(ct_password_acceptable("0123456789\xc0\xaf", &why));        /* overlong '/' */
    assert_false(ct_password_acceptable("0123456789\xed\xa0\x80", &why));    /* surrogate */
    assert_false(ct_password_acceptable("0123456789\xe2\x82", &why));        /* truncated */
    assert_true(ct_password_acceptable("0123456789\xf0\x9f\x92\xb6", &why)); /* emoji */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_then_verify), cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_malformed_hash),   cmocka_unit_test(test_burn_does_not_crash),
        cmocka_unit_test(test_policy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
