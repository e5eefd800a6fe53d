/* card_internal.h - the keyring's layout and the helpers fcgi/lib/card_*.c share; no pool
 * includes it. */
#ifndef CT_CARD_INTERNAL_H
#define CT_CARD_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include "ct/ct_card_keys.h"
#include "ct/ct_card_pan.h"

#define CARD_AES_KEY 32 /* AES-256: PAN data keys, PIN keys, and the lookup HMAC key's size */
#define CARD_CVK 16     /* CVK A || CVK B */

struct card_key {
    unsigned id;
    unsigned char key[CARD_AES_KEY];
};

/* The keys of one use (pan or pin): every known id, and the one that seals. */
struct card_keyset {
    struct card_key k[CT_CARD_KEYS_PER_USE];
    size_t n;
    unsigned current;
};

struct ct_card_keys {
    struct card_keyset pan;
    struct card_keyset pin;
    unsigned char lookup[CARD_AES_KEY];
    unsigned char cvk[CARD_CVK];
};

/* The key with this id, borrowed from the set; NULL when there is none. */
const unsigned char *card_key_find(const struct card_keyset *set, unsigned id);
/* The current key of a set (the keyring guarantees there is one). */
const struct card_key *card_key_current(const struct card_keyset *set);

/* Length of s when it is 1..max ASCII digits and nothing else, else 0. NULL-safe. */
size_t card_digits(const char *s, size_t max);
/* Length of pan when it is CT_CARD_PAN_MIN..CT_CARD_PAN_MAX digits, Luhn or not, else 0: the CVV
 * and PIN block arithmetic runs on any card number (the published test vectors' PANs fail
 * Luhn); whether a PAN is valid is checked where it comes in. */
size_t card_pan_len(const char *pan);

/* A sealed form starts "<tag>.<id>." (id decimal, 1..CT_CARD_KEY_ID_MAX, no leading zero): the
 * id and where the rest starts; false for anything else. */
bool card_sealed_head(const char *s, const char *tag, unsigned *id, const char **rest);
/* The id of a sealed form with this tag: CT_OK, or CT_E_BADREQ when sealed (NULL-safe) does
 * not start like one. */
enum ct_err card_sealed_key(const char *sealed, const char *tag, unsigned *id);
/* Exactly 2n lower-case hex characters at s into n bytes (one spelling per byte string);
 * false at the first other character. */
bool card_unhex(const char *s, size_t n, unsigned char *out);

#endif /* CT_CARD_INTERNAL_H */
