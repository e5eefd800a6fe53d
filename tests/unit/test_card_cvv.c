/* test_card_cvv.c - the CVV/CVC2 algorithm against published vectors and vectors recomputed with
 * the openssl command, the CVV generation of "reset CVV", and the refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

/* Included for ede_ecb, to check single DES as EDE with K1 = K2 (the h2o pattern). */
#include "../../fcgi/lib/card_cvv.c"
#include "card_test_keys.h"

static void cvv_is(const char *cvk, const char *pan, const char *yymm, const char *svc,
                   unsigned gen, const char *want);

static void
cvv_is(const char *cvk, const char *pan, const char *yymm, const char *svc, unsigned gen,
       const char *want)
{
    struct ct_card_keys *keys = test_keyring(cvk, "");
    char out[CT_CARD_CVV_LEN + 1];
    bool match = false;

    assert_int_equal(ct_card_cvv(keys, pan, yymm, svc, gen, out), CT_OK);
    assert_string_equal(out, want);
    assert_int_equal(ct_card_cvv_check(keys, pan, yymm, svc, gen, want, &match), CT_OK);
    assert_true(match);
    ct_card_keys_free(keys);
}

/* Each vector is recomputed by hand with the openssl command (OpenSSL 3.0; -des-ede is two-key
 * EDE in ECB, so "-K AA" with the key written twice is single DES under A), with
 * des() { echo -n $2 | xxd -r -p | openssl enc -des-ede -nopad -K $1 | xxd -p; }:
 *   block = PAN YYMM SVC, '0'-padded to 32 digits; A = its left 16, B = its right 16
 *   x = des CVKA||CVKA A;  y = x XOR B;  z = des CVKA||CVKB y;  CVV = decimalise(z)[0..2] */
static void
test_published_vectors(void **state)
{
    (void)state;
    /* the example quoted in HSM manuals: block 4123456789012345 8701101000000000,
     * x b76addce71ccc6be, y 306bcdde71ccc6be, z 5b614982e03c97dd -> 561 */
    cvv_is("0123456789ABCDEFFEDCBA9876543210", "4123456789012345", "8701", "101", 0, "561");
    /* the same card's CVC2 (service code 000): y 306bddce71ccc6be, z 6c3e6395546c275a -> 636 */
    cvv_is("0123456789ABCDEFFEDCBA9876543210", "4123456789012345", "8701", "000", 0, "636");
}

/* Two vectors from other implementations whose expiry is not a YYMM month (0721 is MMYY, 3333
 * no date), which ct_card_cvv() refuses on purpose (a MMYY passed for YYMM would give another
 * CVV): they run on the algorithm's block directly. */
static void
test_other_implementations(void **state)
{
    static const unsigned char k1[16] = {0xd6, 0x76, 0xdc, 0xf3, 0xaf, 0xb7, 0x35, 0x05,
                                         0x32, 0xea, 0xf0, 0x0e, 0xa2, 0x53, 0xd8, 0x75};
    static const unsigned char k2[16] = {0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99,
                                         0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88};
    char out[CT_CARD_CVV_LEN + 1];

    (void)state;
    /* UrielYair/CredoraxCourse CVCTest.java: PAN 4123450990122129, 0721, 202; x
     * 4dc867aa9bce665b, y 4ae9478a9bce665b, z 24e1a05574051bbf -> 241 */
    assert_true(cvv_block(k1, "41234509901221290721202000000000", out));
    assert_string_equal(out, "241");
    /* knovichikhin/psec tests/test_cvv.py: PAN 2222222222222222, 3333, 111; x c1e2d88712a02b00,
     * z 361119ad0519e4af -> 361 */
    assert_true(cvv_block(k2, "22222222222222223333111000000000", out));
    assert_string_equal(out, "361");
}

/* The first step is single DES; OpenSSL 3 keeps DES-ECB in the legacy provider only, so it runs
 * as EDE with K1 = K2. Against real single DES: echo -n 4123456789012345 | xxd -r -p |
 * openssl enc -des-ecb -provider legacy -provider default -nopad -K 0123456789ABCDEF | xxd -p
 * gives b76addce71ccc6be. */
static void
test_single_des_as_ede(void **state)
{
    static const unsigned char k[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    static const unsigned char in[8] = {0x41, 0x23, 0x45, 0x67, 0x89, 0x01, 0x23, 0x45};
    static const unsigned char want[8] = {0xb7, 0x6a, 0xdd, 0xce, 0x71, 0xcc, 0xc6, 0xbe};
    unsigned char out[8];

    (void)state;
    assert_true(ede_ecb(k, k, in, out));
    assert_memory_equal(out, want, 8);
}

/* Generation g > 0 puts g in the block's last three digits, e.g. for generation 7 the block
 * 4123456789012345 8701000000000007: y 306bddce71ccc6b9, z e51f04fedbe6f82e -> 510; generation 1:
 * z cb2f0837bd1eb21b -> 208; generation 999: z 6049f4a1c2fde9a7 -> 604. */
static void
test_generations(void **state)
{
    (void)state;
    cvv_is(TK_CVK, "4123456789012345", "8701", CT_CARD_CVC2_SERVICE, 0, "636");
    cvv_is(TK_CVK, "4123456789012345", "8701", CT_CARD_CVC2_SERVICE, 1, "208");
    cvv_is(TK_CVK, "4123456789012345", "8701", CT_CARD_CVC2_SERVICE, 7, "510");
    cvv_is(TK_CVK, "4123456789012345", "8701", CT_CARD_CVC2_SERVICE, 999, "604");
}

static void
test_next_generation(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char a[CT_CARD_CVV_LEN + 1], b[CT_CARD_CVV_LEN + 1], pan[CT_CARD_PAN_MAX + 1];
    unsigned next = 0, g;
    int i;

    (void)state;
    assert_int_equal(ct_card_cvv_next_generation(keys, "4123456789012345", "8701", 0, &next),
                     CT_OK);
    assert_int_equal(next, 1);
    /* over many cards and generations the next CVC2 always differs from the current one */
    for (i = 0; i < 300; i++) {
        assert_int_equal(ct_card_pan_generate("412345", 16, pan), CT_OK);
        g = (unsigned)i % 50;
        assert_int_equal(ct_card_cvv_next_generation(keys, pan, "3012", g, &next), CT_OK);
        assert_true(next > g);
        assert_int_equal(ct_card_cvv(keys, pan, "3012", "000", g, a), CT_OK);
        assert_int_equal(ct_card_cvv(keys, pan, "3012", "000", next, b), CT_OK);
        assert_string_not_equal(a, b);
    }
    next = 0;
    assert_int_equal(ct_card_cvv_next_generation(keys, "4123456789012345", "8701", 999, &next),
                     CT_E_RULE);
    assert_int_equal(ct_card_cvv_next_generation(keys, "4123456789012345", "8701", 1000, &next),
                     CT_E_BADREQ);
    assert_int_equal(next, 0);
    ct_card_keys_free(keys);
}

static void
test_check_and_refusals(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char out[CT_CARD_CVV_LEN + 1] = "xyz";
    bool match = true;
    static const char *const bad_expiry[] = {"8700",  "8713", "8720", "870",
                                             "87011", "87a1", "",     NULL};
    size_t i;

    (void)state;
    assert_int_equal(ct_card_cvv_check(keys, "4123456789012345", "8701", "000", 0, "637", &match),
                     CT_OK);
    assert_false(match);
    match = true;
    assert_int_equal(ct_card_cvv_check(keys, "4123456789012345", "8701", "000", 0, "63", &match),
                     CT_OK);
    assert_false(match);
    match = true;
    assert_int_equal(ct_card_cvv_check(keys, "4123456789012345", "8701", "000", 0, "6360", &match),
                     CT_OK);
    assert_false(match);
    match = true;
    assert_int_equal(ct_card_cvv_check(keys, "4123456789012345", "8701", "000", 0, NULL, &match),
                     CT_OK);
    assert_false(match);
    for (i = 0; i < sizeof(bad_expiry) / sizeof(bad_expiry[0]); i++)
        assert_int_equal(ct_card_cvv(keys, "4123456789012345", bad_expiry[i], "000", 0, out),
                         CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, "4123456789012345", "8712", "00", 0, out), CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, "4123456789012345", "8712", "0000", 0, out), CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, "4123456789012345", "8712", NULL, 0, out), CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, "4123456789012345", "8712", "000", 1000, out), CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, "41234567890", "8712", "000", 0, out), CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, "41234567890123456789", "8712", "000", 0, out), CT_E_BADREQ);
    assert_int_equal(ct_card_cvv(keys, NULL, "8712", "000", 0, out), CT_E_BADREQ);
    assert_string_equal(out, "xyz");
    /* 19 digits fill 26 of the 32: the longest block still has the generation's three */
    assert_int_equal(ct_card_cvv(keys, "4000000000000000006", "1201", "000", 999, out), CT_OK);
    ct_card_keys_free(keys);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors), cmocka_unit_test(test_other_implementations),
        cmocka_unit_test(test_single_des_as_ede), cmocka_unit_test(test_generations),
        cmocka_unit_test(test_next_generation),   cmocka_unit_test(test_check_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
