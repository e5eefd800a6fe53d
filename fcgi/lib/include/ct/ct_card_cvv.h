/* ct_card_cvv.h - CVV/CVC2 computed on demand from the CVK pair (Visa CVV = Mastercard CVC);
 * never stored (PCI DSS 3.3.1.2). */
#ifndef CT_CARD_CVV_H
#define CT_CARD_CVV_H
#include <stdbool.h>
#include "ct/ct_card_keys.h"
#include "ct/ct_err.h"

#define CT_CARD_CVV_LEN 3
#define CT_CARD_CVC2_SERVICE "000" /* the service code CVV2/CVC2 is computed with */
#define CT_CARD_CVV_GEN_MAX 999

/* The card verification value of a PAN, its expiry as YYMM (MM 01..12) and a 3-digit service
 * code (CT_CARD_CVC2_SERVICE for the CVC2 printed on the card or shown for a virtual one; the
 * track's service code for CVV1; "999" for iCVV), under the keyring's CVK pair.
 *
 * generation is the card's CVV generation, 0..CT_CARD_CVV_GEN_MAX: 0 is the scheme's algorithm
 * unchanged; "reset CVV" on a virtual card stores generation + 1, which puts that number in the
 * last three digits of the 32-digit input block, digits the scheme's algorithm always fills with
 * zero padding (a PAN of 19 digits, YYMM and a service code fill 26). Every generation thus gives
 * an unrelated value, and no generation above 0 can give the CVV1 of the magnetic stripe (which
 * has zeros there). card_cvv.c shows the block.
 *
 * out holds CT_CARD_CVV_LEN + 1 bytes; the caller wipes it after use. CT_E_BADREQ for a PAN that
 * is not 12 to 19 digits (Luhn is not required here: the published test vectors fail it; check
 * a PAN with ct_card_pan_valid() where it comes in), a bad expiry, service code or generation;
 * CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_card_cvv(const struct ct_card_keys *keys, const char *pan, const char *yymm,
                        const char *service_code, unsigned generation,
                        char out[CT_CARD_CVV_LEN + 1]);

/* Whether candidate is the CVV of those inputs, compared in constant time. A candidate that is
 * not 3 digits is simply not it. Errors as ct_card_cvv(). */
enum ct_err ct_card_cvv_check(const struct ct_card_keys *keys, const char *pan, const char *yymm,
                              const char *service_code, unsigned generation, const char *candidate,
                              bool *match);

/* The generation a "reset CVV" stores: the first after current whose CVC2 differs from the CVC2
 * of current (a new generation repeats the old 3 digits once in 1000). CT_E_RULE when none is
 * left below CT_CARD_CVV_GEN_MAX (the card must be replaced); errors as ct_card_cvv(). */
enum ct_err ct_card_cvv_next_generation(const struct ct_card_keys *keys, const char *pan,
                                        const char *yymm, unsigned current, unsigned *next);

#endif /* CT_CARD_CVV_H */
