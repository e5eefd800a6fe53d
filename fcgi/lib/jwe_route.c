/* jwe_route.c - the JWE route flags (API.md J and R): the client's key and the encrypted request
 * body opened before the handler runs, the reply sealed after it, the clear text wiped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include "ct/ct_jwe.h"
#include "ct/ct_log.h"
#include "internal.h"

#define JWE_ROUTE (CT_R_JWE | CT_R_JWE_RESP)

static bool header_true(const struct ct_req *req, const char *name);
static void wipe_json(struct json_object *o);

/* Seed 003: the headers' value is true or false. */
static bool
header_true(const struct ct_req *req, const char *name)
{
    const char *v = ct_req_header(req, name);

    return v != NULL && strcasecmp(v, "true") == 0;
}

enum ct_err
ct_jwe_req_keys(struct ct_req *req)
{
    unsigned flags = req->route->flags;
    bool both = header_true(req, "Encrypted-Request");
    const char *pk;

    if (!(flags & JWE_ROUTE))
        return CT_OK;
    if ((flags & CT_R_JWE) && !both)
        return ct_req_fail(req, CT_E_BADREQ, CT_JWE_ENCRYPTION_REQUIRED,
                           "this route takes an encrypted request: Encrypted-Request: true, "
                           "Public-Key, and a body {\"payload\": compact JWE} if it has one");
    if (!both && !header_true(req, "Encrypt-Response"))
        return ct_req_fail(req, CT_E_BADREQ, CT_JWE_ENCRYPTION_REQUIRED,
                           "this route answers encrypted only: Encrypt-Response: true and "
                           "Public-Key");
    /* The client's key is checked before the handler acts, so a request whose answer could not
     * be sealed changes nothing. */
    pk = ct_req_header(req, "Public-Key");
    if (pk == NULL || *pk == '\0')
        return ct_req_fail(req, CT_E_BADREQ, CT_JWE_INVALID_PUBLIC_KEY,
                           "the Public-Key header (base64 of your RSA public key) is required");
    if (ct_jwe_key_from_header(pk, &req->in->reply_key) != CT_OK)
        return ct_req_fail(req, CT_E_BADREQ, CT_JWE_INVALID_PUBLIC_KEY,
                           "Public-Key must be base64 of an RSA public key of 2048 to 8192 bits: "
                           "SubjectPublicKeyInfo (DER or PEM) or a JWK");
    return CT_OK;
}

enum ct_err
ct_jwe_req_open(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    struct json_object *payload = NULL, *clear = NULL;
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    const char *code = NULL, *why = NULL;

    /* GET and empty POST carry only the headers (seed 003) */
    if (!(req->route->flags & CT_R_JWE) || in->json == NULL)
        return CT_OK;
    if (json_object_object_length(in->json) != 1 ||
        !json_object_object_get_ex(in->json, "payload", &payload) ||
        !json_object_is_type(payload, json_type_string))
        return ct_req_fail(req, CT_E_BADREQ, CT_JWE_INVALID_PAYLOAD,
                           "the body must be {\"payload\": a compact JWE}");
    if (in->jwe_key == NULL) {
        ct_log(LOG_ERR, "a JWE route without a key: set jwe_key_file");
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "no JWE key configured");
    }
    if (ct_jwe_decrypt(in->jwe_key, json_object_get_string(payload),
                       (size_t)json_object_get_string_len(payload), &plain, &plain_len,
                       &code) != CT_OK)
        return ct_req_fail(req, CT_E_BADREQ, code,
                           strcmp(code, CT_JWE_CANT_DECRYPT) == 0
                               ? "the payload does not decrypt with the server key "
                                 "(GET /jwe/public-key)"
                               : "the payload is not a compact JWE with alg RSA-OAEP-256 or "
                                 "RSA-OAEP and enc A256GCM");
    /* The handler sees the clear body as if it had come in clear; the arena is wiped at
     * teardown. */
    in->body = ct_req_alloc(req, plain_len + 1);
    memcpy(in->body, plain, plain_len + 1);
    in->body_len = plain_len;
    ct_jwe_plain_free(plain, plain_len);
    if (ct_json_parse_object(in->body, in->body_len, &clear, &why) != CT_OK)
        return ct_req_fail(req, CT_E_BADREQ, CT_JWE_INVALID_PAYLOAD,
                           "the decrypted payload is not a JSON object");
    json_object_put(in->json);
    in->json = clear;
    in->opened = true;
    return CT_OK;
}

enum ct_err
ct_jwe_req_seal(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    char *compact = NULL;
    size_t n;

    if (in->reply_key == NULL || in->err != CT_OK || !in->replied || in->status < 200 ||
        in->status > 299 || in->status == 204)
        return CT_OK;
    if (ct_jwe_encrypt(in->reply_key, in->out, in->out_len, &compact) != CT_OK)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "sealing the reply failed");
    OPENSSL_cleanse(in->out, in->out_len);
    /* the compact form is base64url and dots: nothing to escape */
    n = strlen(compact) + sizeof("{\"payload\":\"\"}");
    in->out = ct_req_alloc(req, n);
    in->out_len = (size_t)snprintf(in->out, n, "{\"payload\":\"%s\"}", compact);
    in->content_type = NULL;
    free(compact);
    return CT_OK;
}

/* json-c frees without wiping: clear its strings (numbers keep theirs) before it does. */
static void
wipe_json(struct json_object *o)
{
    size_t i;

    switch (json_object_get_type(o)) {
    case json_type_string:
        OPENSSL_cleanse((char *)json_object_get_string(o), (size_t)json_object_get_string_len(o));
        break;
    case json_type_object: {
        json_object_object_foreach(o, name, v)
        {
            (void)name;
            wipe_json(v);
        }
        break;
    }
    case json_type_array:
        for (i = 0; i < json_object_array_length(o); i++)
            wipe_json(json_object_array_get_idx(o, i));
        break;
    default:
        break;
    }
}

/* A reply built on a JWE route: its serialized text (json-c's buffer) and its strings. */
void
ct_jwe_req_wipe(struct ct_req *req, struct json_object *obj, const char *text)
{
    if (req->route == NULL || !(req->route->flags & JWE_ROUTE))
        return;
    if (text != NULL)
        OPENSSL_cleanse((char *)text, strlen(text));
    wipe_json(obj);
}

void
ct_jwe_req_end(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;

    if (in->opened)
        wipe_json(in->json);
    ct_jwe_key_free(in->reply_key);
    in->reply_key = NULL;
}
