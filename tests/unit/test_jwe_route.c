/* test_jwe_route.c - the JWE route flags as the dispatcher runs them (jwe_route.c): headers and
 * Public-Key, the body read and opened, the reply sealed to the client's key, errors in clear,
 * the clear text wiped. The FastCGI request is a fake: params and a body in memory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "ct/ct_mem.h"
#include "../../fcgi/lib/internal.h"
#include "jwe_payload.h"
#include "jwe_vectors.h"

#define MAX_ENV 8

static struct ct_jwe_key *server_key; /* RFC 7516 A.1 */
static struct ct_jwe_key *client_key; /* private: the test reads what the client would */
static char *client_header;           /* Public-Key: base64 of its SubjectPublicKeyInfo */

struct fixture {
    struct ct_conf conf;
    struct ct_req req;
    struct ct_req_internal in;
    struct ct_route route;
    FCGX_Request fcgi;
    FCGX_Stream body;
    char *env[MAX_ENV + 1];
    size_t nenv;
};

static void
fill_closed(FCGX_Stream *stream)
{
    stream->isClosed = 1;
}

static void
param(struct fixture *f, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 2;

    assert_true(f->nenv < MAX_ENV);
    f->env[f->nenv] = ct_malloc(n);
    (void)snprintf(f->env[f->nenv], n, "%s=%s", name, value);
    f->env[++f->nenv] = NULL;
}

/* A request on a route with these flags, with the params nginx would pass for the headers. */
static struct fixture *
request(unsigned flags, const char *encrypted_request, const char *encrypt_response,
        const char *public_key)
{
    struct fixture *f = ct_calloc(1, sizeof(*f));

    f->conf.max_body = 65536;
    f->route = (struct ct_route){"POST", "/x", NULL, flags};
    f->fcgi.envp = f->env;
    f->fcgi.in = &f->body;
    if (encrypted_request != NULL)
        param(f, "HTTP_ENCRYPTED_REQUEST", encrypted_request);
    if (encrypt_response != NULL)
        param(f, "HTTP_ENCRYPT_RESPONSE", encrypt_response);
    if (public_key != NULL)
        param(f, "HTTP_PUBLIC_KEY", public_key);
    ct_req_setup(&f->req, &f->in, &f->fcgi, &f->conf, NULL);
    f->req.route = &f->route;
    f->in.jwe_key = server_key;
    return f;
}

/* The body nginx would send: Content-Length, Content-Type and the bytes. */
static void
body(struct fixture *f, const char *text)
{
    char len[32];

    (void)snprintf(len, sizeof(len), "%zu", strlen(text));
    param(f, "CONTENT_LENGTH", len);
    param(f, "CONTENT_TYPE", "application/json");
    f->body.rdNext = f->body.stopUnget = (unsigned char *)(uintptr_t)text;
    f->body.stop = f->body.rdNext + strlen(text);
    f->body.isReader = 1;
    f->body.fillBuffProc = fill_closed;
}

static void
done(struct fixture *f)
{
    size_t i;

    ct_req_teardown(&f->req);
    for (i = 0; i < f->nenv; i++)
        free(f->env[i]);
    free(f);
}

/* What the dispatcher runs before the handler; CT_OK when the handler would run. */
static enum ct_err
before_handler(struct fixture *f)
{
    enum ct_err err = ct_jwe_req_keys(&f->req);

    if (err == CT_OK)
        err = ct_req_read_body(&f->req);
    if (err == CT_OK)
        err = ct_jwe_req_open(&f->req);
    return err;
}

static void
expect_failed(struct fixture *f, enum ct_err err, const char *code)
{
    assert_int_equal(before_handler(f), err);
    assert_string_equal(f->in.err_code, code);
    done(f);
}

/* {"payload": compact} for a plaintext, encrypted to the server key. */
static char *
payload_body(const char *plain)
{
    char *compact = NULL, *out;
    size_t n;

    assert_int_equal(ct_jwe_encrypt(server_key, plain, strlen(plain), &compact), CT_OK);
    n = strlen(compact) + 16;
    out = ct_malloc(n);
    (void)snprintf(out, n, "{\"payload\":\"%s\"}", compact);
    free(compact);
    return out;
}

/* The reply as the client reads it: {"payload"} opened with its private key. */
static struct json_object *
client_reads(struct fixture *f)
{
    size_t n = 0;
    unsigned char *plain = jwe_payload_open(client_key, f->in.out, &n);
    struct json_object *clear;

    assert_non_null(plain);
    clear = json_tokener_parse((const char *)plain);
    ct_jwe_plain_free(plain, n);
    assert_non_null(clear);
    return clear;
}

static int
group_setup(void **state)
{
    EVP_PKEY *pk = EVP_RSA_gen(2048);
    unsigned char *der = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long n;
    int dn;

    (void)state;
    if (ct_jwe_key_parse(rfc7516_a1_jwk, strlen(rfc7516_a1_jwk), &server_key) != CT_OK ||
        pk == NULL || bio == NULL ||
        PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) != 1)
        return -1;
    n = BIO_get_mem_data(bio, &pem);
    if (ct_jwe_key_parse(pem, (size_t)n, &client_key) != CT_OK)
        return -1;
    dn = i2d_PUBKEY(pk, &der);
    if (dn <= 0)
        return -1;
    client_header = ct_malloc((size_t)dn * 2 + 4);
    if (EVP_EncodeBlock((unsigned char *)client_header, der, dn) <= 0)
        return -1;
    OPENSSL_free(der);
    BIO_free(bio);
    EVP_PKEY_free(pk);
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    ct_jwe_key_free(server_key);
    ct_jwe_key_free(client_key);
    free(client_header);
    return 0;
}

/* ---------------------------------------------------------------- before the handler */

static void
test_plain_routes_ignore_the_headers(void **state)
{
    struct fixture *f = request(CT_R_X509, "true", "true", "garbage");

    (void)state;
    body(f, "{\"a\":1}");
    assert_int_equal(before_handler(f), CT_OK);
    assert_non_null(json_object_object_get(ct_req_json(&f->req), "a"));
    assert_int_equal(ct_reply_json(&f->req, 200, json_object_new_object()), CT_OK);
    assert_int_equal(ct_jwe_req_seal(&f->req), CT_OK);
    assert_string_equal(f->in.out, "{}");
    done(f);
}

static void
test_encryption_required(void **state)
{
    (void)state;
    expect_failed(request(CT_R_JWE, NULL, NULL, client_header), CT_E_BADREQ, "ENCRYPTION_REQUIRED");
    expect_failed(request(CT_R_JWE, "false", NULL, client_header), CT_E_BADREQ,
                  "ENCRYPTION_REQUIRED");
    /* J needs the request encrypted, not only the answer */
    expect_failed(request(CT_R_JWE, NULL, "true", client_header), CT_E_BADREQ,
                  "ENCRYPTION_REQUIRED");
    expect_failed(request(CT_R_JWE_RESP, NULL, NULL, client_header), CT_E_BADREQ,
                  "ENCRYPTION_REQUIRED");
    expect_failed(request(CT_R_JWE_RESP, NULL, "yes", client_header), CT_E_BADREQ,
                  "ENCRYPTION_REQUIRED");
}

static void
test_public_key_required_and_checked(void **state)
{
    char *priv = ct_malloc(8192);
    struct fixture *f;

    (void)state;
    expect_failed(request(CT_R_JWE, "true", NULL, NULL), CT_E_BADREQ, "INVALID_PUBLIC_KEY");
    expect_failed(request(CT_R_JWE_RESP, NULL, "true", ""), CT_E_BADREQ, "INVALID_PUBLIC_KEY");
    expect_failed(request(CT_R_JWE_RESP, NULL, "true", "bm90IGEga2V5"), CT_E_BADREQ,
                  "INVALID_PUBLIC_KEY");
    /* a private key is never taken, even from its owner */
    assert_true(EVP_EncodeBlock((unsigned char *)priv, (const unsigned char *)rfc7516_a1_jwk,
                                (int)strlen(rfc7516_a1_jwk)) > 0);
    expect_failed(request(CT_R_JWE_RESP, NULL, "true", priv), CT_E_BADREQ, "INVALID_PUBLIC_KEY");
    /* both headers are case-insensitive in their value; R also takes Encrypted-Request */
    f = request(CT_R_JWE_RESP, NULL, "TRUE", client_header);
    assert_int_equal(before_handler(f), CT_OK);
    done(f);
    f = request(CT_R_JWE_RESP, "true", NULL, client_header);
    assert_int_equal(before_handler(f), CT_OK);
    done(f);
    free(priv);
}

static void
test_body_opened_for_the_handler(void **state)
{
    static const char clear[] = "{\"card_no\":1337,\"name\":\"Ada\"}";
    char *text = payload_body(clear);
    struct fixture *f = request(CT_R_JWE, "true", NULL, client_header);
    size_t n;

    (void)state;
    body(f, text);
    assert_int_equal(before_handler(f), CT_OK);
    assert_int_equal(json_object_get_int(json_object_object_get(ct_req_json(&f->req), "card_no")),
                     1337);
    assert_string_equal(ct_req_body(&f->req, &n), clear); /* what idempotency hashes */
    assert_int_equal(n, strlen(clear));
    done(f);
    free(text);
}

static void
test_get_and_empty_post_carry_only_headers(void **state)
{
    struct fixture *f = request(CT_R_JWE, "true", NULL, client_header);

    (void)state;
    assert_int_equal(before_handler(f), CT_OK);
    assert_null(ct_req_json(&f->req));
    done(f);
}

static void
test_bad_bodies(void **state)
{
    static const char *const invalid[] = {
        "{\"card_no\":1337}",
        "{\"payload\":1}",
        "{\"payload\":null}",
        "{\"payload\":\"a.b.c.d.e\"}",
        "{\"payload\":\"x\",\"extra\":1}",
        "not json",
    };
    char *text;
    struct fixture *f;
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        f = request(CT_R_JWE, "true", NULL, client_header);
        body(f, invalid[i]);
        expect_failed(f, CT_E_BADREQ, "INVALID_PAYLOAD");
    }
    /* decrypts, but not to a JSON object */
    text = payload_body("[1,2]");
    f = request(CT_R_JWE, "true", NULL, client_header);
    body(f, text);
    expect_failed(f, CT_E_BADREQ, "INVALID_PAYLOAD");
    free(text);
    /* a tag that does not match */
    text = payload_body("{\"a\":1}");
    n = strlen(text);
    text[n - 4] = text[n - 4] == 'A' ? 'B' : 'A'; /* in the tag, a character with no unused bits */
    f = request(CT_R_JWE, "true", NULL, client_header);
    body(f, text);
    expect_failed(f, CT_E_BADREQ, "CANT_DECRYPT_PAYLOAD");
    free(text);
}

static void
test_no_server_key_is_a_500(void **state)
{
    char *text = payload_body("{}");
    struct fixture *f = request(CT_R_JWE, "true", NULL, client_header);

    (void)state;
    f->in.jwe_key = NULL;
    body(f, text);
    expect_failed(f, CT_E_INTERNAL, "INTERNAL");
    free(text);
}

/* ---------------------------------------------------------------- after the handler */

static void
test_reply_sealed_to_the_client(void **state)
{
    struct fixture *f = request(CT_R_JWE_RESP, NULL, "true", client_header);
    struct json_object *o = json_object_new_object(), *got;

    (void)state;
    assert_int_equal(before_handler(f), CT_OK);
    json_object_object_add(o, "pan", json_object_new_string("4111111111111111"));
    assert_int_equal(ct_reply_json(&f->req, 201, o), CT_OK);
    assert_int_equal(ct_jwe_req_seal(&f->req), CT_OK);
    assert_int_equal(f->in.status, 201);
    assert_null(strstr(f->in.out, "4111"));
    got = client_reads(f);
    assert_string_equal(json_object_get_string(json_object_object_get(got, "pan")),
                        "4111111111111111");
    json_object_put(got);
    done(f);
}

static void
test_204_and_errors_stay_clear(void **state)
{
    struct fixture *f = request(CT_R_JWE_RESP, NULL, "true", client_header);

    (void)state;
    assert_int_equal(before_handler(f), CT_OK);
    assert_int_equal(ct_reply_empty(&f->req, 204), CT_OK);
    assert_int_equal(ct_jwe_req_seal(&f->req), CT_OK);
    assert_int_equal(f->in.out_len, 0);
    done(f);
    f = request(CT_R_JWE, "true", NULL, client_header);
    assert_int_equal(before_handler(f), CT_OK);
    ct_req_field_error(&f->req, "pin", "must be 4 digits");
    (void)ct_req_fail(&f->req, CT_E_RULE, NULL, "some fields are invalid");
    assert_int_equal(ct_jwe_req_seal(&f->req), CT_OK);
    ct_req_render_error(&f->req);
    assert_int_equal(f->in.status, 422);
    assert_non_null(strstr(f->in.out, "\"VALIDATION_ERROR\""));
    done(f);
}

/* json-c frees without wiping: on a JWE route the library clears a reply's strings and text. */
static void
test_clear_text_wiped(void **state)
{
    struct fixture *f = request(CT_R_JWE_RESP, NULL, "true", client_header);
    struct json_object *o = json_object_new_object(), *pan;
    const char *text;

    (void)state;
    json_object_object_add(o, "pan", json_object_new_string("4111111111111111"));
    pan = json_object_object_get(o, "pan");
    text = json_object_to_json_string(o);
    ct_jwe_req_wipe(&f->req, o, text);
    assert_memory_equal(json_object_get_string(pan), "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    assert_int_equal(text[0], '\0');
    json_object_put(o);
    done(f);
    /* elsewhere nothing is touched */
    f = request(CT_R_X509, NULL, NULL, NULL);
    o = json_object_new_object();
    json_object_object_add(o, "a", json_object_new_string("b"));
    ct_jwe_req_wipe(&f->req, o, NULL);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "a")), "b");
    json_object_put(o);
    done(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_routes_ignore_the_headers),
        cmocka_unit_test(test_encryption_required),
        cmocka_unit_test(test_public_key_required_and_checked),
        cmocka_unit_test(test_body_opened_for_the_handler),
        cmocka_unit_test(test_get_and_empty_post_carry_only_headers),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_no_server_key_is_a_500),
        cmocka_unit_test(test_reply_sealed_to_the_client),
        cmocka_unit_test(test_204_and_errors_stay_clear),
        cmocka_unit_test(test_clear_text_wiped),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
