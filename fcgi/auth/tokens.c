/* tokens.c - POST /oauth/token (authorization_code, refresh_token) and POST /oauth/revoke
 * (RFC 7009).
 *
 * Error bodies reconcile seed 001 (manager.one's Yii envelope: 401 UnauthorizedHttpException,
 * 403 ForbiddenHttpException, 422 FieldsValidationErrors) with RFC 6749 5.2, which OAuth client
 * libraries parse: a 400/401/403 answer carries both {"error","error_description"} and
 * {"name","message","code","status","type"}. A missing parameter is the seed's 422 (a bare
 * [{field,message}] array, rendered by the library for this CT_R_M1 route). The RFC error
 * members are protocol, not an error envelope of ours, so this file writes these bodies itself
 * instead of going through ct_req_fail. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include "auth.h"

#define SECRET_MAX 256

struct client_creds {
    char id[CT_OAUTH_CLIENT_ID_MAX + 1];
    char secret[SECRET_MAX + 1];
    bool basic;
};

static enum ct_err oauth_error(struct ct_req *req, int status, const char *error,
                               const char *description);
static bool read_creds(struct ct_req *req, struct client_creds *c);
static bool authenticate(struct ct_req *req, struct client_creds *cr,
                         struct ct_oauth_client *client, enum ct_err *answer);
static const char *need(struct ct_req *req, const char *name);
static enum ct_err reply_tokens(struct ct_req *req, struct ct_oauth_tokens *t);

static enum ct_err
oauth_error(struct ct_req *req, int status, const char *error, const char *description)
{
    struct json_object *o = json_object_new_object();
    const char *name = status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "Bad Request";
    const char *type = status == 401   ? "yii\\web\\UnauthorizedHttpException"
                       : status == 403 ? "yii\\web\\ForbiddenHttpException"
                                       : "yii\\web\\BadRequestHttpException";

    json_object_object_add(o, "error", json_object_new_string(error));
    json_object_object_add(o, "error_description", json_object_new_string(description));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "message", json_object_new_string(description));
    json_object_object_add(o, "code", json_object_new_int(0));
    json_object_object_add(o, "status", json_object_new_int(status));
    json_object_object_add(o, "type", json_object_new_string(type));
    ct_reply_header(req, "Pragma", "no-cache");
    return ct_reply_json(req, status, o);
}

/* A present form field, or a field error "is required" (seed 001: 422). */
static const char *
need(struct ct_req *req, const char *name)
{
    const char *v = ct_req_form(req, name);

    if (v == NULL || *v == '\0') {
        ct_req_field_error(req, name, "is required");
        return NULL;
    }
    return v;
}

/* HTTP Basic (RFC 6749 2.3.1) or client_id + client_secret in the body, never both. */
static bool
read_creds(struct ct_req *req, struct client_creds *c)
{
    const char *auth = ct_req_header(req, "Authorization");
    const char *id = ct_req_form(req, "client_id");
    const char *secret = ct_req_form(req, "client_secret");

    memset(c, 0, sizeof(*c));
    if (auth != NULL && strncasecmp(auth, "Basic ", 6) == 0) {
        c->basic = true;
        if (!ct_oauth_basic_parse(auth, c->id, sizeof(c->id), c->secret, sizeof(c->secret)) ||
            secret != NULL || (id != NULL && strcmp(id, c->id) != 0))
            return false;
        return true;
    }
    if (need(req, "client_id") != NULL)
        (void)snprintf(c->id, sizeof(c->id), "%s", id);
    if (need(req, "client_secret") != NULL)
        (void)snprintf(c->secret, sizeof(c->secret), "%s", secret);
    return true;
}

/* true: the client is authenticated. false: *answer is the reply already made (401, 403 or a
 * recorded failure), for the handler to return. */
static bool
authenticate(struct ct_req *req, struct client_creds *cr, struct ct_oauth_client *client,
             enum ct_err *answer)
{
    enum ct_err err = ct_oauth_client_auth(req->db, cr->id, cr->secret, client);

    OPENSSL_cleanse(cr->secret, sizeof(cr->secret));
    if (err == CT_OK)
        return true;
    if (err == CT_E_UNAUTH) {
        if (cr->basic)
            ct_reply_header(req, "WWW-Authenticate", "Basic realm=\"comptoir\"");
        *answer = oauth_error(req, 401, "invalid_client", "client authentication failed");
    } else if (err == CT_E_FORBIDDEN) {
        *answer = oauth_error(req, 403, "unauthorized_client", "this client is disabled");
    } else {
        *answer = ct_req_fail(req, err, NULL, "client authentication could not be checked");
    }
    return false;
}

static enum ct_err
reply_tokens(struct ct_req *req, struct ct_oauth_tokens *t)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "access_token", json_object_new_string(t->access));
    json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
    json_object_object_add(o, "expires_in", json_object_new_int(t->expires_in));
    json_object_object_add(o, "refresh_token", json_object_new_string(t->refresh));
    json_object_object_add(o, "scope", json_object_new_string(t->scope));
    OPENSSL_cleanse(t, sizeof(*t));
    ct_reply_header(req, "Pragma", "no-cache");
    return ct_reply_json(req, 200, o);
}

enum ct_err
auth_token(struct ct_req *req)
{
    struct client_creds cr;
    struct ct_oauth_client client;
    struct ct_oauth_tokens t;
    const char *grant = need(req, "grant_type"), *code = NULL, *uri = NULL, *rt = NULL;
    const char *error = NULL, *why = NULL;
    bool by_code = grant != NULL && strcmp(grant, "authorization_code") == 0;
    bool by_refresh = grant != NULL && strcmp(grant, "refresh_token") == 0;
    enum ct_err err;

    if (!read_creds(req, &cr))
        return oauth_error(req, 400, "invalid_request",
                           "use one client authentication method: HTTP Basic or the body");
    if (by_code) {
        code = need(req, "code");
        uri = need(req, "redirect_uri");
    } else if (by_refresh) {
        rt = need(req, "refresh_token");
    }
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some parameters are missing");
    if (!by_code && !by_refresh)
        return oauth_error(req, 400, "unsupported_grant_type",
                           "grant_type must be authorization_code or refresh_token");
    if (!authenticate(req, &cr, &client, &err))
        return err;
    if (by_code)
        err = ct_oauth_exchange_code(req->db, &client, code, uri, ct_req_form(req, "code_verifier"),
                                     &t, &error, &why);
    else
        err = ct_oauth_exchange_refresh(req->db, &client, rt, ct_req_form(req, "scope"), &t, &error,
                                        &why);
    if (err == CT_E_RULE)
        return oauth_error(req, 400, error, why);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the token could not be issued");
    return reply_tokens(req, &t);
}

enum ct_err
auth_revoke(struct ct_req *req)
{
    struct client_creds cr;
    struct ct_oauth_client client;
    const char *token = need(req, "token");
    enum ct_err err;

    if (!read_creds(req, &cr))
        return oauth_error(req, 400, "invalid_request",
                           "use one client authentication method: HTTP Basic or the body");
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some parameters are missing");
    if (!authenticate(req, &cr, &client, &err))
        return err;
    err = ct_oauth_revoke(req->db, &client, token);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the token could not be revoked");
    return ct_reply_json(req, 200, json_object_new_object());
}
