/* check.c - GET /_auth/{realm}: nginx's auth_request target. 2xx with the identity in X-CT-Auth-*
 * headers (nginx copies them into CT_AUTH_* params, snippets/ct_auth_set.conf), or 401. One
 * database query per check: this runs before every session (customer or operator) and OAuth
 * request, unless nginx answers an OAuth check from its short-lived identity cache
 * (conf/nginx/servers/main.conf), which keeps only the answers marked with X-Accel-Expires here. */
#include <stdio.h>
#include <string.h>
#include "ct/ct_session.h"
#include "ct/ct_token.h"
#include "auth.h"

static enum ct_err check_session(struct ct_req *req, enum ct_session_kind kind, const char *token);
static enum ct_err check_oauth(struct ct_req *req, const char *token);
static enum ct_err refuse(struct ct_req *req, const char *www_authenticate);
static void ident_cacheable(struct ct_req *req, int64_t expires_in);

/* nginx hands WWW-Authenticate of a 401 subrequest answer on to the client (RFC 6750 3). */
static enum ct_err
refuse(struct ct_req *req, const char *www_authenticate)
{
    ct_reply_header(req, "WWW-Authenticate", www_authenticate);
    return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "authentication is required");
}

/* A customer's or an operator's session: never cached by nginx (a logout takes effect at once). */
static enum ct_err
check_session(struct ct_req *req, enum ct_session_kind kind, const char *token)
{
    struct ct_session s;
    char partner[24];
    enum ct_err err;

    err = ct_session_check(req->db, kind, token, ct_req_conf(req)->session_ttl, &s);
    if (err == CT_E_UNAUTH)
        return refuse(req, "Bearer realm=\"comptoir\", error=\"invalid_token\"");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "session check failed");
    (void)snprintf(partner, sizeof(partner), "%lld", (long long)s.partner_id);
    ct_reply_header(req, "X-CT-Auth-Kind", kind == CT_SESSION_OPERATOR ? "operator" : "customer");
    ct_reply_header(req, "X-CT-Auth-Subject", s.subject);
    ct_reply_header(req, "X-CT-Auth-Partner", partner);
    ct_reply_header(req, "X-CT-Auth-Session", s.id);
    if (kind == CT_SESSION_OPERATOR)
        ct_reply_header(req, "X-CT-Auth-Role", s.role);
    return ct_reply_empty(req, 204);
}

/* Lets nginx keep this answer for min(ident_cache_ttl, the token's remaining life) seconds: a
 * revoked token is refused again within that time. nginx serves an entry through the whole second
 * its validity ends in, so one second is taken off the token's remaining life: a cached identity
 * never outlives its token. Nothing (not cached) when that leaves no whole second. */
static void
ident_cacheable(struct ct_req *req, int64_t expires_in)
{
    int64_t seconds = expires_in - 1;
    char v[24];

    if (seconds > ct_req_conf(req)->ident_cache_ttl)
        seconds = ct_req_conf(req)->ident_cache_ttl;
    if (seconds <= 0)
        return;
    (void)snprintf(v, sizeof(v), "%lld", (long long)seconds);
    ct_reply_header(req, "X-Accel-Expires", v);
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
    ident_cacheable(req, a.expires_in);
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
        return check_session(req, CT_SESSION_CUSTOMER, token);
    if (realm != NULL && strcmp(realm, "admin") == 0)
        return check_session(req, CT_SESSION_OPERATOR, token);
    if (realm != NULL && strcmp(realm, "oauth") == 0)
        return check_oauth(req, token);
    /* any other realm is refused */
    return refuse(req, "Bearer realm=\"comptoir\", error=\"invalid_token\"");
}
