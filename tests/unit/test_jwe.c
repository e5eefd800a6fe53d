/* test_jwe.c - JWE: the RFC 7516 A.1 known answers both ways, every malformed input refused with
 * its code, round trips, key forms and sizes. Includes jwe.c for its seal() seam, which takes
 * the CEK and IV the RFC prints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include "../../fcgi/lib/jwe.c"
#include "jwe_vectors.h"

#define GOOD_HEADER "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}"

static struct ct_jwe_key *rfc_key; /* RFC 7516 A.1, private */
static struct ct_jwe_key *rfc_pub; /* its public half, parsed from our own PEM */

/* ---------------------------------------------------------------- helpers */

static char *
b64url(const void *bin, size_t n)
{
    char *s = ct_malloc(B64_LEN(n) + 1);

    (void)b64url_encode(bin, n, s);
    return s;
}

/* A compact JWE of plain under any header, with a fresh CEK and IV, wrapped with md. */
static char *
make(const char *header, const char *md, const char *plain)
{
    unsigned char cek[CEK_LEN], iv[IV_LEN];
    char *compact = NULL;

    assert_int_equal(RAND_bytes(cek, sizeof(cek)), 1);
    assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
    assert_int_equal(
        seal(rfc_pub, header, md, cek, iv, (const unsigned char *)plain, strlen(plain), &compact),
        CT_OK);
    return compact;
}

/* The span of part k of a compact JWE. */
static const char *
part(const char *compact, int k, size_t *len)
{
    const char *p = compact, *dot;

    for (; k > 0; k--)
        p = strchr(p, '.') + 1;
    dot = strchr(p, '.');
    *len = dot != NULL ? (size_t)(dot - p) : strlen(p);
    return p;
}

static bool
same_part(const char *a, const char *b, int k)
{
    size_t na, nb;
    const char *pa = part(a, k, &na), *pb = part(b, k, &nb);

    return na == nb && memcmp(pa, pb, na) == 0;
}

/* compact with part k replaced by text. */
static char *
with_part(const char *compact, int k, const char *text)
{
    size_t n, total = strlen(compact) + strlen(text) + 1;
    const char *p = part(compact, k, &n);
    char *out = ct_malloc(total);

    (void)snprintf(out, total, "%.*s%s%s", (int)(p - compact), compact, text, p + n);
    return out;
}

static void
expect_refused(const char *compact, size_t len, const char *code)
{
    unsigned char *plain = NULL;
    size_t n = 0;
    const char *got = NULL;

    assert_int_equal(ct_jwe_decrypt(rfc_key, compact, len, &plain, &n, &got), CT_E_BADREQ);
    assert_null(plain);
    assert_string_equal(got, code);
}

static void
expect_opens(const struct ct_jwe_key *key, const char *compact, const char *want)
{
    unsigned char *plain = NULL;
    size_t n = 0;
    const char *code = NULL;

    assert_int_equal(ct_jwe_decrypt(key, compact, strlen(compact), &plain, &n, &code), CT_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(plain, want, n);
    assert_int_equal(plain[n], '\0');
    ct_jwe_plain_free(plain, n);
}

/* A key's PEM: the public half (SubjectPublicKeyInfo) or the private key as PKCS#8. */
static char *
pem_of(EVP_PKEY *pk, bool priv)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *s;
    long n;

    assert_non_null(bio);
    assert_int_equal(priv ? PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL)
                          : PEM_write_bio_PUBKEY(bio, pk),
                     1);
    n = BIO_get_mem_data(bio, &data);
    s = ct_strndup(data, (size_t)n);
    BIO_free(bio);
    return s;
}

static bool
parses(const void *data, size_t len)
{
    struct ct_jwe_key *key = NULL;
    enum ct_err err = ct_jwe_key_parse(data, len, &key);

    ct_jwe_key_free(key);
    return err == CT_OK;
}

static bool
header_key_ok(const char *value)
{
    struct ct_jwe_key *key = NULL;
    enum ct_err err = ct_jwe_key_from_header(value, &key);

    ct_jwe_key_free(key);
    return err == CT_OK;
}

static int
group_setup(void **state)
{
    char *pem;

    (void)state;
    if (ct_jwe_key_parse(rfc7516_a1_jwk, strlen(rfc7516_a1_jwk), &rfc_key) != CT_OK)
        return -1;
    pem = pem_of(rfc_key->pkey, false);
    if (ct_jwe_key_parse(pem, strlen(pem), &rfc_pub) != CT_OK)
        return -1;
    free(pem);
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    ct_jwe_key_free(rfc_key);
    ct_jwe_key_free(rfc_pub);
    return 0;
}

/* ---------------------------------------------------------------- known answers */

static void
test_rfc7516_a1_decrypts(void **state)
{
    (void)state;
    assert_true(ct_jwe_key_is_private(rfc_key));
    expect_opens(rfc_key, rfc7516_a1_compact, rfc7516_a1_plain);
}

/* OAEP is randomised, so the encrypted key differs; with the RFC's CEK and IV every other part
 * must be the RFC's, byte for byte (AES-256-GCM known answer), and the result must open. */
static void
test_rfc7516_a1_encrypts(void **state)
{
    char *compact = NULL;

    (void)state;
    assert_int_equal(seal(rfc_pub, rfc7516_a1_header, "SHA1", rfc7516_a1_cek, rfc7516_a1_iv,
                          (const unsigned char *)rfc7516_a1_plain, strlen(rfc7516_a1_plain),
                          &compact),
                     CT_OK);
    assert_true(same_part(compact, rfc7516_a1_compact, 0));
    assert_false(same_part(compact, rfc7516_a1_compact, 1));
    assert_true(same_part(compact, rfc7516_a1_compact, 2));
    assert_true(same_part(compact, rfc7516_a1_compact, 3));
    assert_true(same_part(compact, rfc7516_a1_compact, 4));
    expect_opens(rfc_key, compact, rfc7516_a1_plain);
    free(compact);
}

static void
test_rfc7638_thumbprint_is_the_kid(void **state)
{
    char jwk[1024];
    struct ct_jwe_key *key = NULL;
    struct json_object *o = NULL;

    (void)state;
    (void)snprintf(jwk, sizeof(jwk), "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}", rfc7638_n);
    assert_int_equal(ct_jwe_key_parse(jwk, strlen(jwk), &key), CT_OK);
    assert_false(ct_jwe_key_is_private(key));
    assert_int_equal(ct_jwe_key_public_jwk(key, &o), CT_OK);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "kid")),
                        rfc7638_thumbprint);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "n")), rfc7638_n);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "e")), "AQAB");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "kty")), "RSA");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "alg")), "RSA-OAEP-256");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "use")), "enc");
    json_object_put(o);
    ct_jwe_key_free(key);
}

/* ---------------------------------------------------------------- round trips */

static void
test_round_trip(void **state)
{
    char *a = NULL, *b = NULL, *big = ct_malloc(65537), *c = NULL;
    unsigned char hdr[64], *plain = NULL;
    size_t n, hn = 0, pn = 0;
    const char *h, *code = NULL;

    (void)state;
    assert_int_equal(ct_jwe_encrypt(rfc_pub, "{\"card_no\":1337}", 16, &a), CT_OK);
    assert_int_equal(ct_jwe_encrypt(rfc_pub, "{\"card_no\":1337}", 16, &b), CT_OK);
    assert_string_not_equal(a, b); /* fresh CEK and IV every time */
    expect_opens(rfc_key, a, "{\"card_no\":1337}");
    h = part(a, 0, &n);
    assert_true(b64_decode(h, n, false, hdr, &hn));
    assert_int_equal(hn, strlen(GOOD_HEADER));
    assert_memory_equal(hdr, GOOD_HEADER, hn);
    /* the public half opens nothing */
    assert_int_equal(ct_jwe_decrypt(rfc_pub, a, strlen(a), &plain, &pn, &code), CT_E_BADREQ);
    assert_string_equal(code, CT_JWE_CANT_DECRYPT);
    free(b);
    assert_int_equal(ct_jwe_encrypt(rfc_pub, "", 0, &b), CT_OK);
    expect_opens(rfc_key, b, "");
    memset(big, 'x', 65536);
    big[65536] = '\0';
    assert_int_equal(ct_jwe_encrypt(rfc_pub, big, 65536, &c), CT_OK);
    expect_opens(rfc_key, c, big);
    free(a);
    free(b);
    free(c);
    free(big);
}

static void
test_rsa_oaep_sha1_and_benign_members(void **state)
{
    static const char *const headers[] = {
        "{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}",
        "{\"enc\":\"A256GCM\",\"alg\":\"RSA-OAEP-256\"}",
        "{ \"alg\" : \"RSA-OAEP-256\" ,\n \"enc\":\"A256GCM\" }",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"k1\",\"typ\":\"JOSE\","
        "\"cty\":\"application/json\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"a:b\"}",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        char *c = make(headers[i], strstr(headers[i], "RSA-OAEP-256") ? "SHA256" : "SHA1", "{}");

        expect_opens(rfc_key, c, "{}");
        free(c);
    }
}

/* ---------------------------------------------------------------- refused: INVALID_PAYLOAD */

static void
test_refuses_other_profiles(void **state)
{
    static const char *const headers[] = {
        "{\"alg\":\"none\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"RSA1_5\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"A256KW\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"RSA-OAEP-384\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"rsa-oaep-256\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"RSA-OAEP-256\\u0000\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128CBC-HS256\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128GCM\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A192GCM\"}",
        "{\"alg\":\"RSA-OAEP-256\"}",
        "{\"enc\":\"A256GCM\"}",
        "{\"alg\":[\"RSA-OAEP-256\"],\"enc\":\"A256GCM\"}",
        "{\"alg\":null,\"enc\":\"A256GCM\"}",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        char *c = make(headers[i], "SHA256", "{}");

        expect_refused(c, strlen(c), CT_JWE_INVALID_PAYLOAD);
        free(c);
    }
    expect_refused(rfc7516_a2_compact, strlen(rfc7516_a2_compact), CT_JWE_INVALID_PAYLOAD);
}

static void
test_refuses_unknown_and_repeated_members(void **state)
{
    static const char *const headers[] = {
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"crit\":[\"exp\"],\"exp\":1}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"jku\":\"https://evil.example/k\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"jwk\":{\"kty\":\"RSA\"}}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"x5u\":\"https://evil.example/c\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"x5c\":[\"MIIB\"]}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"epk\":{}}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"foo\":\"bar\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":7}",
        "{\"alg\":\"RSA-OAEP\",\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"enc\":\"A256GCM\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"a\",\"kid\":\"b\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"k\\u0069d\":\"a\",\"kid\":\"b\"}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":{\"a\":\"b\"}}",
        "[\"RSA-OAEP-256\",\"A256GCM\"]",
        "\"RSA-OAEP-256\"",
        "",
        "{'alg':'RSA-OAEP-256','enc':'A256GCM'}",
        "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}{}",
    };
    char header[HEADER_MAX + 64], *c;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        c = make(headers[i], "SHA256", "{}");
        expect_refused(c, strlen(c), CT_JWE_INVALID_PAYLOAD);
        free(c);
    }
    /* a header past HEADER_MAX, otherwise fine */
    (void)snprintf(header, sizeof(header),
                   "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"%0*d\"}", HEADER_MAX,
                   0);
    c = make(header, "SHA256", "{}");
    expect_refused(c, strlen(c), CT_JWE_INVALID_PAYLOAD);
    free(c);
}

static void
test_refuses_wrong_shapes(void **state)
{
    static const char *const shapes[] = {"", ".", "....", "a.b.c.d", "a.b.c.d.e.f", "......"};
    char *good = make(GOOD_HEADER, "SHA256", "{}"), *c, buf[8192];
    size_t i, n = strlen(good);

    (void)state;
    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        expect_refused(shapes[i], strlen(shapes[i]), CT_JWE_INVALID_PAYLOAD);
    /* a sixth part, empty or not; four parts */
    (void)snprintf(buf, sizeof(buf), "%s.", good);
    expect_refused(buf, strlen(buf), CT_JWE_INVALID_PAYLOAD);
    (void)snprintf(buf, sizeof(buf), "%s.AAAA", good);
    expect_refused(buf, strlen(buf), CT_JWE_INVALID_PAYLOAD);
    c = strrchr(good, '.');
    expect_refused(good, (size_t)(c - good), CT_JWE_INVALID_PAYLOAD);
    /* a NUL inside, the length saying there is more */
    memcpy(buf, good, n + 1);
    buf[n / 2] = '\0';
    expect_refused(buf, n, CT_JWE_INVALID_PAYLOAD);
    free(good);
}

/* Every part: padding, whitespace, the standard alphabet, a length no encoding has, and a last
 * character with unused bits set. */
static void
test_refuses_bad_base64url(void **state)
{
    char *good = make(GOOD_HEADER, "SHA256", "{\"a\":1}"), *c, text[4096];
    static const char *const bad_chars[] = {"=", " ", "\n", "+", "/", "%", "\xc3\xa9"};
    size_t n, i;
    int k;
    const char *p;

    (void)state;
    for (k = 0; k < PARTS; k++) {
        p = part(good, k, &n);
        for (i = 0; i < sizeof(bad_chars) / sizeof(bad_chars[0]); i++) {
            (void)snprintf(text, sizeof(text), "%.*s%s%.*s", (int)(n / 2), p, bad_chars[i],
                           (int)(n - n / 2), p + n / 2);
            c = with_part(good, k, text);
            expect_refused(c, strlen(c), CT_JWE_INVALID_PAYLOAD);
            free(c);
        }
        /* length mod 4 == 1 */
        (void)snprintf(text, sizeof(text), "%.*s%s", (int)n, p,
                       n % 4 == 0   ? "A"
                       : n % 4 == 2 ? "AAA"
                                    : "AA");
        c = with_part(good, k, text);
        expect_refused(c, strlen(c), CT_JWE_INVALID_PAYLOAD);
        free(c);
    }
    /* the tag (16 bytes: 22 characters, 4 unused bits) with its last unused bit set */
    p = part(good, 4, &n);
    (void)snprintf(text, sizeof(text), "%.*s", (int)n, p);
    text[n - 1] = b64url_chars[b64_value((unsigned char)text[n - 1], false) | 1];
    c = with_part(good, 4, text);
    expect_refused(c, strlen(c), CT_JWE_INVALID_PAYLOAD);
    free(c);
    free(good);
}

/* ---------------------------------------------------------------- refused: CANT_DECRYPT */

/* compact with part k replaced by the base64url of n bytes (random, or from). */
static void
expect_cant_with(const char *compact, int k, const unsigned char *from, size_t n)
{
    unsigned char rnd[2048];
    char *text, *c;

    assert_true(n <= sizeof(rnd));
    if (from == NULL)
        assert_int_equal(RAND_bytes(rnd, (int)n), 1);
    text = b64url(from != NULL ? from : rnd, n);
    c = with_part(compact, k, text);
    expect_refused(c, strlen(c), CT_JWE_CANT_DECRYPT);
    free(c);
    free(text);
}

static void
test_refuses_wrong_lengths(void **state)
{
    char *good = make(GOOD_HEADER, "SHA256", "{\"a\":1}");
    unsigned char ek[RSA_MAX_BYTES], cek[64] = {0};
    size_t ekn, lens[] = {0, 8, 11, 13, 16, 32};
    size_t i, modulus = (size_t)EVP_PKEY_get_size(rfc_key->pkey);

    (void)state;
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        expect_cant_with(good, 2, NULL, lens[i]); /* IV */
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        if (lens[i] != TAG_LEN)
            expect_cant_with(good, 4, NULL, lens[i]); /* truncated or long tag */
    expect_cant_with(good, 4, NULL, 15);
    expect_cant_with(good, 4, NULL, 17);
    expect_cant_with(good, 1, NULL, 0); /* encrypted key */
    expect_cant_with(good, 1, NULL, modulus - 1);
    expect_cant_with(good, 1, NULL, modulus + 1);
    expect_cant_with(good, 1, NULL, modulus); /* random: OAEP fails */
    /* a well-wrapped CEK of 16 or 64 bytes */
    ekn = sizeof(ek);
    assert_true(rsa_oaep(rfc_pub->pkey, "SHA256", true, cek, 16, ek, &ekn));
    expect_cant_with(good, 1, ek, ekn);
    ekn = sizeof(ek);
    assert_true(rsa_oaep(rfc_pub->pkey, "SHA256", true, cek, 64, ek, &ekn));
    expect_cant_with(good, 1, ek, ekn);
    free(good);
}

/* One bit changed anywhere the tag covers; the key wrapped with the other alg's digest. */
static void
test_refuses_what_the_tag_does_not_match(void **state)
{
    char *good = make(GOOD_HEADER, "SHA256", "{\"pan\":\"4111111111111111\"}"), *c, *mixed;
    unsigned char bin[256];
    size_t n, bn;
    int k;
    const char *p;

    (void)state;
    for (k = 1; k < PARTS; k++) {
        p = part(good, k, &n);
        assert_true(b64_decode(p, n, false, bin, &bn));
        bin[bn / 2] ^= 0x01;
        expect_cant_with(good, k, bin, bn);
    }
    /* the same header written otherwise: another AAD */
    c = b64url("{\"enc\":\"A256GCM\",\"alg\":\"RSA-OAEP-256\"}", strlen(GOOD_HEADER));
    mixed = with_part(good, 0, c);
    expect_refused(mixed, strlen(mixed), CT_JWE_CANT_DECRYPT);
    free(mixed);
    free(c);
    /* says RSA-OAEP (SHA-1), wrapped with SHA-256 */
    mixed = make("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}", "SHA256", "{}");
    expect_refused(mixed, strlen(mixed), CT_JWE_CANT_DECRYPT);
    free(mixed);
    free(good);
}

/* ---------------------------------------------------------------- keys */

static void
expect_pem_refused(EVP_PKEY *pk, bool priv)
{
    char *pem;

    assert_non_null(pk);
    pem = pem_of(pk, priv);
    assert_false(parses(pem, strlen(pem)));
    free(pem);
}

static void
test_key_sizes_and_types(void **state)
{
    EVP_PKEY *small = EVP_RSA_gen(1024), *ec = EVP_EC_gen("P-256"), *pss = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    char big[2048], *n;
    unsigned char huge[1040];

    (void)state;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_keygen_init(ctx), 1); /* 2048 bits by default */
    assert_int_equal(EVP_PKEY_generate(ctx, &pss), 1);
    EVP_PKEY_CTX_free(ctx);
    expect_pem_refused(small, false);
    expect_pem_refused(small, true);
    expect_pem_refused(ec, false);
    expect_pem_refused(ec, true);
    expect_pem_refused(pss, false);
    /* over CT_JWE_MAX_BITS: an 8320-bit modulus (odd, top bit set) */
    memset(huge, 0xab, sizeof(huge));
    n = b64url(huge, sizeof(huge));
    (void)snprintf(big, sizeof(big), "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}", n);
    assert_false(parses(big, strlen(big)));
    free(n);
    EVP_PKEY_free(small);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(pss);
}

static void
test_key_forms(void **state)
{
    static const char *const bad_jwks[] = {
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQAA\"}", /* even exponent */
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQ\"}",   /* e = 1 */
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\"}",
        "{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
        "{\"kty\":\"EC\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQAB\"}",
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQAB\",\"oth\":[]}",
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "=\",\"e\":\"AQAB\"}",
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQAB\",\"d\":\"AQAB\",\"p\":\"AQAB\"}",
        "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQAB\"",
        "hello",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    };
    const char *pub = "{\"kty\":\"RSA\",\"n\":\"" RFC7516_A1_N "\",\"e\":\"AQAB\"}\n";
    unsigned char *der = NULL, buf[4096];
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem;
    long len;
    int dn;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad_jwks) / sizeof(bad_jwks[0]); i++)
        assert_false(parses(bad_jwks[i], strlen(bad_jwks[i])));
    assert_false(parses("", 0));
    assert_true(parses(pub, strlen(pub))); /* with its newline */
    /* DER SubjectPublicKeyInfo, and nothing after it */
    dn = i2d_PUBKEY(rfc_key->pkey, &der);
    assert_true(dn > 0 && (size_t)dn < sizeof(buf));
    memcpy(buf, der, (size_t)dn);
    assert_true(parses(buf, (size_t)dn));
    buf[dn] = 0;
    assert_false(parses(buf, (size_t)dn + 1));
    OPENSSL_free(der);
    /* PKCS#1 private PEM; an encrypted one is refused without a prompt */
    assert_int_equal(
        PEM_write_bio_PrivateKey_traditional(bio, rfc_key->pkey, NULL, NULL, 0, NULL, NULL), 1);
    len = BIO_get_mem_data(bio, &pem);
    assert_true(parses(pem, (size_t)len));
    (void)BIO_reset(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, rfc_key->pkey, EVP_aes_256_cbc(), NULL, 0, NULL,
                                              (void *)"passphrase"),
                     1);
    len = BIO_get_mem_data(bio, &pem);
    assert_false(parses(pem, (size_t)len));
    BIO_free(bio);
}

static void
test_key_load(void **state)
{
    char path[] = "/tmp/test_jwe_XXXXXX", why[512];
    struct ct_jwe_key *key = NULL;
    int fd = mkstemp(path);
    char *pem = pem_of(rfc_key->pkey, true);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
    (void)close(fd);
    assert_int_equal(ct_jwe_key_load(path, &key, why, sizeof(why)), CT_OK);
    assert_true(ct_jwe_key_is_private(key));
    expect_opens(key, rfc7516_a1_compact, rfc7516_a1_plain);
    ct_jwe_key_free(key);
    (void)unlink(path);
    assert_int_equal(ct_jwe_key_load(path, &key, why, sizeof(why)), CT_E_BADREQ);
    assert_non_null(strstr(why, path));
    free(pem);
}

/* The Public-Key header: base64 of SPKI (DER or PEM) or of a JWK; public keys only. */
static void
test_public_key_header(void **state)
{
    unsigned char *der = NULL;
    char b64[4096], *url, *pem, *priv;
    int dn;

    (void)state;
    dn = i2d_PUBKEY(rfc_key->pkey, &der);
    assert_true(dn > 0);
    assert_true(EVP_EncodeBlock((unsigned char *)b64, der, dn) > 0);
    assert_true(header_key_ok(b64)); /* standard, padded */
    url = b64url(der, (size_t)dn);
    assert_true(header_key_ok(url)); /* URL alphabet, unpadded */
    free(url);
    pem = pem_of(rfc_key->pkey, false);
    assert_true(EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)pem, (int)strlen(pem)) > 0);
    assert_true(header_key_ok(b64));
    url = b64url(rfc7516_a1_jwk, strlen(rfc7516_a1_jwk));
    assert_false(header_key_ok(url)); /* a private JWK */
    free(url);
    priv = pem_of(rfc_key->pkey, true);
    assert_true(EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)priv, (int)strlen(priv)) >
                0);
    assert_false(header_key_ok(b64)); /* a private PEM */
    assert_false(header_key_ok(""));
    assert_false(header_key_ok("not base64!"));
    assert_false(header_key_ok("TUlJ QkNn"));
    free(priv);
    free(pem);
    OPENSSL_free(der);
}

static void
test_public_pem_is_public(void **state)
{
    char *pem = NULL;

    (void)state;
    assert_int_equal(ct_jwe_key_public_pem(rfc_key, &pem), CT_OK);
    assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));
    assert_null(strstr(pem, "PRIVATE"));
    assert_true(parses(pem, strlen(pem)));
    free(pem);
}

static void
test_base64url_codec(void **state)
{
    unsigned char in[40], out[40];
    char text[64];
    size_t n, got;

    (void)state;
    assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
    for (n = 0; n <= sizeof(in); n++) {
        (void)b64url_encode(in, n, text);
        assert_int_equal(strlen(text), B64_LEN(n));
        assert_true(b64_decode(text, strlen(text), false, out, &got));
        assert_int_equal(got, n);
        assert_memory_equal(out, in, n);
    }
    assert_true(b64_decode("QQ==", 4, true, out, &got));
    assert_int_equal(got, 1);
    assert_false(b64_decode("QQ==", 4, false, out, &got));
    assert_false(b64_decode("QR", 2, false, out, &got)); /* unused bits set */
    assert_false(b64_decode("Q", 1, true, out, &got));
    assert_false(b64_decode("====", 4, true, out, &got));
    assert_true(b64_decode("-_+/", 4, true, out, &got));
    assert_false(b64_decode("-_+/", 4, false, out, &got));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7516_a1_decrypts),
        cmocka_unit_test(test_rfc7516_a1_encrypts),
        cmocka_unit_test(test_rfc7638_thumbprint_is_the_kid),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rsa_oaep_sha1_and_benign_members),
        cmocka_unit_test(test_refuses_other_profiles),
        cmocka_unit_test(test_refuses_unknown_and_repeated_members),
        cmocka_unit_test(test_refuses_wrong_shapes),
        cmocka_unit_test(test_refuses_bad_base64url),
        cmocka_unit_test(test_refuses_wrong_lengths),
        cmocka_unit_test(test_refuses_what_the_tag_does_not_match),
        cmocka_unit_test(test_key_sizes_and_types),
        cmocka_unit_test(test_key_forms),
        cmocka_unit_test(test_key_load),
        cmocka_unit_test(test_public_key_header),
        cmocka_unit_test(test_public_pem_is_public),
        cmocka_unit_test(test_base64url_codec),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
