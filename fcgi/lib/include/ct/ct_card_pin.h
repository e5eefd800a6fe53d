/* ct_card_pin.h - card PINs: the client's PIN text, ISO 9564-1 PIN blocks (format 0 and the AES
 * format 4), and the sealed PIN block kept at rest, checked in constant time. */
#ifndef CT_CARD_PIN_H
#define CT_CARD_PIN_H
#include <stdbool.h>
#include <stddef.h>
#include "ct/ct_card_keys.h"
#include "ct/ct_err.h"

#define CT_CARD_PIN_MIN 4
#define CT_CARD_PIN_MAX 12
#define CT_CARD_PIN_BLOCK0_LEN 8
#define CT_CARD_PIN_BLOCK4_LEN 16
/* The sealed form, "pin4.<key id>.<32 hex>" (card_pin.c), at most this long without its NUL. */
#define CT_CARD_PIN_SEALED_MAX 43

/* A PAN here is 12 to 19 digits; Luhn is not required (the PIN block arithmetic does not need
 * it, and ISO's and psec's test vectors fail it). Every buffer that holds a clear PIN (the text a
 * client sent included) is the caller's to wipe with OPENSSL_cleanse; these functions wipe their
 * own. A clear PIN, a PIN block and a sealed PIN never go to a log. */

/* A PIN as a client sends it (len bytes, e.g. a JSON string with its length, so an embedded NUL
 * is seen): CT_CARD_PIN_MIN..CT_CARD_PIN_MAX ASCII digits and nothing else, no space or sign.
 * Copied NUL-terminated into out on CT_OK; CT_E_RULE otherwise. */
enum ct_err ct_card_pin_parse(const char *text, size_t len, char out[CT_CARD_PIN_MAX + 1]);

/* The clear ISO 9564-1 format 0 PIN block ("ANSI"): 0, PIN length, PIN digits, F fill, XOR
 * 0000 and the 12 rightmost PAN digits before the check digit. For a PIN device or processor
 * that wants format 0 under its own TDES key. CT_E_BADREQ for a bad PIN or PAN. */
enum ct_err ct_card_pin_block0(const char *pin, const char *pan,
                               unsigned char out[CT_CARD_PIN_BLOCK0_LEN]);

/* The enciphered ISO 9564-1 format 4 PIN block under an AES key of key_len bytes (16, 24 or 32):
 * PIN field (4, length, digits, A fill, 8 random bytes) enciphered, XOR the PAN field (PAN
 * length - 12, PAN, 0 fill), enciphered again. The random half makes two blocks of one PIN
 * differ; the PAN field binds the block to its card. CT_E_BADREQ for a bad PIN, PAN or key
 * length, CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_card_pin_block4(const unsigned char *key, size_t key_len, const char *pin,
                               const char *pan, unsigned char out[CT_CARD_PIN_BLOCK4_LEN]);
/* The PIN in an enciphered format 4 block (to translate it to a processor's key). On CT_OK pin
 * holds it (the caller wipes it); CT_E_BADREQ when the block does not decipher, under this key
 * and PAN, to a well-formed PIN field; CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_card_pin_block4_open(const unsigned char *key, size_t key_len,
                                    const unsigned char block[CT_CARD_PIN_BLOCK4_LEN],
                                    const char *pan, char pin[CT_CARD_PIN_MAX + 1]);

/* The form a card's PIN is stored in: a format 4 block under the keyring's current pin key, as
 * "pin4.<key id>.<32 lower-case hex>". Only who holds the pin key and the PAN can get the PIN
 * back; the same PIN seals differently every time. A new PAN (a replaced card) needs a new seal.
 * out holds CT_CARD_PIN_SEALED_MAX + 1 bytes. Errors as ct_card_pin_block4(). */
enum ct_err ct_card_pin_seal(const struct ct_card_keys *keys, const char *pin, const char *pan,
                             char out[CT_CARD_PIN_SEALED_MAX + 1]);
/* Whether candidate is the PIN sealed in sealed for this PAN: the candidate's PIN field is
 * compared with the deciphered one in constant time. CT_OK with *match; CT_E_RULE when
 * candidate is not a PIN (4-12 digits); CT_E_NOTFOUND when the keyring has no key of the sealed
 * id; CT_E_BADREQ when sealed is not a sealed PIN; CT_E_INTERNAL when OpenSSL fails. Counting
 * failures and locking the PIN (PIN tries exceeded) is the caller's. */
enum ct_err ct_card_pin_verify(const struct ct_card_keys *keys, const char *sealed, const char *pan,
                               const char *candidate, bool *match);
/* The key id a sealed PIN names (rotation: open with it, seal under the current one).
 * CT_E_BADREQ when sealed does not start like one. */
enum ct_err ct_card_pin_sealed_key(const char *sealed, unsigned *id);
/* The PIN sealed in sealed for this PAN, for a rotation or a translation to a processor's key.
 * On CT_OK pin holds it (the caller wipes it). Errors as ct_card_pin_verify() (CT_E_BADREQ too
 * when it does not open to a PIN field under this PAN). */
enum ct_err ct_card_pin_open(const struct ct_card_keys *keys, const char *sealed, const char *pan,
                             char pin[CT_CARD_PIN_MAX + 1]);

#endif /* CT_CARD_PIN_H */
