/* card_test_keys.h - keyrings for the card unit tests and fuzz target. The keys are counting
 * bytes, made up for the tests (the CVK pair is the published CVV example's): never a real key.
 * test_keyring() is there when <cmocka.h> was included first. */
#ifndef CARD_TEST_KEYS_H
#define CARD_TEST_KEYS_H
#include <stdio.h>
#include <string.h>
#include "ct/ct_card_keys.h"

#define TK_PAN1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define TK_PAN2 "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define TK_PIN1 "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
#define TK_LOOKUP "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
#define TK_CVK "0123456789ABCDEFFEDCBA9876543210" /* the CVV example's CVK A, CVK B */

#define TK_KEYRING                                                                                 \
    "pan 1 " TK_PAN1 "\npin 1 " TK_PIN1 "\nlookup 1 " TK_LOOKUP "\ncvk 1 " TK_CVK "\n"

#ifdef cmocka_unit_test
/* A keyring of one pan, pin and lookup key, the CVK pair cvk (32 hex), and more lines. */
static struct ct_card_keys *
test_keyring(const char *cvk, const char *more)
{
    char text[2048], why[200];
    struct ct_card_keys *keys = NULL;
    int n = snprintf(text, sizeof(text), "pan 1 %s\npin 1 %s\nlookup 1 %s\ncvk 1 %s\n%s", TK_PAN1,
                     TK_PIN1, TK_LOOKUP, cvk, more);

    assert_true(n > 0 && (size_t)n < sizeof(text));
    why[0] = '\0';
    if (ct_card_keys_parse(text, (size_t)n, &keys, why, sizeof(why)) != CT_OK)
        fail_msg("test keyring refused: %s", why);
    return keys;
}
#endif

#endif /* CARD_TEST_KEYS_H */
