/* login.c - password logins of customers: argon2id verification outside any lock, then the
 * outcome (failure count, lock, reset) under the account row's lock. */
#include <stdio.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_login.h"
#include "ct/ct_password.h"

#define EMAIL_MAX 254
#define PASSWORD_MAX 1024

struct login {
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    bool password_ok;
    int64_t retry_after;
};

static enum ct_err find_account(struct ct_db *db, const char *email, const char *password,
                                struct login *l);
static enum ct_err outcome_unit(struct ct_db *db, void *arg);

/* Seconds left of a lock (0 when none or run out). */
#define LOCK_LEFT                                                                                  \
    "CASE WHEN locked_until > UTC_TIMESTAMP(6) THEN CAST(CEIL(TIMESTAMPDIFF(MICROSECOND, "         \
    "UTC_TIMESTAMP(6), locked_until) / 1000000) AS SIGNED) ELSE 0 END"

/* The account behind the email and whether the password is its own. The slow verification runs
 * here, without holding any lock; an unknown email, an account without a password and a locked
 * account burn the same work. */
static enum ct_err
find_account(struct ct_db *db, const char *email, const char *password, struct login *l)
{
    static const char sql[] = "SELECT id, password_hash, " LOCK_LEFT " FROM customer "
                              "WHERE partner_id = ? AND email = ?";
    struct ct_rows *rows = NULL;
    const char *hash;
    enum ct_err err;

    err = ct_db_query(db, sql, &rows, "ls", l->partner_id, email);
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

/* Under the row lock: a lock set meanwhile wins over a right password, and the failure counter
 * of concurrent attempts stays exact. */
static enum ct_err
outcome_unit(struct ct_db *db, void *arg)
{
    static const char sel[] = "SELECT failed_logins, " LOCK_LEFT ", locked_until IS NOT NULL "
                              "FROM customer WHERE id = ? AND partner_id = ? FOR UPDATE";
    static const char ok[] = "UPDATE customer SET failed_logins = 0, locked_until = NULL, "
                             "last_login_at = UTC_TIMESTAMP(6) WHERE id = ?";
    static const char fail[] =
        "UPDATE customer SET failed_logins = ?, "
        "locked_until = IF(? >= ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULL) WHERE id = ?";
    struct login *l = arg;
    struct ct_rows *rows = NULL;
    int64_t failed = 0, left = 0, had_lock = 0, n;
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
    if (l->password_ok)
        return ct_db_exec(db, ok, NULL, "s", l->customer_id);
    /* a lock that ran out starts a new count */
    n = (had_lock ? 0 : failed) + 1;
    if (n >= CT_LOGIN_LOCK_AFTER)
        ct_log(LOG_NOTICE, "customer %s locked for %d s after %d failed logins", l->customer_id,
               CT_LOGIN_LOCK_SECONDS, CT_LOGIN_LOCK_AFTER);
    return ct_db_exec(db, fail, NULL, "lliis", n, n, CT_LOGIN_LOCK_AFTER, CT_LOGIN_LOCK_SECONDS,
                      l->customer_id);
}

enum ct_err
ct_customer_login(struct ct_db *db, int64_t partner_id, const char *email, const char *password,
                  char customer_id[CT_UUID_LEN + 1], int64_t *retry_after)
{
    struct login l;
    enum ct_err err;

    *retry_after = 0;
    if (email == NULL || password == NULL || strlen(email) > EMAIL_MAX ||
        strlen(password) > PASSWORD_MAX) {
        ct_password_burn("");
        return CT_E_UNAUTH;
    }
    memset(&l, 0, sizeof(l));
    l.partner_id = partner_id;
    err = find_account(db, email, password, &l);
    if (err == CT_OK && l.retry_after == 0)
        err = ct_db_txn(db, outcome_unit, &l);
    if (err != CT_OK)
        return err;
    if (l.retry_after > 0) {
        *retry_after = l.retry_after;
        return CT_E_TOOMANY;
    }
    if (!l.password_ok)
        return CT_E_UNAUTH;
    memcpy(customer_id, l.customer_id, sizeof(l.customer_id));
    return CT_OK;
}
