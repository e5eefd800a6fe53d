/* fuzz_jwe.c - libFuzzer target: any input as a compact JWE to decrypt with the RFC 7516 A.1 key,
 * as a Public-Key header and as a key file. Whatever it is, the answer is a code, never a
 * crash; a refused JWE has one of the two codes; a header never yields a private key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_jwe.h"
#include "../unit/jwe_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ct_jwe_key *key; /* parsed once: RSA key import is not what is fuzzed */
    struct ct_jwe_key *other = NULL;
    unsigned char *plain = NULL;
    size_t n = 0;
    const char *code = NULL;
    char *text = malloc(size + 1);

    if (key == NULL && ct_jwe_key_parse(rfc7516_a1_jwk, strlen(rfc7516_a1_jwk), &key) != CT_OK)
        abort();
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (ct_jwe_decrypt(key, text, size, &plain, &n, &code) == CT_OK)
        ct_jwe_plain_free(plain, n);
    else if (strcmp(code, CT_JWE_INVALID_PAYLOAD) != 0 && strcmp(code, CT_JWE_CANT_DECRYPT) != 0)
        abort();
    if (ct_jwe_key_from_header(text, &other) == CT_OK && ct_jwe_key_is_private(other))
        abort();
    ct_jwe_key_free(other);
    other = NULL;
    if (ct_jwe_key_parse(data, size, &other) == CT_OK)
        ct_jwe_key_free(other);
    free(text);
    return 0;
}
