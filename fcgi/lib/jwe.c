/* jwe.c - compact JWE (RFC 7516) on OpenSSL 3 EVP, one profile: RSA-OAEP-256 or RSA-OAEP key
 * wrapping, A256GCM content encryption. Anything else is refused before a key is used. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include "ct/ct_jwe.h"
#include "ct/ct_mem.h"
#include "ct/ct_util.h"
#include "internal.h"

#define CEK_LEN 32 /* A256GCM */
#define IV_LEN 12
#define TAG_LEN 16
#define PARTS 5
#define HEADER_MAX 1024    /* a protected header longer than this is no header we accept */
#define KEY_TEXT_MAX 65536 /* key files and Public-Key headers */
#define RSA_MAX_BYTES (CT_JWE_MAX_BITS / 8)
/* unpadded base64 length of n bytes */
#define B64_LEN(n) (((n) / 3) * 4 + ((n) % 3 != 0 ? (n) % 3 + 1 : 0))
#define KID_LEN B64_LEN(32)

struct ct_jwe_key {
    EVP_PKEY *pkey;
    bool priv;
};

/* One part of a compact JWE: its base64url text and the bytes it decodes to. */
struct seg {
    const char *text;
    size_t len;
    unsigned char *bin;
    size_t n;
};

/* The key wrapping algorithms we decrypt; we encrypt with the first. RSA-OAEP is SHA-1 for OAEP
 * and MGF1, RSA-OAEP-256 SHA-256 for both (RFC 7518 section 4.3). */
static const struct jwe_alg {
    const char *name;
    const char *md;
} jwe_algs[] = {
    {"RSA-OAEP-256", "SHA256"},
    {"RSA-OAEP", "SHA1"},
};
#define N_ALGS (sizeof(jwe_algs) / sizeof(jwe_algs[0]))

/* Header members besides alg and enc that change nothing for us. Every other one is refused,
 * registered or not: crit must be understood (RFC 7516 section 4.1.13), zip would inflate
 * attacker data, and jku, jwk, x5u, x5c or epk would let the sender choose a key. */
static const char *const ignored_members[] = {"kid", "typ", "cty", NULL};

/* The members of an RSA JWK in OpenSSL's parameter names: the public pair, d, then the CRT
 * values (RFC 7518 section 6.3). */
static const struct {
    const char *jwk;
    const char *param;
} jwk_rsa[] = {
    {"n", OSSL_PKEY_PARAM_RSA_N},          {"e", OSSL_PKEY_PARAM_RSA_E},
    {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
    {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
};
#define N_JWK (sizeof(jwk_rsa) / sizeof(jwk_rsa[0]))

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64_value(unsigned char c, bool lenient);
static bool b64_decode(const char *in, size_t len, bool lenient, unsigned char *out, size_t *n);
static char *b64url_encode(const unsigned char *in, size_t n, char *out);
static bool split(const char *compact, size_t len, struct seg s[PARTS]);
static void segs_free(struct seg s[PARTS]);
static bool str_is(struct json_object *v, const char *want);
static bool listed(const char *const *list, const char *name);
static const struct jwe_alg *check_header(const struct seg *h);
static bool rsa_oaep(EVP_PKEY *pkey, const char *md, bool encrypt, const unsigned char *in,
                     size_t inlen, unsigned char *out, size_t *outlen);
static void unwrap(const struct ct_jwe_key *key, const struct jwe_alg *alg, const struct seg *ek,
                   unsigned char cek[CEK_LEN]);
static bool gcm(bool encrypt, const unsigned char *cek, const unsigned char *iv, const char *aad,
                size_t aadlen, const unsigned char *in, size_t n, unsigned char *out,
                unsigned char *tag);
static enum ct_err seal(const struct ct_jwe_key *key, const char *header, const char *md,
                        const unsigned char cek[CEK_LEN], const unsigned char iv[IV_LEN],
                        const unsigned char *plain, size_t len, char **compact);
static int no_passphrase(char *buf, int size, int rwflag, void *u);
static EVP_PKEY *pkey_from_pem(const char *text, size_t len, bool *priv);
static EVP_PKEY *pkey_from_der(const unsigned char *der, size_t len);
static BIGNUM *jwk_number(struct json_object *o, const char *name, bool secret);
static EVP_PKEY *pkey_from_jwk(const char *text, size_t len, bool *priv);
static enum ct_err key_new(EVP_PKEY *pk, bool priv, struct ct_jwe_key **out);
static char *param_b64url(const EVP_PKEY *pk, const char *name);
static void thumbprint(const char *n, const char *e, char kid[KID_LEN + 1]);

/* ---------------------------------------------------------------- base64url */

static int
b64_value(unsigned char c, bool lenient)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || (lenient && c == '+'))
        return 62;
    if (c == '_' || (lenient && c == '/'))
        return 63;
    return -1;
}

/* Base64url as JOSE uses it (RFC 7515 section 2): the URL alphabet, no padding, no whitespace,
 * and the unused low bits of the last character zero, so a byte string has one encoding only.
 * lenient (the Public-Key header, made by the client's own tools) also takes the standard
 * alphabet and '=' padding. out has room for len * 3 / 4 bytes. */
static bool
b64_decode(const char *in, size_t len, bool lenient, unsigned char *out, size_t *n)
{
    uint32_t acc = 0;
    size_t i, o = 0;
    int bits = 0, v;

    if (lenient && len >= 4 && len % 4 == 0 && in[len - 1] == '=')
        len -= in[len - 2] == '=' ? 2 : 1;
    if (len % 4 == 1)
        return false;
    for (i = 0; i < len; i++) {
        v = b64_value((unsigned char)in[i], lenient);
        if (v < 0)
            return false;
        acc = (acc << 6 | (uint32_t)v) & 0xffffu; /* at most 14 bits are pending */
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0)
        return false;
    *n = o;
    return true;
}

/* Writes the unpadded base64url of n bytes (B64_LEN(n) characters and a NUL) at out; returns
 * where the NUL is. */
static char *
b64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i;
    uint32_t v;

    for (i = 0; i + 3 <= n; i += 3) {
        v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = b64url_chars[v >> 18];
        *out++ = b64url_chars[(v >> 12) & 63];
        *out++ = b64url_chars[(v >> 6) & 63];
        *out++ = b64url_chars[v & 63];
    }
    if (i < n) {
        v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = b64url_chars[v >> 18];
        *out++ = b64url_chars[(v >> 12) & 63];
        if (i + 1 < n)
            *out++ = b64url_chars[(v >> 6) & 63];
    }
    *out = '\0';
    return out;
}

/* ---------------------------------------------------------------- the compact form */

/* Exactly five parts, each strict base64url (a sixth '.' fails the last part's decoding). */
static bool
split(const char *compact, size_t len, struct seg s[PARTS])
{
    const char *p = compact, *end = compact + len, *dot = NULL;
    size_t i;

    for (i = 0; i < PARTS; i++) {
        dot = i + 1 < PARTS ? memchr(p, '.', (size_t)(end - p)) : NULL;
        if (i + 1 < PARTS && dot == NULL)
            return false;
        s[i].text = p;
        s[i].len = (size_t)((dot != NULL ? dot : end) - p);
        s[i].bin = ct_malloc(s[i].len * 3 / 4 + 1);
        if (!b64_decode(s[i].text, s[i].len, false, s[i].bin, &s[i].n))
            return false;
        if (dot != NULL)
            p = dot + 1;
    }
    return true;
}

static void
segs_free(struct seg s[PARTS])
{
    size_t i;

    for (i = 0; i < PARTS; i++)
        free(s[i].bin);
}

/* A JSON string equal to want, compared with its length: "A256GCM\u0000x" is not "A256GCM". */
static bool
str_is(struct json_object *v, const char *want)
{
    size_t n = strlen(want);

    return json_object_is_type(v, json_type_string) && (size_t)json_object_get_string_len(v) == n &&
           memcmp(json_object_get_string(v), want, n) == 0;
}

static bool
listed(const char *const *list, const char *name)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

/* The protected header: alg one of jwe_algs, enc A256GCM, the ignored members, all strings,
 * none repeated. Returns the alg, or NULL to refuse. */
static const struct jwe_alg *
check_header(const struct seg *h)
{
    struct json_object *o = NULL;
    const struct jwe_alg *alg = NULL;
    const char *why = NULL;
    bool enc = false, ok = true;
    size_t i;

    /* a repeated member name is refused by the parser; nested values by the type checks */
    if (h->n > HEADER_MAX || ct_json_parse_object((const char *)h->bin, h->n, &o, &why) != CT_OK)
        return NULL;
    json_object_object_foreach(o, name, v)
    {
        if (strcmp(name, "alg") == 0) {
            for (i = 0; i < N_ALGS; i++)
                if (str_is(v, jwe_algs[i].name))
                    alg = &jwe_algs[i];
        } else if (strcmp(name, "enc") == 0) {
            enc = str_is(v, "A256GCM");
        } else {
            ok = ok && json_object_is_type(v, json_type_string) && listed(ignored_members, name);
        }
    }
    json_object_put(o);
    return ok && enc ? alg : NULL;
}

/* ---------------------------------------------------------------- the primitives */

/* RSA-OAEP with md for OAEP and MGF1 and the empty label: wraps (encrypt) or unwraps a CEK.
 * *outlen is out's size on entry, the result's length on return. */
static bool
rsa_oaep(EVP_PKEY *pkey, const char *md, bool encrypt, const unsigned char *in, size_t inlen,
         unsigned char *out, size_t *outlen)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    bool ok = ctx != NULL &&
              (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, md, NULL) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, md, NULL) == 1 &&
              (encrypt ? EVP_PKEY_encrypt(ctx, out, outlen, in, inlen)
                       : EVP_PKEY_decrypt(ctx, out, outlen, in, inlen)) == 1;

    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* The CEK from the encrypted key. Whatever fails gives a random CEK instead (RFC 7516 section
 * 11.5): the tag check then fails as it does for a wrong tag, so a sender cannot tell an OAEP
 * failure from a GCM one. */
static void
unwrap(const struct ct_jwe_key *key, const struct jwe_alg *alg, const struct seg *ek,
       unsigned char cek[CEK_LEN])
{
    unsigned char buf[RSA_MAX_BYTES];
    size_t n = sizeof(buf);

    if (rsa_oaep(key->pkey, alg->md, false, ek->bin, ek->n, buf, &n) && n == CEK_LEN)
        memcpy(cek, buf, CEK_LEN);
    else if (RAND_bytes(cek, CEK_LEN) != 1)
        memset(cek, 0, CEK_LEN);
    OPENSSL_cleanse(buf, sizeof(buf));
    ERR_clear_error();
}

/* AES-256-GCM with a 96-bit IV and a 128-bit tag, the AAD being the header's base64url text.
 * Decrypting, tag is the expected one and OpenSSL compares it in constant time; out may then hold
 * unauthenticated bytes even when this fails, and the caller wipes it. */
static bool
gcm(bool encrypt, const unsigned char *cek, const unsigned char *iv, const char *aad, size_t aadlen,
    const unsigned char *in, size_t n, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0, enc = encrypt ? 1 : 0;
    bool ok = ctx != NULL && n <= INT_MAX && aadlen <= INT_MAX &&
              EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, IV_LEN, NULL) == 1 &&
              EVP_CipherInit_ex(ctx, NULL, NULL, cek, iv, enc) == 1 &&
              EVP_CipherUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)aadlen) == 1 &&
              EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1 &&
              (encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
              EVP_CipherFinal_ex(ctx, out + len, &fin) == 1 &&
              (!encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);

    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* ---------------------------------------------------------------- decrypt and encrypt */

enum ct_err
ct_jwe_decrypt(const struct ct_jwe_key *key, const char *compact, size_t len, unsigned char **plain,
               size_t *plain_len, const char **code)
{
    struct seg s[PARTS];
    const struct jwe_alg *alg = NULL;
    const char *failure = CT_JWE_INVALID_PAYLOAD;
    unsigned char cek[CEK_LEN], *out = NULL;
    enum ct_err err = CT_E_BADREQ;

    memset(s, 0, sizeof(s));
    if (split(compact, len, s))
        alg = check_header(&s[0]);
    if (alg == NULL)
        goto out;
    /* From here on the JWE is well formed and the answer is one code, whatever fails. */
    failure = CT_JWE_CANT_DECRYPT;
    if (s[1].n != (size_t)EVP_PKEY_get_size(key->pkey) || s[2].n != IV_LEN || s[4].n != TAG_LEN)
        goto out;
    unwrap(key, alg, &s[1], cek);
    out = ct_malloc(s[3].n + 1);
    if (!gcm(false, cek, s[2].bin, s[0].text, s[0].len, s[3].bin, s[3].n, out, s[4].bin)) {
        ct_free_secret(out, s[3].n + 1);
        ERR_clear_error();
        goto out;
    }
    out[s[3].n] = '\0';
    *plain = out;
    *plain_len = s[3].n;
    err = CT_OK;
out:
    OPENSSL_cleanse(cek, sizeof(cek));
    segs_free(s);
    if (err != CT_OK)
        *code = failure;
    return err;
}

/* Encrypts under the given protected header (JSON text), wrapping the CEK with md. The seam the
 * known-answer test drives with the RFC's CEK and IV; ct_jwe_encrypt() draws them. */
static enum ct_err
seal(const struct ct_jwe_key *key, const char *header, const char *md,
     const unsigned char cek[CEK_LEN], const unsigned char iv[IV_LEN], const unsigned char *plain,
     size_t len, char **compact)
{
    unsigned char ek[RSA_MAX_BYTES], tag[TAG_LEN], *ct = ct_malloc(len + 1);
    size_t hlen = strlen(header), ekn = sizeof(ek), h64 = B64_LEN(hlen);
    char *out = NULL, *p;
    enum ct_err err = CT_E_INTERNAL;

    out = ct_malloc(h64 + 1);
    b64url_encode((const unsigned char *)header, hlen, out);
    if (rsa_oaep(key->pkey, md, true, cek, CEK_LEN, ek, &ekn) &&
        gcm(true, cek, iv, out, h64, plain, len, ct, tag)) {
        out = ct_realloc(out, h64 + B64_LEN(ekn) + B64_LEN(IV_LEN) + B64_LEN(len) +
                                  B64_LEN(TAG_LEN) + 5);
        p = out + h64;
        *p++ = '.';
        p = b64url_encode(ek, ekn, p);
        *p++ = '.';
        p = b64url_encode(iv, IV_LEN, p);
        *p++ = '.';
        p = b64url_encode(ct, len, p);
        *p++ = '.';
        (void)b64url_encode(tag, TAG_LEN, p);
        *compact = out;
        out = NULL;
        err = CT_OK;
    }
    ERR_clear_error();
    free(out);
    free(ct);
    return err;
}

enum ct_err
ct_jwe_encrypt(const struct ct_jwe_key *key, const void *plain, size_t len, char **compact)
{
    static const char header[] = "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}";
    unsigned char cek[CEK_LEN], iv[IV_LEN];
    enum ct_err err = CT_E_INTERNAL;

    if (RAND_bytes(cek, CEK_LEN) == 1 && RAND_bytes(iv, IV_LEN) == 1)
        err = seal(key, header, jwe_algs[0].md, cek, iv, plain, len, compact);
    OPENSSL_cleanse(cek, sizeof(cek));
    return err;
}

void
ct_jwe_plain_free(unsigned char *plain, size_t len)
{
    ct_free_secret(plain, len + 1);
}

/* ---------------------------------------------------------------- keys */

/* OpenSSL asks this for the passphrase of an encrypted PEM key: refuse, rather than prompt on a
 * terminal a worker does not have. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static EVP_PKEY *
pkey_from_pem(const char *text, size_t len, bool *priv)
{
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    EVP_PKEY *pk = NULL;

    *priv = memmem(text, len, "PRIVATE KEY-----", 16) != NULL;
    if (bio != NULL && *priv)
        pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    else if (bio != NULL)
        pk = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    return pk;
}

/* DER SubjectPublicKeyInfo, and nothing after it. */
static EVP_PKEY *
pkey_from_der(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);

    if (pk != NULL && p != der + len) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    return pk;
}

/* A JWK member's number (base64url, big-endian); in secure memory, wiped on free, when secret. */
static BIGNUM *
jwk_number(struct json_object *o, const char *name, bool secret)
{
    struct json_object *v = NULL;
    size_t len, cap, n = 0;
    unsigned char *bin;
    BIGNUM *bn = NULL;

    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    len = (size_t)json_object_get_string_len(v);
    cap = len * 3 / 4 + 1;
    bin = ct_malloc(cap);
    if (b64_decode(json_object_get_string(v), len, false, bin, &n) && n > 0 && n <= RSA_MAX_BYTES) {
        bn = secret ? BN_secure_new() : BN_new();
        if (bn != NULL && BN_bin2bn(bin, (int)n, bn) == NULL) {
            BN_clear_free(bn);
            bn = NULL;
        }
    }
    ct_free_secret(bin, cap);
    return bn;
}

/* An RSA JWK: n and e; a private one has d, and p, q, dp, dq and qi when it has p. Multi-prime
 * keys ("oth") are refused. */
static EVP_PKEY *
pkey_from_jwk(const char *text, size_t len, bool *priv)
{
    struct json_object *o = NULL, *kty = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;
    BIGNUM *bn[N_JWK] = {NULL};
    const char *why = NULL;
    size_t i, want = 2;
    bool ok;

    if (bld == NULL || ct_json_parse_object(text, len, &o, &why) != CT_OK)
        goto out;
    ok = json_object_object_get_ex(o, "kty", &kty) && str_is(kty, "RSA") &&
         !json_object_object_get_ex(o, "oth", NULL);
    *priv = json_object_object_get_ex(o, "d", NULL);
    if (*priv)
        want = json_object_object_get_ex(o, "p", NULL) ? N_JWK : 3;
    for (i = 0; ok && i < want; i++) {
        bn[i] = jwk_number(o, jwk_rsa[i].jwk, i >= 2);
        ok = bn[i] != NULL && OSSL_PARAM_BLD_push_BN(bld, jwk_rsa[i].param, bn[i]) == 1;
    }
    if (ok)
        params = OSSL_PARAM_BLD_to_param(bld);
    if (params != NULL)
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pk, *priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        pk = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* the secure part, where the private numbers are, is wiped */
    OSSL_PARAM_BLD_free(bld);
    for (i = 0; i < N_JWK; i++)
        BN_clear_free(bn[i]);
    json_object_put(o);
    return pk;
}

/* Takes pk (NULL-safe) if it is an RSA key we accept, frees it otherwise. A unit or even public
 * exponent would leave the CEK in clear or the key unusable; full key validation
 * (EVP_PKEY_public_check) costs prime tests on every request, and the client's key guards the
 * client's own data. */
static enum ct_err
key_new(EVP_PKEY *pk, bool priv, struct ct_jwe_key **out)
{
    BIGNUM *e = NULL;
    int bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
    bool ok = pk != NULL && EVP_PKEY_is_a(pk, "RSA") && bits >= CT_JWE_MIN_BITS &&
              bits <= CT_JWE_MAX_BITS &&
              EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) == 1 && BN_is_odd(e) &&
              !BN_is_one(e);

    BN_free(e);
    ERR_clear_error();
    if (!ok) {
        EVP_PKEY_free(pk);
        return CT_E_BADREQ;
    }
    *out = ct_calloc(1, sizeof(**out));
    (*out)->pkey = pk;
    (*out)->priv = priv;
    return CT_OK;
}

enum ct_err
ct_jwe_key_parse(const void *data, size_t len, struct ct_jwe_key **out)
{
    const char *text = data;
    size_t from = 0, to = len;
    EVP_PKEY *pk = NULL;
    bool priv = false;

    if (len == 0 || len > KEY_TEXT_MAX)
        return CT_E_BADREQ;
    /* a JWK file may be indented or end with a newline; the JSON parser takes neither */
    while (from < to && isspace((unsigned char)text[from]))
        from++;
    while (to > from && isspace((unsigned char)text[to - 1]))
        to--;
    if (from < to && text[from] == '{')
        pk = pkey_from_jwk(text + from, to - from, &priv);
    else if (memmem(text, len, "-----BEGIN ", 11) != NULL)
        pk = pkey_from_pem(text, len, &priv);
    else
        pk = pkey_from_der(data, len);
    return key_new(pk, priv, out);
}

enum ct_err
ct_jwe_key_load(const char *path, struct ct_jwe_key **out, char *why, size_t whysz)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    enum ct_err err;

    if (f == NULL) {
        (void)snprintf(why, whysz, "%s: %s", path, strerror(errno));
        return CT_E_BADREQ;
    }
    buf = ct_malloc(KEY_TEXT_MAX + 1);
    n = fread(buf, 1, KEY_TEXT_MAX + 1, f);
    (void)fclose(f);
    err = n <= KEY_TEXT_MAX ? ct_jwe_key_parse(buf, n, out) : CT_E_BADREQ;
    ct_free_secret(buf, KEY_TEXT_MAX + 1);
    if (err != CT_OK)
        (void)snprintf(why, whysz,
                       "%s: no RSA key of %d to %d bits (PEM, DER public key or JWK; a PEM key "
                       "must not be encrypted)",
                       path, CT_JWE_MIN_BITS, CT_JWE_MAX_BITS);
    return err;
}

enum ct_err
ct_jwe_key_from_header(const char *value, struct ct_jwe_key **out)
{
    size_t len = strlen(value), cap = len * 3 / 4 + 1, n = 0;
    unsigned char *bin;
    struct ct_jwe_key *key = NULL;
    enum ct_err err = CT_E_BADREQ;

    if (len == 0 || len > KEY_TEXT_MAX)
        return CT_E_BADREQ;
    bin = ct_malloc(cap);
    if (b64_decode(value, len, true, bin, &n) && ct_jwe_key_parse(bin, n, &key) == CT_OK &&
        !key->priv) {
        *out = key;
        key = NULL;
        err = CT_OK;
    }
    ct_jwe_key_free(key);
    ct_free_secret(bin, cap); /* a client may have sent its private key by mistake */
    return err;
}

void
ct_jwe_key_free(struct ct_jwe_key *key)
{
    if (key == NULL)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

bool
ct_jwe_key_is_private(const struct ct_jwe_key *key)
{
    return key->priv;
}

/* ---------------------------------------------------------------- the public half */

static char *
param_b64url(const EVP_PKEY *pk, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[RSA_MAX_BYTES];
    char *s = NULL;
    int n = 0;

    if (EVP_PKEY_get_bn_param(pk, name, &bn) == 1)
        n = BN_bn2binpad(bn, buf, BN_num_bytes(bn));
    if (n > 0 && n <= (int)sizeof(buf)) {
        s = ct_malloc(B64_LEN((size_t)n) + 1);
        (void)b64url_encode(buf, (size_t)n, s);
    }
    BN_free(bn);
    return s;
}

/* RFC 7638: SHA-256 of the required members in lexicographic order, without whitespace. */
static void
thumbprint(const char *n, const char *e, char kid[KID_LEN + 1])
{
    size_t len = strlen(n) + strlen(e) + 32;
    char *canon = ct_malloc(len);
    unsigned char digest[32];

    (void)snprintf(canon, len, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, n);
    ct_sha256(canon, strlen(canon), digest);
    (void)b64url_encode(digest, sizeof(digest), kid);
    free(canon);
}

enum ct_err
ct_jwe_key_public_jwk(const struct ct_jwe_key *key, struct json_object **jwk)
{
    char *n = param_b64url(key->pkey, OSSL_PKEY_PARAM_RSA_N);
    char *e = param_b64url(key->pkey, OSSL_PKEY_PARAM_RSA_E);
    char kid[KID_LEN + 1];
    struct json_object *o;

    if (n == NULL || e == NULL) {
        free(n);
        free(e);
        ERR_clear_error();
        return CT_E_INTERNAL;
    }
    thumbprint(n, e, kid);
    o = json_object_new_object();
    json_object_object_add(o, "kty", json_object_new_string("RSA"));
    json_object_object_add(o, "kid", json_object_new_string(kid));
    json_object_object_add(o, "use", json_object_new_string("enc"));
    json_object_object_add(o, "alg", json_object_new_string(jwe_algs[0].name));
    json_object_object_add(o, "n", json_object_new_string(n));
    json_object_object_add(o, "e", json_object_new_string(e));
    free(n);
    free(e);
    *jwk = o;
    return CT_OK;
}

enum ct_err
ct_jwe_key_public_pem(const struct ct_jwe_key *key, char **pem)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n = 0;
    enum ct_err err = CT_E_INTERNAL;

    if (bio != NULL && PEM_write_bio_PUBKEY(bio, key->pkey) == 1)
        n = BIO_get_mem_data(bio, &data);
    if (n > 0 && data != NULL) {
        *pem = ct_strndup(data, (size_t)n);
        err = CT_OK;
    }
    BIO_free(bio);
    ERR_clear_error();
    return err;
}
