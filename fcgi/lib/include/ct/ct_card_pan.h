/* ct_card_pan.h - card numbers: Luhn, generation in a program's BIN range, masked and last-four
 * forms, the keyed lookup hash, and AES-256-GCM protection at rest (PCI DSS 3.4, 3.5). */
#ifndef CT_CARD_PAN_H
#define CT_CARD_PAN_H
#include <stdbool.h>
#include <stddef.h>
#include "ct/ct_card_keys.h"
#include "ct/ct_err.h"

#define CT_CARD_PAN_MIN 12 /* ISO/IEC 7812-1 */
#define CT_CARD_PAN_MAX 19
#define CT_CARD_PAN_GEN_MIN 13 /* lengths ct_card_pan_generate makes (16 is the usual one) */
#define CT_CARD_LOOKUP_HEX 64  /* HMAC-SHA-256 as lower-case hex */
/* The sealed form, "pan1.<key id>.<nonce>.<ciphertext>.<tag>" (card_pan.c), at most this long
 * without its NUL: 5 + 5 + 1 + 24 + 1 + 38 + 1 + 32. */
#define CT_CARD_PAN_SEALED_MAX 107

/* Whether s is CT_CARD_PAN_MIN..CT_CARD_PAN_MAX ASCII digits, nothing else, whose last digit is
 * the Luhn check digit (ISO/IEC 7812-1). NULL: false. Luhn catches typing errors only. */
bool ct_card_pan_valid(const char *s);

/* Whether bin is a program's BIN (IIN): 6 or 8 ASCII digits, nothing else. */
bool ct_card_bin_valid(const char *bin);

/* A new PAN of len digits (CT_CARD_PAN_GEN_MIN..CT_CARD_PAN_MAX) in the range of a program: bin,
 * then digits drawn uniformly from the OpenSSL CSPRNG, then the Luhn check digit. NOT unique:
 * with a 6-digit BIN and 16 digits there are 10^9 numbers, so among 100,000 cards a few
 * repeats are expected; the caller stores the lookup hash under a unique index and draws again
 * on a duplicate. out holds CT_CARD_PAN_MAX + 1 bytes and is written only on CT_OK; the caller
 * wipes it with OPENSSL_cleanse when done. CT_E_RULE for a bad BIN or length, CT_E_INTERNAL when
 * the CSPRNG fails. */
enum ct_err ct_card_pan_generate(const char *bin, size_t len, char out[CT_CARD_PAN_MAX + 1]);

/* Whether pan is a valid PAN of len digits that starts with bin (the program's range). */
bool ct_card_pan_in_range(const char *pan, const char *bin, size_t len);

/* The display form: the last 4 digits and at most the first 6 (PCI DSS 3.4.1), every other
 * digit '*', with at least 6 digits hidden (fewer shown in front on short PANs):
 * "412345******2345". out holds CT_CARD_PAN_MAX + 1 bytes. CT_E_BADREQ when pan is not valid. */
enum ct_err ct_card_pan_mask(const char *pan, char out[CT_CARD_PAN_MAX + 1]);
/* The last four digits into out[5]. CT_E_BADREQ when pan is not valid. */
enum ct_err ct_card_pan_last4(const char *pan, char out[5]);

/* HMAC-SHA-256 of the whole PAN under the keyring's lookup key, lower-case hex: the column a
 * unique index and lookups use (PCI DSS 3.5.1.1: keyed, over the entire PAN, so it cannot be
 * brute-forced from the BIN and last four). out holds CT_CARD_LOOKUP_HEX + 1 bytes.
 * CT_E_BADREQ when pan is not valid, CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_card_pan_lookup(const struct ct_card_keys *keys, const char *pan,
                               char out[CT_CARD_LOOKUP_HEX + 1]);

/* Seals a valid PAN under the current pan key: AES-256-GCM, a fresh 96-bit nonce, bound to the
 * key id and to ctx (ctx_len bytes, e.g. the card id and the partner id; NULL with 0 binds
 * nothing more), so a sealed PAN copied to another row does not open there. out holds
 * CT_CARD_PAN_SEALED_MAX + 1 bytes. CT_E_BADREQ when pan is not valid (or ctx is NULL with a
 * length), CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_card_pan_seal(const struct ct_card_keys *keys, const char *pan, const void *ctx,
                             size_t ctx_len, char out[CT_CARD_PAN_SEALED_MAX + 1]);
/* Opens a sealed PAN with whichever key it names, old ones included, and the same ctx. On CT_OK
 * pan holds the PAN (the caller wipes it). CT_E_NOTFOUND when the keyring has no key of that id
 * (retired too early), CT_E_BADREQ for anything else that is not an intact sealed PAN under
 * that ctx (malformed, truncated, tampered, other ctx), CT_E_INTERNAL when OpenSSL fails. The
 * sealed form is the platform's own data: a caller answers any failure with a 500. */
enum ct_err ct_card_pan_open(const struct ct_card_keys *keys, const char *sealed, const void *ctx,
                             size_t ctx_len, char pan[CT_CARD_PAN_MAX + 1]);
/* The key id a sealed PAN names (a rotation job re-seals those not under the current id).
 * CT_E_BADREQ when sealed does not start like one. */
enum ct_err ct_card_pan_sealed_key(const char *sealed, unsigned *id);

#endif /* CT_CARD_PAN_H */
