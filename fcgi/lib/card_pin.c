/* card_pin.c - PINs: the client's text, ISO 9564-1 PIN blocks (format 0, and format 4 for AES
 * keys), and the sealed form kept at rest.
 *
 * The sealed form is "pin4.<key id>.<32 lower-case hex>": an enciphered format 4 PIN block under
 * the keyring's pin key of that id (AES-256). Format 4 (ISO 9564-1:2017) is the PIN block made
 * for AES keys:
 *
 *   PIN field  4 | N | PIN digits | A ... A (to nibble 16) | 8 random bytes
 *   PAN field  PAN length - 12 | PAN digits | 0 ... 0 (to nibble 32)
 *   block      AES(K, AES(K, PIN field) XOR PAN field)
 *
 * So the stored value is what an HSM would hold and can translate, differs at every seal (the
 * random half), and opens to a well-formed PIN field only with the right key and the right PAN:
 * a block copied to another card's row does not verify there. The first half of the PIN field
 * depends on the PIN alone, which is what a verification compares. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "ct/ct_card_pin.h"
#include "ct/ct_util.h"
#include "card_internal.h"

#define TAG "pin4"
#define B0 CT_CARD_PIN_BLOCK0_LEN
#define B4 CT_CARD_PIN_BLOCK4_LEN
#define PIN_HALF 8 /* the PIN-dependent half of a format 4 PIN field */
#define HEAD_MAX 12

static size_t pin_digits(const char *pin);
static void nibble_put(unsigned char *b, size_t i, unsigned v);
static unsigned nibble_get(const unsigned char *b, size_t i);
static void pin_half(const char *pin, size_t n, unsigned control, unsigned fill,
                     unsigned char out[PIN_HALF]);
static void pan_field4(const char *pan, unsigned char out[B4]);
static const EVP_CIPHER *aes_ecb(size_t key_len);
static bool aes(bool encrypt, const unsigned char *key, size_t key_len, const unsigned char *in,
                unsigned char *out);
static bool two_pass(bool encrypt, const unsigned char *key, size_t key_len, const char *pan,
                     const unsigned char in[B4], unsigned char out[B4]);
static enum ct_err block4(const unsigned char *key, size_t key_len, const char *pin,
                          const char *pan, const unsigned char pad[PIN_HALF],
                          unsigned char out[B4]);
static enum ct_err field4(const unsigned char *key, size_t key_len, const unsigned char block[B4],
                          const char *pan, unsigned char field[B4]);
static enum ct_err field_pin(const unsigned char field[B4], char pin[CT_CARD_PIN_MAX + 1]);
static enum ct_err sealed_field(const struct ct_card_keys *keys, const char *sealed,
                                const char *pan, unsigned char field[B4]);

/* Length of a PIN of CT_CARD_PIN_MIN..CT_CARD_PIN_MAX digits, else 0. */
static size_t
pin_digits(const char *pin)
{
    size_t n = card_digits(pin, CT_CARD_PIN_MAX);

    return n >= CT_CARD_PIN_MIN ? n : 0;
}

static void
nibble_put(unsigned char *b, size_t i, unsigned v)
{
    b[i / 2] = (unsigned char)(i % 2 == 0 ? (b[i / 2] & 0x0f) | v << 4 : (b[i / 2] & 0xf0) | v);
}

static unsigned
nibble_get(const unsigned char *b, size_t i)
{
    return i % 2 == 0 ? b[i / 2] >> 4 : b[i / 2] & 0x0fu;
}

/* The 16 nibbles control | N | PIN digits | fill: the whole format 0 PIN field (fill F), or the
 * first half of the format 4 one (fill A). */
static void
pin_half(const char *pin, size_t n, unsigned control, unsigned fill, unsigned char out[PIN_HALF])
{
    size_t i;

    memset(out, 0, PIN_HALF);
    nibble_put(out, 0, control);
    nibble_put(out, 1, (unsigned)n);
    for (i = 0; i < 2 * PIN_HALF - 2; i++)
        nibble_put(out, i + 2, i < n ? (unsigned)(pin[i] - '0') : fill);
}

enum ct_err
ct_card_pin_parse(const char *text, size_t len, char out[CT_CARD_PIN_MAX + 1])
{
    size_t i;

    if (text == NULL || len < CT_CARD_PIN_MIN || len > CT_CARD_PIN_MAX)
        return CT_E_RULE;
    for (i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9')
            return CT_E_RULE;
    memcpy(out, text, len);
    out[len] = '\0';
    return CT_OK;
}

/* ---------------------------------------------------------------- format 0 */

enum ct_err
ct_card_pin_block0(const char *pin, const char *pan, unsigned char out[B0])
{
    unsigned char field[B0], acct[B0] = {0};
    size_t n = pin_digits(pin), plen, i;

    if (n == 0 || card_pan_len(pan) == 0)
        return CT_E_BADREQ;
    pin_half(pin, n, 0, 0xf, field);
    /* 0000, then the 12 PAN digits left of the check digit (a 12-digit PAN has 11: zero first) */
    plen = strlen(pan) - 1;
    for (i = 0; i < 12 && i < plen; i++)
        nibble_put(acct, 2 * B0 - 1 - i, (unsigned)(pan[plen - 1 - i] - '0'));
    for (i = 0; i < B0; i++)
        out[i] = field[i] ^ acct[i];
    OPENSSL_cleanse(field, sizeof(field));
    OPENSSL_cleanse(acct, sizeof(acct));
    return CT_OK;
}

/* ---------------------------------------------------------------- format 4 */

static void
pan_field4(const char *pan, unsigned char out[B4])
{
    size_t n = strlen(pan), i; /* 12..19: the caller checked it */

    memset(out, 0, B4);
    nibble_put(out, 0, (unsigned)(n - 12));
    for (i = 0; i < n; i++)
        nibble_put(out, i + 1, (unsigned)(pan[i] - '0'));
}

static const EVP_CIPHER *
aes_ecb(size_t key_len)
{
    switch (key_len) {
    case 16:
        return EVP_aes_128_ecb();
    case 24:
        return EVP_aes_192_ecb();
    case 32:
        return EVP_aes_256_ecb();
    default:
        return NULL;
    }
}

/* One AES block, enciphered or deciphered (ECB: a PIN block is one block by design). */
static bool
aes(bool encrypt, const unsigned char *key, size_t key_len, const unsigned char *in,
    unsigned char *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok;

    ok = c != NULL && EVP_CipherInit_ex(c, aes_ecb(key_len), NULL, key, NULL, encrypt) == 1 &&
         EVP_CIPHER_CTX_set_padding(c, 0) == 1 && EVP_CipherUpdate(c, out, &n, in, B4) == 1 &&
         n == B4;
    EVP_CIPHER_CTX_free(c);
    return ok;
}

/* Format 4's two passes around the PAN field: AES(K, AES(K, x) XOR PAN field) enciphers a PIN
 * field, and the same with AES deciphering gives it back. */
static bool
two_pass(bool encrypt, const unsigned char *key, size_t key_len, const char *pan,
         const unsigned char in[B4], unsigned char out[B4])
{
    unsigned char acct[B4], t[B4];
    size_t i;
    bool ok = false;

    pan_field4(pan, acct);
    if (aes(encrypt, key, key_len, in, t)) {
        for (i = 0; i < B4; i++)
            t[i] ^= acct[i];
        ok = aes(encrypt, key, key_len, t, out);
    }
    OPENSSL_cleanse(t, sizeof(t));
    return ok;
}

/* The format 4 block with a given random half (the tests pass a published one). */
static enum ct_err
block4(const unsigned char *key, size_t key_len, const char *pin, const char *pan,
       const unsigned char pad[PIN_HALF], unsigned char out[B4])
{
    unsigned char field[B4];
    size_t n = pin_digits(pin);
    bool ok;

    if (n == 0 || card_pan_len(pan) == 0 || aes_ecb(key_len) == NULL)
        return CT_E_BADREQ;
    pin_half(pin, n, 4, 0xa, field);
    memcpy(field + PIN_HALF, pad, PIN_HALF);
    ok = two_pass(true, key, key_len, pan, field, out);
    OPENSSL_cleanse(field, sizeof(field));
    return ok ? CT_OK : CT_E_INTERNAL;
}

enum ct_err
ct_card_pin_block4(const unsigned char *key, size_t key_len, const char *pin, const char *pan,
                   unsigned char out[B4])
{
    unsigned char pad[PIN_HALF];
    enum ct_err err;

    if (RAND_bytes(pad, sizeof(pad)) != 1)
        return CT_E_INTERNAL;
    err = block4(key, key_len, pin, pan, pad, out);
    OPENSSL_cleanse(pad, sizeof(pad));
    return err;
}

/* The clear PIN field of an enciphered format 4 block. */
static enum ct_err
field4(const unsigned char *key, size_t key_len, const unsigned char block[B4], const char *pan,
       unsigned char field[B4])
{
    if (card_pan_len(pan) == 0 || aes_ecb(key_len) == NULL)
        return CT_E_BADREQ;
    return two_pass(false, key, key_len, pan, block, field) ? CT_OK : CT_E_INTERNAL;
}

/* The PIN in a clear format 4 PIN field: control 4, length 4..12, digits, A fill. */
static enum ct_err
field_pin(const unsigned char field[B4], char pin[CT_CARD_PIN_MAX + 1])
{
    unsigned n = nibble_get(field, 1), v;
    size_t i;

    if (nibble_get(field, 0) != 4 || n < CT_CARD_PIN_MIN || n > CT_CARD_PIN_MAX)
        return CT_E_BADREQ;
    for (i = 0; i < 2 * PIN_HALF - 2; i++) {
        v = nibble_get(field, i + 2);
        if (i < n ? v > 9 : v != 0xa)
            return CT_E_BADREQ;
    }
    for (i = 0; i < n; i++)
        pin[i] = (char)('0' + nibble_get(field, i + 2));
    pin[n] = '\0';
    return CT_OK;
}

enum ct_err
ct_card_pin_block4_open(const unsigned char *key, size_t key_len, const unsigned char block[B4],
                        const char *pan, char pin[CT_CARD_PIN_MAX + 1])
{
    unsigned char field[B4];
    enum ct_err err = field4(key, key_len, block, pan, field);

    if (err == CT_OK)
        err = field_pin(field, pin);
    OPENSSL_cleanse(field, sizeof(field));
    return err;
}

/* ---------------------------------------------------------------- the sealed form */

enum ct_err
ct_card_pin_seal(const struct ct_card_keys *keys, const char *pin, const char *pan,
                 char out[CT_CARD_PIN_SEALED_MAX + 1])
{
    const struct card_key *key = card_key_current(&keys->pin);
    unsigned char block[B4];
    int h;
    enum ct_err err = ct_card_pin_block4(key->key, sizeof(key->key), pin, pan, block);

    if (err != CT_OK)
        return err;
    h = snprintf(out, HEAD_MAX, TAG ".%u.", key->id);
    if (h <= 0 || h >= HEAD_MAX)
        return CT_E_INTERNAL;
    ct_hex(block, B4, out + h);
    OPENSSL_cleanse(block, sizeof(block));
    return CT_OK;
}

/* The deciphered PIN field of a sealed PIN, for this PAN. */
static enum ct_err
sealed_field(const struct ct_card_keys *keys, const char *sealed, const char *pan,
             unsigned char field[B4])
{
    unsigned char block[B4];
    const unsigned char *key;
    const char *rest;
    unsigned id;

    if (sealed == NULL || strnlen(sealed, CT_CARD_PIN_SEALED_MAX + 1) > CT_CARD_PIN_SEALED_MAX ||
        !card_sealed_head(sealed, TAG, &id, &rest) || strlen(rest) != 2 * B4 ||
        !card_unhex(rest, B4, block))
        return CT_E_BADREQ;
    key = card_key_find(&keys->pin, id);
    if (key == NULL)
        return CT_E_NOTFOUND;
    return field4(key, CARD_AES_KEY, block, pan, field);
}

enum ct_err
ct_card_pin_verify(const struct ct_card_keys *keys, const char *sealed, const char *pan,
                   const char *candidate, bool *match)
{
    unsigned char field[B4], want[PIN_HALF];
    size_t n = pin_digits(candidate);
    enum ct_err err;

    if (n == 0)
        return CT_E_RULE;
    err = sealed_field(keys, sealed, pan, field);
    if (err == CT_OK) {
        pin_half(candidate, n, 4, 0xa, want);
        *match = CRYPTO_memcmp(field, want, PIN_HALF) == 0;
    }
    OPENSSL_cleanse(field, sizeof(field));
    OPENSSL_cleanse(want, sizeof(want));
    return err;
}

enum ct_err
ct_card_pin_sealed_key(const char *sealed, unsigned *id)
{
    return card_sealed_key(sealed, TAG, id);
}

enum ct_err
ct_card_pin_open(const struct ct_card_keys *keys, const char *sealed, const char *pan,
                 char pin[CT_CARD_PIN_MAX + 1])
{
    unsigned char field[B4];
    enum ct_err err = sealed_field(keys, sealed, pan, field);

    if (err == CT_OK)
        err = field_pin(field, pin);
    OPENSSL_cleanse(field, sizeof(field));
    return err;
}
