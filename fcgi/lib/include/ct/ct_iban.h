/* ct_iban.h - IBAN validation against the SWIFT registry, generation from a base IBAN, print form. */
#ifndef CT_IBAN_H
#define CT_IBAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_err.h"

#define CT_IBAN_MAX 34          /* electronic form, without NUL */
#define CT_IBAN_PRINT_MAX 42    /* groups of four with single spaces, without NUL */

/* One country of the registry (../shared/iban/registry.tsv, compiled into the library). */
struct ct_iban_country {
    char code[3];         /* "FR" */
    int length;           /* whole IBAN length, 27 for FR */
    const char *bban;     /* BBAN structure in registry notation: "5!n5!n11!c2!n" */
    int bank_offset;      /* bank identifier position inside the BBAN (0-based), -1 if none */
    int bank_length;
    int branch_offset;    /* -1 if none */
    int branch_length;
};

const struct ct_iban_country *ct_iban_country_find(const char *cc);

/* Strict check of an electronic IBAN: upper case, no spaces, known country, exact length, BBAN
 * matches the country's structure, check digits 02..98 and mod 97 == 1, and the national check
 * for the countries we generate (FR/MC RIB key, PL sort-code digit). */
bool ct_iban_valid(const char *iban);

/* Normalise user input into electronic form: strips spaces, upper-cases. CT_E_RULE when the
 * result would not fit or holds characters other than A-Z0-9. Does not validate. */
enum ct_err ct_iban_normalize(const char *in, char out[CT_IBAN_MAX + 1]);

/* Groups of four separated by one space. out must hold CT_IBAN_PRINT_MAX + 1 bytes. */
void ct_iban_print(const char *iban, char out[CT_IBAN_PRINT_MAX + 1]);

/* Generate the IBAN for account number `seq` from a valid base IBAN of the same country.
 * The base fixes everything up to and including the bank and branch codes (and, for PL, the
 * sort code); the account part is `seq` written in decimal, right-aligned and zero-padded over
 * the account positions that the base leaves free; then the national key (FR/MC RIB key) and the
 * ISO check digits are computed. Countries supported: every registry country whose BBAN is the
 * bank (and branch) code followed by a numeric or alphanumeric account number with no other
 * national check (PL, FR, MC, DE, AT, NL, GB, LT, LU, CH, LI, ... ); others give CT_E_RULE.
 * `prefix_len` is how many leading BBAN characters of the base are fixed (at least the bank and
 * branch codes); 0 means exactly the bank and branch codes. seq must fit in the free positions,
 * otherwise CT_E_RULE. */
enum ct_err ct_iban_generate(const char *base_iban, int prefix_len, uint64_t seq,
                             char out[CT_IBAN_MAX + 1]);

/* ISO 7064 MOD 97-10 of the rearranged IBAN text (1 for a valid one); -1 on a bad character. */
int ct_iban_mod97(const char *iban);

#endif /* CT_IBAN_H */
