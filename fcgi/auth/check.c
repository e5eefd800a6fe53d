/* check.c - GET /_auth/{realm}: nginx's auth_request target. 204 with the identity in X-CT-Auth-*
 * headers (nginx copies them into CT_AUTH_* params, snippets/ct_auth_set.conf), or 401. One
 * database query per check: this runs before every session and OAuth request. */
#include <stdio.h>
#include <string.h>
#include "ct/ct_session.h"
#include "ct/ct_token.h"
#include "auth.h"

static enum ct_err check_customer(struct ct_req *req, const char *token);
static enum ct_err check_oauth(struct ct_req *req, const char *token);
static enum ct_err refuse(struct ct_req *req, const char *www_authenticate);

/* nginx hands WWW-Authenticate of a 401 subrequest answer on to the client (RFC 6750 3). */
static enum ct_err
refuse(struct ct_req *req, const char *www_authenticate)
{
    ct_reply_header(req, "WWW-Authenticate", www_authenticate);
    return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "authentication is required");
}

static enum ct_err
check_customer(struct ct_req *req, const char *token)
{
    struct ct_session s;
    char partner[24];
    enum ct_err err;

    err = ct_session_check(req->db, token, ct_req_conf(req)->session_ttl, &s);
    if (err == CT_E_UNAUTH)
        return refuse(req, "Bearer realm=\"comptoir\", error=\"invalid_token\"");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "session check failed");
    (void)snprintf(partner, sizeof(partner), "%lld", (long long)s.partner_id);
    ct_reply_header(req, "X-CT-Auth-Kind", "customer");
    ct_reply_header(req, "X-CT-Auth-Subject", s.customer_id);
    ct_reply_header(req, "X-CT-Auth-Partner", partner);
    ct_reply_header(req, "X-CT-Auth-Session", s.id);
    return ct_reply_empty(req, 204);
}

static enum ct_err
check_oauth(struct ct_req *req, const char *token)
{
    struct ct_oauth_access a;
    char partner[24];
    enum ct_err err;

    err = ct_oauth_access_check(req->db, token, &a);
    if (err == CT_E_UNAUTH)
        return refuse(req, "Bearer realm=\"comptoir\", error=\"invalid_token\"");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "token check failed");
    (void)snprintf(partner, sizeof(partner), "%lld", (long long)a.partner_id);
    ct_reply_header(req, "X-CT-Auth-Kind", "oauth");
    ct_reply_header(req, "X-CT-Auth-Subject", a.customer_id);
    ct_reply_header(req, "X-CT-Auth-Partner", partner);
    ct_reply_header(req, "X-CT-Auth-Client", a.client_id);
    ct_reply_header(req, "X-CT-Auth-Scope", a.scope);
    return ct_reply_empty(req, 204);
}

enum ct_err
auth_check(struct ct_req *req)
{
    const char *realm = ct_req_path_arg(req, "realm");
    const char *token = ct_token_bearer(ct_req_header(req, "Authorization"));

    if (token == NULL)
        return refuse(req, "Bearer realm=\"comptoir\"");
    if (realm != NULL && strcmp(realm, "customer") == 0)
        return check_customer(req, token);
    if (realm != NULL && strcmp(realm, "oauth") == 0)
        return check_oauth(req, token);
    /* admin sessions come with the admin pool (a later issue); any other realm is refused */
    return refuse(req, "Bearer realm=\"comptoir\", error=\"invalid_token\"");
}
