/* jwe_payload.h - for the JWE tests: a reply {"payload": compact JWE} as its client reads it. */
#ifndef CT_JWE_PAYLOAD_H
#define CT_JWE_PAYLOAD_H
#include <json-c/json.h>
#include "ct/ct_jwe.h"

/* The plaintext of body opened with key, NUL-terminated after *n bytes (free it with
 * ct_jwe_plain_free()); NULL when body is not {"payload": string} or does not open. */
static inline unsigned char *
jwe_payload_open(const struct ct_jwe_key *key, const char *body, size_t *n)
{
    struct json_object *o = json_tokener_parse(body), *p = NULL;
    unsigned char *plain = NULL;
    const char *code = NULL;

    if (o != NULL && json_object_object_get_ex(o, "payload", &p) &&
        json_object_is_type(p, json_type_string) &&
        ct_jwe_decrypt(key, json_object_get_string(p), (size_t)json_object_get_string_len(p),
                       &plain, n, &code) != CT_OK)
        plain = NULL;
    json_object_put(o);
    return plain;
}

#endif /* CT_JWE_PAYLOAD_H */
