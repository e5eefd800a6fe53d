/* card_cvv.c - the Visa CVV / Mastercard CVC algorithm (notes/security.md section 4) under the
 * keyring's CVK pair, with a per-card generation for "reset CVV".
 *
 * The input is 32 decimal digits taken as 16 bytes of packed nibbles:
 *
 *     PAN || YYMM || service code || '0' padding ... || generation (3 digits, only when > 0)
 *     \_________ block A: digits 1-16 _________/\_________ block B: digits 17-32 _________/
 *
 * CVV = decimalise(3DES-EDE[A, B](DES[A](block A) XOR block B)), first three digits. Production
 * belongs in an HSM (PCI DSS 3.6/3.7); this is the software version of the same function. */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "ct/ct_card_cvv.h"
#include "card_internal.h"

#define DIGITS 32
#define DES_BLOCK 8
#define GEN_DIGITS 3

static bool ede_ecb(const unsigned char k1[DES_BLOCK], const unsigned char k2[DES_BLOCK],
                    const unsigned char in[DES_BLOCK], unsigned char out[DES_BLOCK]);
static bool expiry_valid(const char *yymm);
static void decimalise(const unsigned char in[DES_BLOCK], char out[CT_CARD_CVV_LEN + 1]);
static bool cvv_block(const unsigned char cvk[2 * DES_BLOCK], const char d[DIGITS],
                      char out[CT_CARD_CVV_LEN + 1]);

/* Two-key triple DES (encrypt K1, decrypt K2, encrypt K1) on one block. OpenSSL 3 has single
 * DES only in the legacy provider, which a worker does not load; EDE with K1 = K2 is exactly
 * single DES under K1 (the decryption undoes the first encryption), so DES-EDE-ECB of the
 * default provider does both steps of the algorithm. */
static bool
ede_ecb(const unsigned char k1[DES_BLOCK], const unsigned char k2[DES_BLOCK],
        const unsigned char in[DES_BLOCK], unsigned char out[DES_BLOCK])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    unsigned char key[2 * DES_BLOCK];
    int n = 0;
    bool ok;

    memcpy(key, k1, DES_BLOCK);
    memcpy(key + DES_BLOCK, k2, DES_BLOCK);
    ok = c != NULL && EVP_EncryptInit_ex(c, EVP_des_ede_ecb(), NULL, key, NULL) == 1 &&
         EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
         EVP_EncryptUpdate(c, out, &n, in, DES_BLOCK) == 1 && n == DES_BLOCK;
    EVP_CIPHER_CTX_free(c);
    OPENSSL_cleanse(key, sizeof(key));
    return ok;
}

static bool
expiry_valid(const char *yymm)
{
    return card_digits(yymm, 4) == 4 &&
           ((yymm[2] == '0' && yymm[3] != '0') || (yymm[2] == '1' && yymm[3] <= '2'));
}

/* The result's nibbles 0-9 in order, then A-F as 0-5 in order; the first three. */
static void
decimalise(const unsigned char in[DES_BLOCK], char out[CT_CARD_CVV_LEN + 1])
{
    size_t i, o = 0;
    unsigned v;
    int pass;

    for (pass = 0; pass < 2 && o < CT_CARD_CVV_LEN; pass++)
        for (i = 0; i < 2 * DES_BLOCK && o < CT_CARD_CVV_LEN; i++) {
            v = i % 2 == 0 ? in[i / 2] >> 4 : in[i / 2] & 15u;
            if ((v > 9) == (pass == 1))
                out[o++] = (char)('0' + (pass == 1 ? v - 10 : v));
        }
    out[o] = '\0'; /* two passes over 16 nibbles always find three */
}

/* The algorithm itself, on the 32-digit block d, under cvk (A || B). */
static bool
cvv_block(const unsigned char cvk[2 * DES_BLOCK], const char d[DIGITS],
          char out[CT_CARD_CVV_LEN + 1])
{
    unsigned char block[2 * DES_BLOCK], x[DES_BLOCK], y[DES_BLOCK];
    const unsigned char *a = cvk, *b = cvk + DES_BLOCK;
    size_t i;
    bool ok = false;

    for (i = 0; i < sizeof(block); i++)
        block[i] = (unsigned char)((d[2 * i] - '0') << 4 | (d[2 * i + 1] - '0'));
    if (ede_ecb(a, a, block, x)) {
        for (i = 0; i < DES_BLOCK; i++)
            x[i] ^= block[DES_BLOCK + i];
        if (ede_ecb(a, b, x, y)) {
            decimalise(y, out);
            ok = true;
        }
    }
    OPENSSL_cleanse(block, sizeof(block));
    OPENSSL_cleanse(x, sizeof(x));
    OPENSSL_cleanse(y, sizeof(y));
    return ok;
}

enum ct_err
ct_card_cvv(const struct ct_card_keys *keys, const char *pan, const char *yymm,
            const char *service_code, unsigned generation, char out[CT_CARD_CVV_LEN + 1])
{
    char d[DIGITS];
    size_t n = card_pan_len(pan), i;
    bool ok;

    if (n == 0 || !expiry_valid(yymm) || card_digits(service_code, 3) != 3 ||
        generation > CT_CARD_CVV_GEN_MAX)
        return CT_E_BADREQ;
    memset(d, '0', sizeof(d));
    memcpy(d, pan, n);
    memcpy(d + n, yymm, 4);
    memcpy(d + n + 4, service_code, 3);
    for (i = 0; i < GEN_DIGITS; i++, generation /= 10)
        d[DIGITS - 1 - i] = (char)('0' + generation % 10);
    ok = cvv_block(keys->cvk, d, out);
    OPENSSL_cleanse(d, sizeof(d));
    return ok ? CT_OK : CT_E_INTERNAL;
}

enum ct_err
ct_card_cvv_check(const struct ct_card_keys *keys, const char *pan, const char *yymm,
                  const char *service_code, unsigned generation, const char *candidate, bool *match)
{
    char cvv[CT_CARD_CVV_LEN + 1];
    enum ct_err err = ct_card_cvv(keys, pan, yymm, service_code, generation, cvv);

    if (err == CT_OK)
        *match = card_digits(candidate, CT_CARD_CVV_LEN) == CT_CARD_CVV_LEN &&
                 CRYPTO_memcmp(cvv, candidate, CT_CARD_CVV_LEN) == 0;
    OPENSSL_cleanse(cvv, sizeof(cvv));
    return err;
}

enum ct_err
ct_card_cvv_next_generation(const struct ct_card_keys *keys, const char *pan, const char *yymm,
                            unsigned current, unsigned *next)
{
    char old[CT_CARD_CVV_LEN + 1], cvv[CT_CARD_CVV_LEN + 1];
    unsigned g = current;
    enum ct_err err = ct_card_cvv(keys, pan, yymm, CT_CARD_CVC2_SERVICE, current, old);

    while (err == CT_OK) {
        if (g >= CT_CARD_CVV_GEN_MAX) {
            err = CT_E_RULE;
            break;
        }
        err = ct_card_cvv(keys, pan, yymm, CT_CARD_CVC2_SERVICE, ++g, cvv);
        if (err == CT_OK && memcmp(cvv, old, CT_CARD_CVV_LEN) != 0) {
            *next = g;
            break;
        }
    }
    OPENSSL_cleanse(old, sizeof(old));
    OPENSSL_cleanse(cvv, sizeof(cvv));
    return err;
}
