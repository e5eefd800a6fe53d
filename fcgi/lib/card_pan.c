/* card_pan.c - card numbers: Luhn, generation in a BIN range from the CSPRNG, display forms,
 * the keyed lookup hash, and the sealed (AES-256-GCM) form kept at rest.
 *
 * The sealed form is one line of text, so it fits a VARCHAR column and a log never needs it:
 *
 *     pan1.<key id>.<nonce>.<ciphertext>.<tag>
 *
 * "pan1" names the format; the key id is the keyring's decimal id of the pan key (no leading
 * zero); nonce (12 bytes), ciphertext (the PAN's ASCII digits, 12 to 19 bytes) and tag (16
 * bytes) are lower-case hex. The GCM additional data is the text "pan1.<key id>." followed by
 * the caller's context bytes, so neither the id nor the row the PAN belongs to can be swapped
 * without the tag failing. Hex rather than base64url: the lengths are fixed per PAN length, the
 * codec is trivial, and the form stays under 108 characters. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "ct/ct_card_pan.h"
#include "ct/ct_util.h"
#include "card_internal.h"

#define TAG "pan1"
#define NONCE_LEN 12
#define GCM_TAG_LEN 16
#define HEAD_MAX 12 /* "pan1." + 5 digits + "." and a NUL */
#define SHOWN_FRONT 6
#define SHOWN_BACK 4
#define HIDDEN_MIN 6
#define RAND_POOL 64

/* One sealed PAN, decoded. */
struct sealed {
    unsigned id;
    size_t head_len; /* "pan1.<id>.", the first part of the GCM additional data */
    unsigned char nonce[NONCE_LEN];
    unsigned char ct[CT_CARD_PAN_MAX];
    size_t n;
    unsigned char tag[GCM_TAG_LEN];
};

static unsigned luhn_sum(const char *d, size_t n, bool double_rightmost);
static bool random_digits(char *out, size_t n);
static bool gcm(bool encrypt, const unsigned char *key, const unsigned char nonce[NONCE_LEN],
                const char *head, size_t head_len, const void *ctx, size_t ctx_len,
                const unsigned char *in, size_t n, unsigned char *out,
                unsigned char tag[GCM_TAG_LEN]);
static bool parse_sealed(const char *text, struct sealed *s);

/* ---------------------------------------------------------------- numbers */

/* The Luhn sum of n digits, doubling every second digit from the right, starting with the
 * rightmost one when double_rightmost (a payload still missing its check digit). */
static unsigned
luhn_sum(const char *d, size_t n, bool double_rightmost)
{
    unsigned sum = 0, v;
    size_t i;

    for (i = 0; i < n; i++) {
        v = (unsigned)(d[n - 1 - i] - '0');
        if ((i % 2 == 0) == double_rightmost) {
            v *= 2;
            v = v > 9 ? v - 9 : v;
        }
        sum += v;
    }
    return sum;
}

bool
ct_card_pan_valid(const char *s)
{
    size_t n = card_digits(s, CT_CARD_PAN_MAX);

    return n >= CT_CARD_PAN_MIN && luhn_sum(s, n, false) % 10 == 0;
}

bool
ct_card_bin_valid(const char *bin)
{
    size_t n = card_digits(bin, 8);

    return n == 6 || n == 8;
}

/* n decimal digits, each uniform: a byte is used only below 250, the largest multiple of 10
 * that fits, since byte % 10 over all 256 values would favour 0-5 (modulo bias). */
static bool
random_digits(char *out, size_t n)
{
    unsigned char pool[RAND_POOL];
    size_t used = sizeof(pool), i = 0;
    bool ok = true;

    while (ok && i < n) {
        if (used == sizeof(pool)) {
            ok = RAND_bytes(pool, sizeof(pool)) == 1;
            used = 0;
            continue;
        }
        if (pool[used] < 250)
            out[i++] = (char)('0' + pool[used] % 10);
        used++;
    }
    OPENSSL_cleanse(pool, sizeof(pool));
    return ok;
}

enum ct_err
ct_card_pan_generate(const char *bin, size_t len, char out[CT_CARD_PAN_MAX + 1])
{
    char pan[CT_CARD_PAN_MAX + 1];
    size_t bl = card_digits(bin, 8);
    enum ct_err err = CT_E_INTERNAL;

    if (!ct_card_bin_valid(bin) || len < CT_CARD_PAN_GEN_MIN || len > CT_CARD_PAN_MAX)
        return CT_E_RULE;
    memcpy(pan, bin, bl);
    if (random_digits(pan + bl, len - 1 - bl)) {
        pan[len - 1] = (char)('0' + (10 - luhn_sum(pan, len - 1, true) % 10) % 10);
        pan[len] = '\0';
        memcpy(out, pan, len + 1);
        err = CT_OK;
    }
    OPENSSL_cleanse(pan, sizeof(pan));
    return err;
}

bool
ct_card_pan_in_range(const char *pan, const char *bin, size_t len)
{
    return ct_card_bin_valid(bin) && ct_card_pan_valid(pan) && strlen(pan) == len &&
           strncmp(pan, bin, strlen(bin)) == 0;
}

enum ct_err
ct_card_pan_mask(const char *pan, char out[CT_CARD_PAN_MAX + 1])
{
    size_t len, front;

    if (!ct_card_pan_valid(pan))
        return CT_E_BADREQ;
    len = strlen(pan);
    /* PCI DSS allows first 6 and last 4 at most; on a 12- to 15-digit PAN that would leave as
     * few as 2 digits hidden, one of them fixed by Luhn, so show fewer in front there. */
    front = len - SHOWN_BACK - HIDDEN_MIN;
    front = front > SHOWN_FRONT ? SHOWN_FRONT : front;
    memcpy(out, pan, front);
    memset(out + front, '*', len - front - SHOWN_BACK);
    memcpy(out + len - SHOWN_BACK, pan + len - SHOWN_BACK, SHOWN_BACK);
    out[len] = '\0';
    return CT_OK;
}

enum ct_err
ct_card_pan_last4(const char *pan, char out[5])
{
    if (!ct_card_pan_valid(pan))
        return CT_E_BADREQ;
    memcpy(out, pan + strlen(pan) - SHOWN_BACK, SHOWN_BACK + 1);
    return CT_OK;
}

enum ct_err
ct_card_pan_lookup(const struct ct_card_keys *keys, const char *pan,
                   char out[CT_CARD_LOOKUP_HEX + 1])
{
    unsigned char mac[32];
    size_t n = 0;

    if (!ct_card_pan_valid(pan))
        return CT_E_BADREQ;
    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, keys->lookup, sizeof(keys->lookup),
                  (const unsigned char *)pan, strlen(pan), mac, sizeof(mac), &n) == NULL ||
        n != sizeof(mac))
        return CT_E_INTERNAL;
    ct_hex(mac, sizeof(mac), out);
    return CT_OK;
}

/* ---------------------------------------------------------------- the sealed form */

/* AES-256-GCM over n bytes with the additional data head || ctx. Decrypting, tag is the
 * expected tag and false means it did not verify; nothing in out may then be used. */
static bool
gcm(bool encrypt, const unsigned char *key, const unsigned char nonce[NONCE_LEN], const char *head,
    size_t head_len, const void *ctx, size_t ctx_len, const unsigned char *in, size_t n,
    unsigned char *out, unsigned char tag[GCM_TAG_LEN])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok;

    ok = c != NULL && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
         EVP_CipherInit_ex(c, NULL, NULL, key, nonce, encrypt) == 1 &&
         EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)head, (int)head_len) == 1 &&
         (ctx_len == 0 || EVP_CipherUpdate(c, NULL, &len, ctx, (int)ctx_len) == 1) &&
         EVP_CipherUpdate(c, out, &len, in, (int)n) == 1 && (size_t)len == n &&
         (encrypt || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN, tag) == 1) &&
         EVP_CipherFinal_ex(c, out + len, &fin) == 1 && fin == 0 &&
         (!encrypt || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    return ok;
}

enum ct_err
ct_card_pan_seal(const struct ct_card_keys *keys, const char *pan, const void *ctx, size_t ctx_len,
                 char out[CT_CARD_PAN_SEALED_MAX + 1])
{
    const struct card_key *key = card_key_current(&keys->pan);
    unsigned char nonce[NONCE_LEN], ct[CT_CARD_PAN_MAX], tag[GCM_TAG_LEN];
    size_t n = card_digits(pan, CT_CARD_PAN_MAX);
    int h;

    if (!ct_card_pan_valid(pan) || (ctx == NULL && ctx_len != 0) || ctx_len > INT32_MAX)
        return CT_E_BADREQ;
    h = snprintf(out, HEAD_MAX, TAG ".%u.", key->id);
    if (h <= 0 || h >= HEAD_MAX || RAND_bytes(nonce, sizeof(nonce)) != 1 ||
        !gcm(true, key->key, nonce, out, (size_t)h, ctx, ctx_len, (const unsigned char *)pan, n, ct,
             tag))
        return CT_E_INTERNAL;
    ct_hex(nonce, NONCE_LEN, out + h);
    out[h + 2 * NONCE_LEN] = '.';
    ct_hex(ct, n, out + h + 2 * NONCE_LEN + 1);
    out[h + 2 * NONCE_LEN + 1 + 2 * n] = '.';
    ct_hex(tag, GCM_TAG_LEN, out + h + 2 * NONCE_LEN + 2 + 2 * n);
    return CT_OK;
}

/* Strictly "pan1.<id>.<24 hex>.<24..38 hex, even>.<32 hex>" and nothing after it. */
static bool
parse_sealed(const char *text, struct sealed *s)
{
    size_t len = strnlen(text, CT_CARD_PAN_SEALED_MAX + 1), ctl;
    const char *p, *dot;

    if (len > CT_CARD_PAN_SEALED_MAX || !card_sealed_head(text, TAG, &s->id, &p))
        return false;
    s->head_len = (size_t)(p - text);
    if (!card_unhex(p, NONCE_LEN, s->nonce) || p[2 * NONCE_LEN] != '.')
        return false;
    p += 2 * NONCE_LEN + 1;
    dot = memchr(p, '.', len - (size_t)(p - text));
    if (dot == NULL)
        return false;
    ctl = (size_t)(dot - p);
    if (ctl % 2 != 0 || ctl < 2 * CT_CARD_PAN_MIN || ctl > 2 * CT_CARD_PAN_MAX ||
        !card_unhex(p, ctl / 2, s->ct))
        return false;
    s->n = ctl / 2;
    p = dot + 1;
    return strlen(p) == 2 * GCM_TAG_LEN && card_unhex(p, GCM_TAG_LEN, s->tag);
}

enum ct_err
ct_card_pan_open(const struct ct_card_keys *keys, const char *sealed, const void *ctx,
                 size_t ctx_len, char pan[CT_CARD_PAN_MAX + 1])
{
    struct sealed s;
    char clear[CT_CARD_PAN_MAX + 1];
    const unsigned char *key;
    enum ct_err err = CT_E_BADREQ;

    if (sealed == NULL || (ctx == NULL && ctx_len != 0) || ctx_len > INT32_MAX ||
        !parse_sealed(sealed, &s))
        return CT_E_BADREQ;
    key = card_key_find(&keys->pan, s.id);
    if (key == NULL)
        return CT_E_NOTFOUND;
    if (gcm(false, key, s.nonce, sealed, s.head_len, ctx, ctx_len, s.ct, s.n,
            (unsigned char *)clear, s.tag)) {
        clear[s.n] = '\0';
        /* authentic, so this holds unless the key sealed something else: refuse it anyway */
        if (ct_card_pan_valid(clear)) {
            memcpy(pan, clear, s.n + 1);
            err = CT_OK;
        }
    }
    OPENSSL_cleanse(clear, sizeof(clear));
    return err;
}

enum ct_err
ct_card_pan_sealed_key(const char *sealed, unsigned *id)
{
    return card_sealed_key(sealed, TAG, id);
}
