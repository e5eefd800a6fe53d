/* sessions.c - POST /admin/sessions (an operator's login with email and password) and DELETE
 * /admin/sessions/current (logout). The password check and its per-account lockout are
 * ct_operator_login's (ct_login.h, the customers' policy); nginx limits the attempts per address
 * (zone ct_auth). A login is audited (CT_R_AUDIT) under the operator its email names. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_login.h"
#include "ct/ct_operator.h"
#include "ct/ct_session.h"
#include "admin.h"

#define PASSWORD_MAX 1024

struct open_ctx {
    const struct ct_operator_login *who;
    int ttl;
    char token[CT_TOKEN_MAX];
    struct ct_session session;
};

static enum ct_err open_unit(struct ct_db *db, void *arg);

static enum ct_err
open_unit(struct ct_db *db, void *arg)
{
    struct open_ctx *o = arg;

    return ct_session_open(db, CT_SESSION_OPERATOR, o->who->partner_id, o->who->operator_id, NULL,
                           o->ttl, o->token, &o->session);
}

enum ct_err
admin_session_create(struct ct_req *req)
{
    static const char *const fields[] = {"email", "password", NULL};
    struct ct_operator_login who;
    struct open_ctx o;
    const char *email, *password;
    struct json_object *res;
    char secs[24];
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_body_only(req, fields);
    email = ct_body_str(req, "email", true, CT_OPERATOR_EMAIL_MAX);
    password = ct_body_str(req, "password", true, PASSWORD_MAX);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    err = ct_operator_login(req->db, email, password, &who);
    if (who.operator_id[0] != '\0') {
        /* who was tried, for the audit row; no other use: the identity is not established */
        req->ident.kind = CT_IDENT_OPERATOR;
        req->ident.partner_id = who.partner_id;
        (void)snprintf(req->ident.subject, sizeof(req->ident.subject), "%s", who.operator_id);
        (void)snprintf(req->ident.role, sizeof(req->ident.role), "%s", who.role);
    }
    if (err == CT_E_UNAUTH)
        return ct_req_fail(req, err, "INVALID_CREDENTIALS", "email or password is wrong");
    if (err == CT_E_TOOMANY) {
        (void)snprintf(secs, sizeof(secs), "%lld", (long long)who.retry_after);
        ct_reply_header(req, "Retry-After", secs);
        return ct_req_fail(req, err, "TOO_MANY_ATTEMPTS",
                           "too many failed logins; try again later");
    }
    if (err == CT_OK)
        err = ct_admin_origin_check(req->db, who.partner_id, ct_req_header(req, "Origin"));
    if (err == CT_E_FORBIDDEN)
        return ct_req_fail(req, err, "ORIGIN_NOT_ALLOWED",
                           "this origin is not one of the partner's admin panel origins");
    memset(&o, 0, sizeof(o));
    o.who = &who;
    o.ttl = ct_req_conf(req)->session_ttl;
    if (err == CT_OK)
        err = ct_db_txn(req->db, open_unit, &o);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "login failed");
    (void)snprintf(req->ident.session, sizeof(req->ident.session), "%s", o.session.id);
    res = json_object_new_object();
    json_object_object_add(res, "session_token", json_object_new_string(o.token));
    json_object_object_add(res, "expires_in", json_object_new_int(o.ttl));
    json_object_object_add(res, "role", json_object_new_string(who.role));
    json_object_object_add(res, "operator_id", json_object_new_string(who.operator_id));
    OPENSSL_cleanse(o.token, sizeof(o.token));
    return ct_reply_json(req, 201, res);
}

enum ct_err
admin_session_end(struct ct_req *req)
{
    enum ct_err err =
        ct_session_end(req->db, CT_SESSION_OPERATOR, req->ident.session, req->ident.subject);

    /* nginx let the request through, so the session was live a moment ago: a concurrent logout */
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "the session has ended");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "logout failed");
    return ct_reply_empty(req, 204);
}
