/* ct_iban.h - IBAN validation against the SWIFT registry, generation from a base IBAN, printing. */
#ifndef CT_IBAN_H
#define CT_IBAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_err.h"

#define CT_IBAN_MAX 34       /* electronic form, without NUL */
#define CT_IBAN_PRINT_MAX 42 /* groups of four with single spaces, without NUL */

/* One country of the registry (../shared/iban/registry.tsv, compiled into the library by
 * tools/gen-iban-registry.sh). Bank and branch positions are the registry's; note that it lists
 * no branch for FR (the guichet), which ct_iban_generate() nevertheless keeps fixed. */
struct ct_iban_country {
    char code[3];     /* "FR" */
    int length;       /* whole IBAN length, 27 for FR */
    const char *bban; /* BBAN structure in registry notation: "5!n5!n11!c2!n" */
    int bank_offset;  /* bank identifier position inside the BBAN (0-based), -1 if none */
    int bank_length;
    int branch_offset; /* -1 if none */
    int branch_length;
};

/* The registry entry for the country in the first two characters of cc ("FR", or a whole IBAN),
 * upper case only; NULL when unknown (territories such as GF or JE use their parent's prefix
 * and are unknown here) or when cc is NULL. Entries are static. */
const struct ct_iban_country *ct_iban_country_find(const char *cc);

/* Strict check of an electronic IBAN: upper case, no spaces, known country, exact length, BBAN
 * matches the country's structure (c admits A-Z0-9 only), check digits 02..98 and mod 97 == 1,
 * and the national check for the countries we generate (FR/MC RIB key, PL sort-code digit) and
 * for BE, NO and ES. Other national checks (IT/SM CIN, PT, HR, ...) and bank-specific account
 * schemes (DE, GB, ...) are not verified. false for NULL. */
bool ct_iban_valid(const char *iban);

/* Normalise user input into electronic form: strips ASCII spaces, upper-cases a-z. CT_E_RULE when
 * the result would be empty or not fit, holds characters other than A-Z0-9 (tabs, dashes and
 * non-ASCII spaces included), or in is NULL. out is written only on CT_OK. Does not validate. */
enum ct_err ct_iban_normalize(const char *in, char out[CT_IBAN_MAX + 1]);

/* Groups of four separated by one space. out must hold CT_IBAN_PRINT_MAX + 1 bytes. Does not
 * validate; characters after the first CT_IBAN_MAX are ignored, NULL iban prints "". */
void ct_iban_print(const char *iban, char out[CT_IBAN_PRINT_MAX + 1]);

/* Generate the IBAN for account number `seq` from a valid base IBAN (ct_iban_valid()); the result
 * has the base's country. The base fixes everything up to and including the bank and branch
 * codes (FR/MC: bank + guichet, 10 characters; PL: the 8-digit sort code); the account part is
 * `seq` written in decimal, right-aligned and zero-padded over the account positions that the
 * base leaves free; then the national key (FR/MC RIB key) and the ISO check digits are computed.
 * Countries supported: every registry country whose BBAN is the bank (and branch) code followed
 * by a numeric or alphanumeric account number with no other national check (PL, FR, MC, DE, AT,
 * NL, GB, LT, LU, CH, LI, ... ). Countries with a national check or field this module does not
 * compute (BE, NO, ES, IT, SM, PT, BA, CZ, DK, EE, FI, HR, HU, IS, SE, SI, SK, BR, MU, SC, TR, ...)
 * give CT_E_RULE. Only the ISO and FR/MC/PL national checks are guaranteed: bank-specific
 * account-number schemes (DE check-digit methods, GB/IE sort-code modulus) are the caller's
 * business (choose the prefix and sequence the bank's scheme allows).
 * `prefix_len` is how many leading BBAN characters of the base are fixed: 0 means exactly the
 * bank and branch codes; otherwise at least that and less than the end of the account part (at
 * least one free position). The free positions must admit digits. CT_E_RULE when base_iban is
 * not valid, the country is not supported, prefix_len is out of range or seq does not fit in the
 * free positions. Distinct seq values give distinct IBANs. out is written only on CT_OK. */
enum ct_err ct_iban_generate(const char *base_iban, int prefix_len, uint64_t seq,
                             char out[CT_IBAN_MAX + 1]);

/* ISO 7064 MOD 97-10 of the rearranged IBAN text (1 for a valid one); -1 on a character other
 * than 0-9A-Z (lower case included), fewer than 4 characters, or NULL. Checks nothing else. */
int ct_iban_mod97(const char *iban);

/* The French RIB of an IBAN (FR and MC, the countries whose BBAN is a RIB): code banque,
 * code guichet, numero de compte and cle RIB, each NUL-terminated. */
struct ct_iban_rib {
    char bank[6];    /* 5 digits */
    char branch[6];  /* guichet, 5 digits */
    char number[12]; /* 11 characters, may hold letters */
    char key[3];     /* 2 digits */
};
/* Split a valid (ct_iban_valid()) FR or MC IBAN into its RIB parts. CT_E_RULE for NULL, an
 * invalid IBAN or another country (whose BBAN is no RIB); out is written only on CT_OK. */
enum ct_err ct_iban_rib_parts(const char *iban, struct ct_iban_rib *out);

#endif /* CT_IBAN_H */
