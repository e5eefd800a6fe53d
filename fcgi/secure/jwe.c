/* jwe.c - GET /jwe/public-key: the server's JWE key, which clients encrypt requests to. */
#include <stdlib.h>
#include "ct/ct_jwe.h"
#include "secure.h"

/* Public: a client needs the key before its first encrypted request, certificate or not. The
 * same key twice (PEM for OpenSSL-style tools, JWK for JOSE libraries), so a client never
 * converts one into the other. */
enum ct_err
secure_jwe_public_key(struct ct_req *req)
{
    const struct ct_jwe_key *key = ct_req_jwe_key(req);
    struct json_object *o, *jwk = NULL;
    char *pem = NULL;

    if (key == NULL)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "no jwe_key_file in the configuration");
    if (ct_jwe_key_public_pem(key, &pem) != CT_OK || ct_jwe_key_public_jwk(key, &jwk) != CT_OK) {
        free(pem);
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "exporting the JWE key failed");
    }
    o = json_object_new_object();
    json_object_object_add(o, "pem", json_object_new_string(pem));
    json_object_object_add(o, "jwk", jwk);
    free(pem);
    return ct_reply_json(req, 200, o);
}
