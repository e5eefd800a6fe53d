/* ct_card_keys.h - the card keyring: PAN data keys, the PAN lookup key, the CVK pair, PIN keys. */
#ifndef CT_CARD_KEYS_H
#define CT_CARD_KEYS_H
#include <stddef.h>
#include "ct/ct_err.h"

/* Key ids are decimal 1..CT_CARD_KEY_ID_MAX; a stored PAN or PIN names the id it was sealed
 * with, so rows written under an older key still open after a rotation. */
#define CT_CARD_KEY_ID_MAX 65535
#define CT_CARD_KEYS_PER_USE 32 /* pan or pin keys in one keyring, old ones included */
#define CT_CARD_KEYS_FILE_MAX 65536

/* The keyring file, text, one entry a line; blank lines and lines starting with '#' are skipped,
 * fields are separated by spaces or tabs:
 *
 *   pan 2 <64 hex>      AES-256 data key for PANs (several: the old ones open older rows)
 *   pan_current 2       which pan key seals new PANs; needed only when there are several
 *   lookup 1 <64 hex>   HMAC-SHA-256 key of the PAN lookup hash (exactly one)
 *   cvk 1 <32 hex>      CVK A then CVK B, 8 bytes each, double-length 3DES (exactly one)
 *   pin 1 <64 hex>      AES-256 key sealing PIN blocks (several, as for pan)
 *   pin_current 1       as pan_current
 *
 * Hex is case-insensitive. Refused: an unknown word, a wrong key length, an id given twice for
 * one use, a current id with no key, a missing use, the same key bytes used twice (one key per
 * purpose), CVK A equal to CVK B (that is single DES). Opaque; the key bytes are wiped on free. */
struct ct_card_keys;

/* The keyring from text (len bytes; need not be NUL-terminated). On CT_OK *out is the caller's;
 * otherwise CT_E_BADREQ and why (caller's buffer of whysz bytes) says which line and why, never
 * a key byte. */
enum ct_err ct_card_keys_parse(const char *text, size_t len, struct ct_card_keys **out, char *why,
                               size_t whysz);
/* The same from a file, which must be a regular file (not a link) owned by this process's user
 * and give no permission at all to group or others (mode 0600 or 0400): key files are readable
 * by the service user only (DESIGN.md section 5). CT_E_BADREQ with why otherwise. */
enum ct_err ct_card_keys_load(const char *path, struct ct_card_keys **out, char *why, size_t whysz);
void ct_card_keys_free(struct ct_card_keys *keys); /* wipes, then frees; NULL-safe */

/* The ids new PANs and PINs are sealed under (for a rotation job: rows under another id are the
 * ones to re-seal). */
unsigned ct_card_keys_pan_current(const struct ct_card_keys *keys);
unsigned ct_card_keys_pin_current(const struct ct_card_keys *keys);

#endif /* CT_CARD_KEYS_H */
