/* test_card_pin.c - PIN text, ISO 9564-1 format 0 and format 4 known answers, the sealed PIN:
 * verification, binding to the PAN, tampering, key rotation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

/* Included for block4, whose random half a known-answer test must fix (the h2o pattern). */
#include "../../fcgi/lib/card_pin.c"
#include "card_test_keys.h"

static void unhex_or_fail(const char *hex, unsigned char *out, size_t n);
static void block0_is(const char *pin, const char *pan, const char *want);
static void block4_is(const char *key, const char *pin, const char *pan, const char *pad,
                      const char *want);

static void
unhex_or_fail(const char *hex, unsigned char *out, size_t n)
{
    size_t i;
    unsigned v;

    assert_int_equal(strlen(hex), 2 * n);
    for (i = 0; i < n; i++) {
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

static void
block0_is(const char *pin, const char *pan, const char *want)
{
    unsigned char b[CT_CARD_PIN_BLOCK0_LEN], w[CT_CARD_PIN_BLOCK0_LEN];

    unhex_or_fail(want, w, sizeof(w));
    assert_int_equal(ct_card_pin_block0(pin, pan, b), CT_OK);
    assert_memory_equal(b, w, sizeof(w));
}

static void
test_parse(void **state)
{
    char out[CT_CARD_PIN_MAX + 1] = "untouched";

    (void)state;
    assert_int_equal(ct_card_pin_parse("1234", 4, out), CT_OK);
    assert_string_equal(out, "1234");
    assert_int_equal(ct_card_pin_parse("123456789012", 12, out), CT_OK);
    assert_string_equal(out, "123456789012");
    assert_int_equal(ct_card_pin_parse("12345", 4, out), CT_OK); /* the length given counts */
    assert_string_equal(out, "1234");
    memcpy(out, "untouched", 10);
    assert_int_equal(ct_card_pin_parse("123", 3, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("1234567890123", 13, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("12\0004", 5, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("12 34", 5, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("+1234", 5, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("-1234", 5, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("1234 ", 5, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("12a4", 4, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse("\xd9\xa1\xd9\xa2", 4, out), CT_E_RULE); /* Arabic-Indic */
    assert_int_equal(ct_card_pin_parse("", 0, out), CT_E_RULE);
    assert_int_equal(ct_card_pin_parse(NULL, 4, out), CT_E_RULE);
    assert_string_equal(out, "untouched");
}

/* Format 0: PIN field 0 | N | PIN | F...F, XOR 0000 | 12 rightmost PAN digits before the check
 * digit. By hand: 041234FFFFFFFFFF ^ 0000555555123456 = 041261AAAAEDCBA9 (notes/security.md),
 * ^ 0000433221100996 = 041277CDDEEFF669 (psec), ^ 0000111111111111 = 041225EEEEEEEEEE. */
static void
test_block0_known_answers(void **state)
{
    unsigned char b[CT_CARD_PIN_BLOCK0_LEN];

    (void)state;
    block0_is("1234", "5555555551234567", "041261AAAAEDCBA9");
    block0_is("1234", "5544332211009966", "041277CDDEEFF669");
    block0_is("1234", "4111111111111111", "041225EEEEEEEEEE");
    /* 12 digits of PIN, no fill: 0C123456789012FF ^ 0000012345678901 */
    block0_is("123456789012", "4000123456789010", "0C1235753DF79BFE");
    /* a 12-digit PAN has 11 digits before its check digit: a zero in front,
     * 041234FFFFFFFFFF ^ 0000098765432109 */
    block0_is("1234", "987654321098", "04123D789ABCDEF6");
    assert_int_equal(ct_card_pin_block0("123", "4111111111111111", b), CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block0("1234", "41111111111", b), CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block0("1234", NULL, b), CT_E_BADREQ);
}

/* block4 with key (hex) and random half pad (hex) gives want (hex), which opens to pin. */
static void
block4_is(const char *key, const char *pin, const char *pan, const char *pad, const char *want)
{
    unsigned char k[32], p[8], w[16], b[16];
    size_t klen = strlen(key) / 2;
    char back[CT_CARD_PIN_MAX + 1];

    unhex_or_fail(key, k, klen);
    unhex_or_fail(pad, p, sizeof(p));
    unhex_or_fail(want, w, sizeof(w));
    assert_int_equal(block4(k, klen, pin, pan, p, b), CT_OK);
    assert_memory_equal(b, w, sizeof(w));
    assert_int_equal(ct_card_pin_block4_open(k, klen, w, pan, back), CT_OK);
    assert_string_equal(back, pin);
}

/* Format 4 (ISO 9564-1:2017): psec's docstring vector (AES-128), and one for AES-256 and the
 * longest PIN and PAN recomputed with the openssl command:
 *   A = aes-256-ecb(K, 4C123456789012AA 0102030405060708) = a00b5a1fc81c2e28c1a6418921b911c3
 *   B = A ^ 74000001234567899995000000000000            = d40b5a1eeb5949a15833418921b911c3
 *   block = aes-256-ecb(K, B)                           = d53c59a037628619102871fff53c18ec
 * with K = 000102...1f (openssl enc -aes-256-ecb -nopad -K ...). */
static void
test_block4_known_answers(void **state)
{
    unsigned char k256[32], want[16], b[16];
    char pin[CT_CARD_PIN_MAX + 1];

    (void)state;
    block4_is("00112233445566778899AABBCCDDEEFF", "1234", "1234567890123456", "1122334455667788",
              "7CDF645C86CAF763AE34637A66997534");
    block4_is(TK_PAN1, "123456789012", "4000001234567899995", "0102030405060708",
              "d53c59a037628619102871fff53c18ec");
    unhex_or_fail(TK_PAN1, k256, 32);
    unhex_or_fail("d53c59a037628619102871fff53c18ec", want, 16);
    /* another PAN, another key: no PIN comes out */
    assert_int_equal(ct_card_pin_block4_open(k256, 32, want, "4000001234567899996", pin),
                     CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block4_open(k256, 24, want, "4000001234567899995", pin),
                     CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block4_open(k256, 31, want, "4000001234567899995", pin),
                     CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block4(k256, 32, "12345", "41111111111", b), CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block4(k256, 32, "123", "4111111111111111", b), CT_E_BADREQ);
    assert_int_equal(ct_card_pin_block4(k256, 20, "1234", "4111111111111111", b), CT_E_BADREQ);
}

static void
test_block4_is_random_and_opens(void **state)
{
    unsigned char k[32], a[16], b[16];
    char pin[CT_CARD_PIN_MAX + 1];

    (void)state;
    unhex_or_fail(TK_PIN1, k, 32);
    assert_int_equal(ct_card_pin_block4(k, 32, "0000", "4111111111111111", a), CT_OK);
    assert_int_equal(ct_card_pin_block4(k, 32, "0000", "4111111111111111", b), CT_OK);
    assert_memory_not_equal(a, b, 16);
    assert_int_equal(ct_card_pin_block4_open(k, 32, a, "4111111111111111", pin), CT_OK);
    assert_string_equal(pin, "0000");
    assert_int_equal(ct_card_pin_block4_open(k, 32, b, "4111111111111111", pin), CT_OK);
    assert_string_equal(pin, "0000");
}

static void
test_seal_and_verify(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char s1[CT_CARD_PIN_SEALED_MAX + 1], s2[CT_CARD_PIN_SEALED_MAX + 1];
    char pin[CT_CARD_PIN_MAX + 1];
    bool match = false;
    unsigned id = 0;

    (void)state;
    assert_int_equal(ct_card_pin_seal(keys, "4321", "4111111111111111", s1), CT_OK);
    assert_int_equal(ct_card_pin_seal(keys, "4321", "4111111111111111", s2), CT_OK);
    assert_string_not_equal(s1, s2);
    assert_int_equal(strlen(s1), 7 + 32);
    assert_memory_equal(s1, "pin4.1.", 7);
    assert_int_equal(ct_card_pin_verify(keys, s1, "4111111111111111", "4321", &match), CT_OK);
    assert_true(match);
    assert_int_equal(ct_card_pin_verify(keys, s2, "4111111111111111", "4321", &match), CT_OK);
    assert_true(match);
    /* near misses: another digit, a prefix, an extension */
    assert_int_equal(ct_card_pin_verify(keys, s1, "4111111111111111", "4322", &match), CT_OK);
    assert_false(match);
    match = true;
    assert_int_equal(ct_card_pin_verify(keys, s1, "4111111111111111", "43210", &match), CT_OK);
    assert_false(match);
    match = true;
    assert_int_equal(ct_card_pin_verify(keys, s1, "4111111111111111", "432", &match), CT_E_RULE);
    assert_int_equal(ct_card_pin_verify(keys, s1, "4111111111111111", NULL, &match), CT_E_RULE);
    assert_true(match); /* untouched on an error */
    /* bound to the PAN: the same block on another card is not this PIN */
    assert_int_equal(ct_card_pin_verify(keys, s1, "5555555555554444", "4321", &match), CT_OK);
    assert_false(match);
    assert_int_equal(ct_card_pin_open(keys, s1, "4111111111111111", pin), CT_OK);
    assert_string_equal(pin, "4321");
    assert_int_equal(ct_card_pin_open(keys, s1, "5555555555554444", pin), CT_E_BADREQ);
    assert_int_equal(ct_card_pin_sealed_key(s1, &id), CT_OK);
    assert_int_equal(id, 1);
    assert_int_equal(ct_card_pin_seal(keys, "43a1", "4111111111111111", s2), CT_E_BADREQ);
    ct_card_keys_free(keys);
}

static void
test_sealed_form_refusals(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char s[CT_CARD_PIN_SEALED_MAX + 1], t[CT_CARD_PIN_SEALED_MAX + 2];
    bool match = false;
    size_t i, len;
    enum ct_err err;

    (void)state;
    assert_int_equal(ct_card_pin_seal(keys, "4321", "4111111111111111", s), CT_OK);
    len = strlen(s);
    for (i = 0; i < len; i++) {
        memcpy(t, s, i);
        t[i] = '\0';
        assert_int_equal(ct_card_pin_verify(keys, t, "4111111111111111", "4321", &match),
                         CT_E_BADREQ);
        /* a changed hex digit deciphers to noise: no match, or not a sealed PIN at all */
        memcpy(t, s, len + 1);
        t[i] = t[i] == '0' ? '1' : '0';
        match = true;
        err = ct_card_pin_verify(keys, t, "4111111111111111", "4321", &match);
        assert_true(err == CT_E_BADREQ || err == CT_E_NOTFOUND || (err == CT_OK && !match));
    }
    memcpy(t, s, len);
    memcpy(t + len, "0", 2);
    assert_int_equal(ct_card_pin_verify(keys, t, "4111111111111111", "4321", &match), CT_E_BADREQ);
    memcpy(t, s, len + 1);
    t[len - 1] = 'A'; /* upper case is not the form */
    assert_int_equal(ct_card_pin_verify(keys, t, "4111111111111111", "4321", &match), CT_E_BADREQ);
    assert_int_equal(ct_card_pin_verify(keys, NULL, "4111111111111111", "4321", &match),
                     CT_E_BADREQ);
    assert_int_equal(ct_card_pin_verify(keys, s, "411111111", "4321", &match), CT_E_BADREQ);
    ct_card_keys_free(keys);
}

/* A rotation job: open under the id the row names, seal again under the current one. */
static void
test_pin_key_rotation(void **state)
{
    struct ct_card_keys *old = test_keyring(TK_CVK, "");
    struct ct_card_keys *now = test_keyring(TK_CVK, "pin 9 " TK_PAN2 "\npin_current 9\n");
    char row[CT_CARD_PIN_SEALED_MAX + 1], clear[CT_CARD_PIN_MAX + 1];
    bool ok = false;
    unsigned kid = 0;

    (void)state;
    assert_int_equal(ct_card_pin_seal(old, "987654", "4111111111111111", row), CT_OK);
    assert_int_equal(ct_card_pin_open(now, row, "4111111111111111", clear), CT_OK);
    assert_int_equal(ct_card_pin_seal(now, clear, "4111111111111111", row), CT_OK);
    assert_int_equal(ct_card_pin_sealed_key(row, &kid), CT_OK);
    assert_int_equal(kid, 9);
    assert_int_equal(ct_card_pin_verify(now, row, "4111111111111111", "987654", &ok), CT_OK);
    assert_true(ok);
    assert_int_equal(ct_card_pin_verify(old, row, "4111111111111111", "987654", &ok),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_card_pin_sealed_key("pan1.1.00", &kid), CT_E_BADREQ);
    ct_card_keys_free(now);
    ct_card_keys_free(old);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_block0_known_answers),
        cmocka_unit_test(test_block4_known_answers),
        cmocka_unit_test(test_block4_is_random_and_opens),
        cmocka_unit_test(test_seal_and_verify),
        cmocka_unit_test(test_sealed_form_refusals),
        cmocka_unit_test(test_pin_key_rotation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
