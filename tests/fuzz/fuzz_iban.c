/* fuzz_iban.c - libFuzzer target: validate, normalise, print, mod 97 and generate on any input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_iban.h"

#define IN_MAX 96

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_valid(const char *iban, const uint8_t *data, size_t size);

/* A valid IBAN survives print -> normalise, and generation from it gives valid IBANs. */
static void
check_valid(const char *iban, const uint8_t *data, size_t size)
{
    char printed[CT_IBAN_PRINT_MAX + 1];
    char norm[CT_IBAN_MAX + 1];
    char gen[CT_IBAN_MAX + 1];
    uint64_t seq = 0;
    int prefix_len = size > 0 ? data[0] % 40 : 0;
    enum ct_err err;

    if (ct_iban_mod97(iban) != 1 || ct_iban_country_find(iban) == NULL)
        abort();
    ct_iban_print(iban, printed);
    if (ct_iban_normalize(printed, norm) != CT_OK || strcmp(norm, iban) != 0)
        abort();
    memcpy(&seq, data, size < sizeof(seq) ? size : sizeof(seq));
    err = ct_iban_generate(iban, prefix_len, seq, gen);
    if (err == CT_OK && (!ct_iban_valid(gen) || memcmp(gen, iban, 2) != 0))
        abort();
    if (err != CT_OK && err != CT_E_RULE)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[IN_MAX + 1];
    char norm[CT_IBAN_MAX + 1];
    char printed[CT_IBAN_PRINT_MAX + 1];
    size_t n = size < IN_MAX ? size : IN_MAX;
    int m;

    memcpy(in, data, n);
    in[n] = '\0';
    if (ct_iban_valid(in))
        check_valid(in, data, size);
    m = ct_iban_mod97(in);
    if (m < -1 || m > 96)
        abort();
    ct_iban_print(in, printed);
    if (strlen(printed) > CT_IBAN_PRINT_MAX)
        abort();
    if (ct_iban_normalize(in, norm) == CT_OK) {
        if (strlen(norm) == 0 || strlen(norm) > CT_IBAN_MAX)
            abort();
        /* user input that normalises to a valid IBAN takes the valid path too */
        if (ct_iban_valid(norm))
            check_valid(norm, data, size);
    }
    return 0;
}
