/* sessions.c - POST /customers/sessions (login with email, password and device id) and
 * DELETE /customers/sessions/current (logout). The password check and its per-account lockout
 * are ct_customer_login's (ct_login.h); nginx limits the attempts per address (zone ct_auth). */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_login.h"
#include "ct/ct_session.h"
#include "customers.h"

#define EMAIL_MAX 254
#define PASSWORD_MAX 1024
#define DEVICE_ID_MAX 128

static enum ct_err open_unit(struct ct_db *db, void *arg);

static const char *const login_fields[] = {"email", "password", "device_id", NULL};

struct login {
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    const char *device_id;
    int ttl;
    char token[CT_TOKEN_MAX];
    struct ct_session session;
};

static enum ct_err
open_unit(struct ct_db *db, void *arg)
{
    struct login *l = arg;

    return ct_session_open(db, CT_SESSION_CUSTOMER, l->partner_id, l->customer_id, l->device_id,
                           l->ttl, l->token, &l->session);
}

enum ct_err
customers_session_create(struct ct_req *req)
{
    struct login l;
    const char *email, *password;
    struct json_object *o;
    int64_t retry_after = 0;
    char secs[24];
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&l, 0, sizeof(l));
    ct_body_only(req, login_fields);
    email = ct_body_str(req, "email", true, EMAIL_MAX);
    password = ct_body_str(req, "password", true, PASSWORD_MAX);
    l.device_id = ct_body_str(req, "device_id", true, DEVICE_ID_MAX);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    l.ttl = ct_req_conf(req)->session_ttl;
    err = ct_req_front_partner(req, &l.partner_id);
    if (err == CT_OK)
        err =
            ct_customer_login(req->db, l.partner_id, email, password, l.customer_id, &retry_after);
    if (err == CT_E_UNAUTH)
        return ct_req_fail(req, err, "INVALID_CREDENTIALS", "email or password is wrong");
    if (err == CT_E_TOOMANY) {
        (void)snprintf(secs, sizeof(secs), "%lld", (long long)retry_after);
        ct_reply_header(req, "Retry-After", secs);
        return ct_req_fail(req, err, "TOO_MANY_ATTEMPTS",
                           "too many failed logins; try again later");
    }
    if (err == CT_OK)
        err = ct_db_txn(req->db, open_unit, &l);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "login failed");
    o = json_object_new_object();
    json_object_object_add(o, "session_token", json_object_new_string(l.token));
    json_object_object_add(o, "expires_in", json_object_new_int(l.ttl));
    json_object_object_add(o, "customer_id", json_object_new_string(l.customer_id));
    OPENSSL_cleanse(l.token, sizeof(l.token));
    return ct_reply_json(req, 201, o);
}

enum ct_err
customers_session_end(struct ct_req *req)
{
    enum ct_err err =
        ct_session_end(req->db, CT_SESSION_CUSTOMER, req->ident.session, req->ident.subject);

    /* nginx let the request through, so the session was live a moment ago: a concurrent logout */
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "the session has ended");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "logout failed");
    return ct_reply_empty(req, 204);
}
