/* test_card_pan.c - Luhn, PAN generation (100,000 in one BIN), display forms, the lookup hash,
 * and the sealed form: round trip, context binding, tampering, truncation, key rotation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_card_pan.h"
#include "card_test_keys.h"

#define N_PANS 100000
#define SET_BITS 18  /* 262,144 slots for 100,000 numbers */
#define RANDOM_POS 9 /* a 16-digit PAN in a 6-digit BIN: digits 7 to 15 are drawn */

static bool set_add(uint64_t *set, uint64_t v);
static uint64_t pan_number(const char *pan);
static void mask_is(const char *pan, const char *want);

/* Open addressing on the PAN as a number (never 0: a BIN does not start "000000"). */
static bool
set_add(uint64_t *set, uint64_t v)
{
    uint64_t mask = (1u << SET_BITS) - 1, h = (v * 0x9e3779b97f4a7c15u) >> (64 - SET_BITS);

    while (set[h] != 0) {
        if (set[h] == v)
            return false;
        h = (h + 1) & mask;
    }
    set[h] = v;
    return true;
}

static uint64_t
pan_number(const char *pan)
{
    uint64_t v = 0;

    for (; *pan != '\0'; pan++)
        v = v * 10 + (uint64_t)(*pan - '0');
    return v;
}

static void
test_luhn(void **state)
{
    (void)state;
    assert_true(ct_card_pan_valid("4111111111111111"));
    assert_true(ct_card_pan_valid("5555555555554444"));
    assert_true(ct_card_pan_valid("378282246310005"));     /* 15 digits */
    assert_true(ct_card_pan_valid("4222222222222"));       /* 13 digits */
    assert_true(ct_card_pan_valid("6011000990139424"));    /* Discover test card */
    assert_true(ct_card_pan_valid("000000000000"));        /* 12 digits, sum 0 */
    assert_true(ct_card_pan_valid("4000000000000000006")); /* 19 digits */
    assert_false(ct_card_pan_valid("4111111111111112"));
    assert_false(ct_card_pan_valid("4111111111111121")); /* two digits swapped */
    assert_false(ct_card_pan_valid("79927398713"));      /* Luhn's example: 11 digits */
    assert_false(ct_card_pan_valid("40000000000000000006"));
    assert_false(ct_card_pan_valid("4111 1111 1111 1111"));
    assert_false(ct_card_pan_valid("4111111111111111 "));
    assert_false(ct_card_pan_valid("+4111111111111111"));
    assert_false(ct_card_pan_valid("411111111111111a"));
    assert_false(ct_card_pan_valid(""));
    assert_false(ct_card_pan_valid(NULL));
    assert_true(ct_card_bin_valid("412345"));
    assert_true(ct_card_bin_valid("41234567"));
    assert_false(ct_card_bin_valid("4123456"));
    assert_false(ct_card_bin_valid("41234"));
    assert_false(ct_card_bin_valid("412345678"));
    assert_false(ct_card_bin_valid("41234a"));
    assert_false(ct_card_bin_valid(NULL));
}

/* 100,000 PANs for one BIN: each valid, in range, of the right length. With 10^9 numbers in the
 * range a few repeats are expected (about n^2 / 2N = 5), so the test does what the card routes
 * do with the unique lookup hash: a repeat is drawn again. Many repeats, or a skewed digit
 * distribution, would mean a broken or biased generator: byte % 10 instead of the rejection
 * step puts chi-square near 370 here, a uniform one near its 81 degrees of freedom. */
static void
test_generate_100000_in_one_bin(void **state)
{
    uint64_t *set = calloc((size_t)1 << SET_BITS, sizeof(uint64_t));
    unsigned long counts[RANDOM_POS][10] = {{0}};
    char pan[CT_CARD_PAN_MAX + 1];
    size_t made = 0, repeats = 0, drawn = 0, i, d;
    double chi2 = 0, expected;

    (void)state;
    assert_non_null(set);
    while (made < N_PANS) {
        assert_int_equal(ct_card_pan_generate("412345", 16, pan), CT_OK);
        drawn++;
        assert_int_equal(strlen(pan), 16);
        assert_memory_equal(pan, "412345", 6);
        assert_true(ct_card_pan_valid(pan));
        assert_true(ct_card_pan_in_range(pan, "412345", 16));
        for (i = 0; i < RANDOM_POS; i++)
            counts[i][pan[6 + i] - '0']++;
        if (set_add(set, pan_number(pan)))
            made++;
        else
            repeats++;
    }
    free(set);
    assert_true(repeats <= 40);
    expected = (double)drawn / 10;
    for (i = 0; i < RANDOM_POS; i++)
        for (d = 0; d < 10; d++)
            chi2 +=
                ((double)counts[i][d] - expected) * ((double)counts[i][d] - expected) / expected;
    /* 81 degrees of freedom: mean 81, standard deviation 12.7; 210 is ten of them away */
    if (chi2 > 210)
        fail_msg("digits are not uniform: chi-square %.1f", chi2);
}

static void
test_generate_every_length(void **state)
{
    char pan[CT_CARD_PAN_MAX + 1];
    size_t len;
    int i;

    (void)state;
    for (len = CT_CARD_PAN_GEN_MIN; len <= CT_CARD_PAN_MAX; len++)
        for (i = 0; i < 1000; i++) {
            assert_int_equal(ct_card_pan_generate("53999912", len, pan), CT_OK);
            assert_true(ct_card_pan_in_range(pan, "53999912", len));
            assert_false(ct_card_pan_in_range(pan, "53999913", len));
            assert_false(ct_card_pan_in_range(pan, "53999912", len + 1));
        }
    memcpy(pan, "untouched", 10);
    assert_int_equal(ct_card_pan_generate("412345", 12, pan), CT_E_RULE);
    assert_int_equal(ct_card_pan_generate("412345", 20, pan), CT_E_RULE);
    assert_int_equal(ct_card_pan_generate("4123456", 16, pan), CT_E_RULE);
    assert_int_equal(ct_card_pan_generate("41234x", 16, pan), CT_E_RULE);
    assert_int_equal(ct_card_pan_generate(NULL, 16, pan), CT_E_RULE);
    assert_string_equal(pan, "untouched");
    assert_false(ct_card_pan_in_range("4111111111111112", "411111", 16)); /* Luhn */
    assert_false(ct_card_pan_in_range("4111111111111111", "41111", 16));  /* not a BIN */
}

static void
mask_is(const char *pan, const char *want)
{
    char out[CT_CARD_PAN_MAX + 1];

    assert_int_equal(ct_card_pan_mask(pan, out), CT_OK);
    assert_string_equal(out, want);
}

static void
test_mask_and_last4(void **state)
{
    char out[CT_CARD_PAN_MAX + 1] = "untouched";

    (void)state;
    mask_is("4111111111111111", "411111******1111");
    mask_is("4000000000000000006", "400000*********0006");
    /* short PANs: six digits stay hidden, so fewer are shown in front */
    mask_is("378282246310005", "37828******0005");
    mask_is("4222222222222", "422******2222");
    mask_is("000000000000", "00******0000");
    assert_int_equal(ct_card_pan_mask("4111111111111112", out), CT_E_BADREQ);
    assert_string_equal(out, "untouched");
    assert_int_equal(ct_card_pan_last4("4111111111111111", out), CT_OK);
    assert_string_equal(out, "1111");
    assert_int_equal(ct_card_pan_last4("41111", out), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_last4(NULL, out), CT_E_BADREQ);
}

static void
test_lookup_hash(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char a[CT_CARD_LOOKUP_HEX + 1], b[CT_CARD_LOOKUP_HEX + 1];

    (void)state;
    /* echo -n 4111111111111111 | openssl dgst -sha256 -mac HMAC -macopt hexkey:<TK_LOOKUP> */
    assert_int_equal(ct_card_pan_lookup(keys, "4111111111111111", a), CT_OK);
    assert_string_equal(a, "b0dacd6249b01c6de90ecad82398e845c0cfe5add420145c5cf306e6dbe3994b");
    assert_int_equal(ct_card_pan_lookup(keys, "5555555555554444", b), CT_OK);
    assert_string_not_equal(a, b);
    assert_int_equal(ct_card_pan_lookup(keys, "4111111111111112", b), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_lookup(keys, "", b), CT_E_BADREQ);
    ct_card_keys_free(keys);
}

static void
test_seal_round_trip_and_shape(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char s1[CT_CARD_PAN_SEALED_MAX + 1], s2[CT_CARD_PAN_SEALED_MAX + 1];
    char pan[CT_CARD_PAN_MAX + 1];
    unsigned id = 0;
    size_t i;

    (void)state;
    assert_int_equal(ct_card_pan_seal(keys, "4111111111111111", "card-1", 6, s1), CT_OK);
    assert_int_equal(ct_card_pan_seal(keys, "4111111111111111", "card-1", 6, s2), CT_OK);
    assert_string_not_equal(s1, s2); /* a fresh nonce each time */
    assert_int_equal(strlen(s1), 7 + 24 + 1 + 32 + 1 + 32);
    assert_memory_equal(s1, "pan1.1.", 7);
    assert_int_equal(s1[7 + 24], '.');
    for (i = 7; s1[i] != '\0'; i++)
        assert_true(s1[i] == '.' || (s1[i] >= '0' && s1[i] <= '9') ||
                    (s1[i] >= 'a' && s1[i] <= 'f'));
    assert_null(strstr(s1, "4111111111111111"));
    assert_null(strstr(s1, "34313131313131313131313131313131")); /* nor its ASCII in hex */
    assert_int_equal(ct_card_pan_open(keys, s1, "card-1", 6, pan), CT_OK);
    assert_string_equal(pan, "4111111111111111");
    assert_int_equal(ct_card_pan_sealed_key(s1, &id), CT_OK);
    assert_int_equal(id, 1);
    /* the longest PAN gives the longest form */
    assert_int_equal(ct_card_pan_seal(keys, "4000000000000000006", NULL, 0, s2), CT_OK);
    assert_int_equal(strlen(s2), CT_CARD_PAN_SEALED_MAX - 4); /* id 1: one digit of five */
    assert_int_equal(ct_card_pan_open(keys, s2, NULL, 0, pan), CT_OK);
    assert_string_equal(pan, "4000000000000000006");
    assert_int_equal(ct_card_pan_seal(keys, "4111111111111112", NULL, 0, s2), CT_E_BADREQ);
    ct_card_keys_free(keys);
}

static void
test_open_refuses_other_context(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char s[CT_CARD_PAN_SEALED_MAX + 1], pan[CT_CARD_PAN_MAX + 1] = "untouched";

    (void)state;
    assert_int_equal(ct_card_pan_seal(keys, "4111111111111111", "card-1", 6, s), CT_OK);
    assert_int_equal(ct_card_pan_open(keys, s, "card-2", 6, pan), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_open(keys, s, "card-1", 5, pan), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_open(keys, s, NULL, 0, pan), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_open(keys, s, NULL, 6, pan), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_seal(keys, "4111111111111111", NULL, 6, s), CT_E_BADREQ);
    assert_string_equal(pan, "untouched");
    ct_card_keys_free(keys);
}

/* Every one-character change and every truncation is refused, none crashes, pan stays as it
 * was. A changed id names a key this keyring lacks (CT_E_NOTFOUND) or a malformed form. */
static void
test_open_refuses_tampering_and_truncation(void **state)
{
    struct ct_card_keys *keys = test_keyring(TK_CVK, "");
    char s[CT_CARD_PAN_SEALED_MAX + 1], t[CT_CARD_PAN_SEALED_MAX + 2];
    char pan[CT_CARD_PAN_MAX + 1] = "untouched";
    static const char swaps[] = "0a.fZ";
    unsigned id = 0;
    size_t i, j, len;
    enum ct_err err;

    (void)state;
    assert_int_equal(ct_card_pan_seal(keys, "4111111111111111", NULL, 0, s), CT_OK);
    len = strlen(s);
    for (i = 0; i < len; i++) {
        for (j = 0; j < sizeof(swaps) - 1; j++) {
            memcpy(t, s, len + 1);
            if (t[i] == swaps[j])
                continue;
            t[i] = swaps[j];
            err = ct_card_pan_open(keys, t, NULL, 0, pan);
            assert_true(err == CT_E_BADREQ || err == CT_E_NOTFOUND);
        }
        memcpy(t, s, i);
        t[i] = '\0';
        assert_int_equal(ct_card_pan_open(keys, t, NULL, 0, pan), CT_E_BADREQ);
    }
    memcpy(t, s, len);
    memcpy(t + len, "0", 2);
    assert_int_equal(ct_card_pan_open(keys, t, NULL, 0, pan), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_open(keys, NULL, NULL, 0, pan), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_open(keys, "pan1.01.", NULL, 0, pan), CT_E_BADREQ);
    assert_string_equal(pan, "untouched");
    assert_int_equal(ct_card_pan_sealed_key("pin4.1.00", &id), CT_E_BADREQ);
    assert_int_equal(ct_card_pan_sealed_key(NULL, &id), CT_E_BADREQ);
    assert_int_equal(id, 0);
    ct_card_keys_free(keys);
}

/* Rotation: rows sealed under key 1 still open once key 2 seals; a keyring that dropped key 1
 * says so (CT_E_NOTFOUND) instead of calling the row tampered. */
static void
test_key_rotation(void **state)
{
    struct ct_card_keys *old = test_keyring(TK_CVK, "");
    struct ct_card_keys *now = test_keyring(TK_CVK, "pan 2 " TK_PAN2 "\npan_current 2\n");
    struct ct_card_keys *later = NULL;
    char s1[CT_CARD_PAN_SEALED_MAX + 1], s2[CT_CARD_PAN_SEALED_MAX + 1], why[200];
    char pan[CT_CARD_PAN_MAX + 1];
    const char text[] =
        "pan 2 " TK_PAN2 "\npin 1 " TK_PIN1 "\nlookup 1 " TK_LOOKUP "\ncvk 1 " TK_CVK "\n";
    unsigned id = 0;

    (void)state;
    assert_int_equal(ct_card_pan_seal(old, "4111111111111111", "c", 1, s1), CT_OK);
    assert_int_equal(ct_card_pan_open(now, s1, "c", 1, pan), CT_OK);
    assert_string_equal(pan, "4111111111111111");
    assert_int_equal(ct_card_pan_seal(now, pan, "c", 1, s2), CT_OK); /* the re-seal */
    assert_int_equal(ct_card_pan_sealed_key(s2, &id), CT_OK);
    assert_int_equal(id, 2);
    assert_int_equal(ct_card_pan_open(old, s2, "c", 1, pan), CT_E_NOTFOUND);
    assert_int_equal(ct_card_keys_parse(text, strlen(text), &later, why, sizeof(why)), CT_OK);
    assert_int_equal(ct_card_pan_open(later, s1, "c", 1, pan), CT_E_NOTFOUND);
    assert_int_equal(ct_card_pan_open(later, s2, "c", 1, pan), CT_OK);
    /* the id is bound: key 2's form relabelled as key 1 fails its tag under key 1 */
    s2[5] = '1';
    assert_int_equal(ct_card_pan_open(now, s2, "c", 1, pan), CT_E_BADREQ);
    ct_card_keys_free(later);
    ct_card_keys_free(now);
    ct_card_keys_free(old);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_generate_100000_in_one_bin),
        cmocka_unit_test(test_generate_every_length),
        cmocka_unit_test(test_mask_and_last4),
        cmocka_unit_test(test_lookup_hash),
        cmocka_unit_test(test_seal_round_trip_and_shape),
        cmocka_unit_test(test_open_refuses_other_context),
        cmocka_unit_test(test_open_refuses_tampering_and_truncation),
        cmocka_unit_test(test_key_rotation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
