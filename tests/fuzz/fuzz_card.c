/* fuzz_card.c - libFuzzer target: any input as a client's PIN, a sealed PIN, a sealed PAN, a
 * PAN or BIN, and a keyring file. Whatever it is, the answer is one of the documented codes,
 * never a crash; what is accepted keeps its promises (a parsed PIN seals and verifies, an opened
 * PAN is valid, a valid PAN masks, hashes and round-trips). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_card_cvv.h"
#include "ct/ct_card_keys.h"
#include "ct/ct_card_pan.h"
#include "ct/ct_card_pin.h"
#include "../unit/card_test_keys.h"

#define FUZZ_PAN "4111111111111111" /* the card the PIN inputs belong to */
#define CTX "card-1"                /* the context the seeds' sealed PANs are bound to */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pin_text(const struct ct_card_keys *keys, const uint8_t *data, size_t size);
static void check_sealed_pin(const struct ct_card_keys *keys, const char *text);
static void check_sealed_pan(const struct ct_card_keys *keys, const char *text);
static void check_pan(const struct ct_card_keys *keys, const char *text);
static void check_bin(const char *text, size_t size);
static void check_keyring(const uint8_t *data, size_t size);

/* A parsed PIN is 4-12 digits; sealed, it verifies, a changed digit does not, it opens back. */
static void
check_pin_text(const struct ct_card_keys *keys, const uint8_t *data, size_t size)
{
    char pin[CT_CARD_PIN_MAX + 1], back[CT_CARD_PIN_MAX + 1];
    char sealed[CT_CARD_PIN_SEALED_MAX + 1];
    bool match = false;
    size_t n;

    if (ct_card_pin_parse((const char *)data, size, pin) != CT_OK)
        return;
    n = strlen(pin);
    if (n != size || n < CT_CARD_PIN_MIN || n > CT_CARD_PIN_MAX || strspn(pin, "0123456789") != n)
        abort();
    if (ct_card_pin_seal(keys, pin, FUZZ_PAN, sealed) != CT_OK ||
        ct_card_pin_verify(keys, sealed, FUZZ_PAN, pin, &match) != CT_OK || !match ||
        ct_card_pin_open(keys, sealed, FUZZ_PAN, back) != CT_OK || strcmp(back, pin) != 0)
        abort();
    pin[n - 1] = pin[n - 1] == '9' ? '0' : (char)(pin[n - 1] + 1);
    if (ct_card_pin_verify(keys, sealed, FUZZ_PAN, pin, &match) != CT_OK || match)
        abort();
}

/* Verify answers a code; a sealed PIN that opens holds a PIN that verifies. */
static void
check_sealed_pin(const struct ct_card_keys *keys, const char *text)
{
    char pin[CT_CARD_PIN_MAX + 1];
    bool match = false;
    unsigned id = 0;
    enum ct_err err = ct_card_pin_verify(keys, text, FUZZ_PAN, "1234", &match);

    if (err != CT_OK && err != CT_E_BADREQ && err != CT_E_NOTFOUND)
        abort();
    if (ct_card_pin_open(keys, text, FUZZ_PAN, pin) == CT_OK &&
        (ct_card_pin_verify(keys, text, FUZZ_PAN, pin, &match) != CT_OK || !match))
        abort();
    if (ct_card_pin_sealed_key(text, &id) == CT_OK && (id == 0 || id > CT_CARD_KEY_ID_MAX))
        abort();
}

/* Open answers a code; what opens is a valid PAN. */
static void
check_sealed_pan(const struct ct_card_keys *keys, const char *text)
{
    char pan[CT_CARD_PAN_MAX + 1];
    unsigned id = 0;
    enum ct_err err = ct_card_pan_open(keys, text, CTX, strlen(CTX), pan);

    if (err == CT_OK && !ct_card_pan_valid(pan))
        abort();
    if (err != CT_OK && err != CT_E_BADREQ && err != CT_E_NOTFOUND)
        abort();
    if (ct_card_pan_sealed_key(text, &id) == CT_OK && (id == 0 || id > CT_CARD_KEY_ID_MAX))
        abort();
}

/* A valid PAN masks to its length with at least 6 hidden, keeps its last four, hashes to 64 hex,
 * seals and opens back; any 12-19 digits get a CVV. */
static void
check_pan(const struct ct_card_keys *keys, const char *text)
{
    char out[CT_CARD_PAN_MAX + 1], hash[CT_CARD_LOOKUP_HEX + 1], cvv[CT_CARD_CVV_LEN + 1];
    char sealed[CT_CARD_PAN_SEALED_MAX + 1], last4[5];
    size_t n = strlen(text);
    bool valid = ct_card_pan_valid(text);
    enum ct_err err = ct_card_cvv(keys, text, "3012", CT_CARD_CVC2_SERVICE, 0, cvv);

    if (err == CT_OK && strspn(cvv, "0123456789") != CT_CARD_CVV_LEN)
        abort();
    if (valid && err != CT_OK)
        abort();
    if ((ct_card_pan_mask(text, out) == CT_OK) != valid)
        abort();
    if (!valid)
        return;
    if (strlen(out) != n || strspn(out + n - 4, "*") != 0 || strchr(out, '*') == NULL ||
        strspn(strchr(out, '*'), "*") < 6 || memcmp(out + n - 4, text + n - 4, 4) != 0)
        abort();
    if (ct_card_pan_last4(text, last4) != CT_OK || strcmp(last4, text + n - 4) != 0)
        abort();
    if (ct_card_pan_lookup(keys, text, hash) != CT_OK || strlen(hash) != CT_CARD_LOOKUP_HEX)
        abort();
    if (ct_card_pan_seal(keys, text, NULL, 0, sealed) != CT_OK ||
        ct_card_pan_open(keys, sealed, NULL, 0, out) != CT_OK || strcmp(out, text) != 0)
        abort();
}

/* The input's digits as a BIN and its length as a PAN length: what generates is in range. */
static void
check_bin(const char *text, size_t size)
{
    char pan[CT_CARD_PAN_MAX + 1];
    enum ct_err err = ct_card_pan_generate(text, size + 7, pan);

    if (err == CT_OK && !ct_card_pan_in_range(pan, text, size + 7))
        abort();
    if (err != CT_OK && err != CT_E_RULE)
        abort();
}

/* A keyring the parser accepts has working keys of every use. */
static void
check_keyring(const uint8_t *data, size_t size)
{
    struct ct_card_keys *keys = NULL;
    char why[200], sealed[CT_CARD_PAN_SEALED_MAX + 1], pan[CT_CARD_PAN_MAX + 1];
    char cvv[CT_CARD_CVV_LEN + 1];

    if (ct_card_keys_parse((const char *)data, size, &keys, why, sizeof(why)) != CT_OK)
        return;
    if (ct_card_pan_seal(keys, FUZZ_PAN, NULL, 0, sealed) != CT_OK ||
        ct_card_pan_open(keys, sealed, NULL, 0, pan) != CT_OK || strcmp(pan, FUZZ_PAN) != 0 ||
        ct_card_cvv(keys, FUZZ_PAN, "3012", "000", 0, cvv) != CT_OK)
        abort();
    check_pin_text(keys, (const uint8_t *)"1234", 4);
    ct_card_keys_free(keys);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ct_card_keys *keys; /* parsed once, kept for the whole run */
    static const char ring[] = TK_KEYRING;
    char why[200];
    char *text = malloc(size + 1);

    if (keys == NULL && ct_card_keys_parse(ring, sizeof(ring) - 1, &keys, why, sizeof(why)) != 0)
        abort();
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_pin_text(keys, data, size);
    check_sealed_pin(keys, text);
    check_sealed_pan(keys, text);
    check_pan(keys, text);
    check_bin(text, size);
    check_keyring(data, size);
    free(text);
    return 0;
}
