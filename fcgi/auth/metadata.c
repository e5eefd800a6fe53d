/* metadata.c - GET /.well-known/oauth-authorization-server: the authorization server's metadata
 * (RFC 8414), from which a client library configures itself (endpoints, PKCE method, client
 * authentication) and learns the issuer it must then find in every authorization response's iss
 * parameter (RFC 9207, a defence against mix-up attacks). */
#include <stdio.h>
#include <string.h>
#include "ct/ct_conf.h"
#include "auth.h"

static struct json_object *strings(const char *const *list);
static bool endpoint(struct json_object *o, const char *member, const char *issuer,
                     const char *path);

/* list: NULL-terminated. */
static struct json_object *
strings(const char *const *list)
{
    struct json_object *a = json_object_new_array();

    for (; *list != NULL; list++)
        json_object_array_add(a, json_object_new_string(*list));
    return a;
}

static bool
endpoint(struct json_object *o, const char *member, const char *issuer, const char *path)
{
    char url[sizeof(((struct ct_conf *)0)->issuer) + 64];

    if (snprintf(url, sizeof(url), "%s%s", issuer, path) >= (int)sizeof(url))
        return false;
    json_object_object_add(o, member, json_object_new_string(url));
    return true;
}

bool
auth_issuer_valid(const char *issuer)
{
    const char *host = issuer + strlen("https://");

    if (strncmp(issuer, "https://", strlen("https://")) != 0 || *host == '\0')
        return false;
    /* the origin only: the metadata is served at the root, so the issuer has no path (RFC 8414
     * 3.1 would put a path after the well-known part), and never a query or fragment (2) */
    for (; *host != '\0'; host++)
        if ((unsigned char)*host <= 0x20 || *host == 0x7f || strchr("/?#@", *host) != NULL)
            return false;
    return true;
}

enum ct_err
auth_metadata(struct ct_req *req)
{
    /* what the code serves: tokens.c takes HTTP Basic or the body, connect.c code + S256 only */
    static const char *const response_types[] = {"code", NULL};
    static const char *const response_modes[] = {"query", NULL};
    static const char *const grants[] = {"authorization_code", "refresh_token", NULL};
    static const char *const pkce[] = {"S256", NULL};
    static const char *const client_auth[] = {"client_secret_basic", "client_secret_post", NULL};
    static const char *const scopes[] = {"read", "write", NULL}; /* CT_OAUTH_SCOPES */
    const char *issuer = ct_req_conf(req)->issuer;
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "issuer", json_object_new_string(issuer));
    if (!endpoint(o, "authorization_endpoint", issuer, "/connect") ||
        !endpoint(o, "token_endpoint", issuer, "/oauth/token") ||
        !endpoint(o, "revocation_endpoint", issuer, "/oauth/revoke")) {
        json_object_put(o);
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "issuer too long for an endpoint URL");
    }
    json_object_object_add(o, "response_types_supported", strings(response_types));
    json_object_object_add(o, "response_modes_supported", strings(response_modes));
    json_object_object_add(o, "grant_types_supported", strings(grants));
    json_object_object_add(o, "code_challenge_methods_supported", strings(pkce));
    json_object_object_add(o, "token_endpoint_auth_methods_supported", strings(client_auth));
    json_object_object_add(o, "revocation_endpoint_auth_methods_supported", strings(client_auth));
    json_object_object_add(o, "scopes_supported", strings(scopes));
    json_object_object_add(o, "authorization_response_iss_parameter_supported",
                           json_object_new_boolean(1));
    return ct_reply_json(req, 200, o);
}
