/* sessions.c - POST /customers/sessions (login with email, password and device id) and
 * DELETE /customers/sessions/current (logout). Failed logins are counted per account: after
 * LOCK_AFTER consecutive failures the account refuses every login for LOCK_SECONDS, the right
 * password included. nginx limits the attempts per address (zone ct_auth). */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_log.h"
#include "ct/ct_password.h"
#include "ct/ct_session.h"
#include "customers.h"

#define LOCK_AFTER 5
#define LOCK_SECONDS (15 * 60)
#define EMAIL_MAX 254
#define PASSWORD_MAX 1024
#define DEVICE_ID_MAX 128

/* What a login found and decided. */
struct login {
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    const char *device_id;
    int ttl;
    bool password_ok;
    int64_t retry_after; /* > 0: the account is locked for that many seconds */
    char token[CT_TOKEN_MAX];
    struct ct_session session;
};

static enum ct_err find_account(struct ct_req *req, const char *email, const char *password,
                                struct login *l);
static enum ct_err outcome_unit(struct ct_db *db, void *arg);
static enum ct_err record_failure(struct ct_db *db, struct login *l, bool lock_expired,
                                  int64_t failed);
static enum ct_err too_many(struct ct_req *req, int64_t retry_after);
static enum ct_err invalid_credentials(struct ct_req *req);

static const char *const login_fields[] = {"email", "password", "device_id", NULL};

#define LOCK_LEFT                                                                                  \
    "CASE WHEN locked_until > UTC_TIMESTAMP(6) THEN CAST(CEIL(TIMESTAMPDIFF(MICROSECOND, "         \
    "UTC_TIMESTAMP(6), locked_until) / 1000000) AS SIGNED) ELSE 0 END"

/* The same answer, for an unknown email and for a wrong password. */
static enum ct_err
invalid_credentials(struct ct_req *req)
{
    return ct_req_fail(req, CT_E_UNAUTH, "INVALID_CREDENTIALS", "email or password is wrong");
}

/* 429 with Retry-After: the account is locked after repeated failures. */
static enum ct_err
too_many(struct ct_req *req, int64_t retry_after)
{
    char secs[24];

    (void)snprintf(secs, sizeof(secs), "%lld", (long long)retry_after);
    ct_reply_header(req, "Retry-After", secs);
    return ct_req_fail(req, CT_E_TOOMANY, "TOO_MANY_ATTEMPTS",
                       "too many failed logins; try again later");
}

/* The account behind the email and whether the password is its own. Every path does one argon2
 * verification: an unknown email, an account without a password and a locked account cost what a
 * wrong password costs. */
static enum ct_err
find_account(struct ct_req *req, const char *email, const char *password, struct login *l)
{
    static const char sql[] = "SELECT id, password_hash, " LOCK_LEFT " FROM customer "
                              "WHERE partner_id = ? AND email = ?";
    struct ct_rows *rows = NULL;
    const char *hash;
    enum ct_err err;

    err = ct_db_query(req->db, sql, &rows, "ls", l->partner_id, email);
    if (err != CT_OK)
        return err;
    hash = ct_rows_str(rows, 0, 1);
    if (ct_rows_count(rows) != 1 || hash == NULL || ct_rows_str(rows, 0, 0) == NULL ||
        !ct_rows_i64(rows, 0, 2, &l->retry_after)) {
        ct_rows_free(rows);
        ct_password_burn(password);
        return CT_E_UNAUTH;
    }
    (void)snprintf(l->customer_id, sizeof(l->customer_id), "%s", ct_rows_str(rows, 0, 0));
    if (l->retry_after > 0)
        ct_password_burn(password);
    else
        l->password_ok = ct_password_verify(hash, password);
    ct_rows_free(rows);
    return CT_OK;
}

static enum ct_err
record_failure(struct ct_db *db, struct login *l, bool lock_expired, int64_t failed)
{
    static const char sql[] =
        "UPDATE customer SET failed_logins = ?, "
        "locked_until = IF(? >= ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULL) "
        "WHERE id = ? AND partner_id = ?";
    /* a lock that ran out starts a new count */
    int64_t n = (lock_expired ? 0 : failed) + 1;

    if (n >= LOCK_AFTER)
        ct_log(LOG_NOTICE, "customer %s locked for %d s after %d failed logins", l->customer_id,
               LOCK_SECONDS, LOCK_AFTER);
    return ct_db_exec(db, sql, NULL, "lliisl", n, n, LOCK_AFTER, LOCK_SECONDS, l->customer_id,
                      l->partner_id);
}

/* The outcome, under the account row's lock: the counter of concurrent failures stays exact, and
 * a lock set meanwhile wins over a right password. A failure commits (its count is the point). */
static enum ct_err
outcome_unit(struct ct_db *db, void *arg)
{
    static const char sel[] = "SELECT failed_logins, " LOCK_LEFT ", locked_until IS NOT NULL "
                              "FROM customer WHERE id = ? AND partner_id = ? FOR UPDATE";
    static const char ok[] = "UPDATE customer SET failed_logins = 0, locked_until = NULL, "
                             "last_login_at = UTC_TIMESTAMP(6) WHERE id = ? AND partner_id = ?";
    struct login *l = arg;
    struct ct_rows *rows = NULL;
    int64_t failed = 0, left = 0, had_lock = 0;
    enum ct_err err;

    err = ct_db_query(db, sel, &rows, "sl", l->customer_id, l->partner_id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &failed) ||
        !ct_rows_i64(rows, 0, 1, &left) || !ct_rows_i64(rows, 0, 2, &had_lock)) {
        ct_rows_free(rows);
        return CT_E_UNAUTH; /* deleted meanwhile */
    }
    ct_rows_free(rows);
    l->retry_after = left;
    if (left > 0)
        return CT_OK;
    if (!l->password_ok)
        return record_failure(db, l, had_lock != 0, failed);
    err = ct_db_exec(db, ok, NULL, "sl", l->customer_id, l->partner_id);
    if (err == CT_OK)
        err = ct_session_open(db, l->partner_id, l->customer_id, l->device_id, l->ttl, l->token,
                              &l->session);
    return err;
}

enum ct_err
customers_session_create(struct ct_req *req)
{
    struct login l;
    const char *email, *password;
    struct json_object *o;
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
        err = find_account(req, email, password, &l);
    if (err == CT_OK && l.retry_after == 0)
        err = ct_db_txn(req->db, outcome_unit, &l);
    if (err == CT_E_UNAUTH)
        return invalid_credentials(req);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "login failed");
    if (l.retry_after > 0)
        return too_many(req, l.retry_after);
    if (!l.password_ok)
        return invalid_credentials(req);
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
    enum ct_err err = ct_session_end(req->db, req->ident.session, req->ident.subject);

    /* nginx let the request through, so the session was live a moment ago: a concurrent logout */
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "the session has ended");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "logout failed");
    return ct_reply_empty(req, 204);
}
