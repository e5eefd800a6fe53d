/* login.c - password logins of customers and operators: argon2id verification outside any lock,
 * then the outcome (failure count, lock, reset) under the account row's lock. One policy for
 * both; the kinds differ only by table and by how the account is found (a customer by partner and
 * email, an operator by email alone). */
#include <stdio.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_login.h"
#include "ct/ct_password.h"

#define EMAIL_MAX 254
#define PASSWORD_MAX 1024

/* Seconds left of a lock (0 when none or run out). */
#define LOCK_LEFT                                                                                  \
    "CASE WHEN locked_until > UTC_TIMESTAMP(6) THEN CAST(CEIL(TIMESTAMPDIFF(MICROSECOND, "         \
    "UTC_TIMESTAMP(6), locked_until) / 1000000) AS SIGNED) ELSE 0 END"

/* Per kind: find answers id, password_hash, lock left, partner_id, role; the others work on the
 * row by id and partner. Static arrays: prepared statements are cached by address. */
struct login_kind {
    const char *what; /* for the log */
    const char *find;
    const char *sel;
    const char *ok;
    const char *fail;
};

static const char cust_find[] = "SELECT id, password_hash, " LOCK_LEFT ", partner_id, '' "
                                "FROM customer WHERE partner_id = ? AND email = ?";
static const char cust_sel[] = "SELECT failed_logins, " LOCK_LEFT ", locked_until IS NOT NULL "
                               "FROM customer WHERE id = ? AND partner_id = ? FOR UPDATE";
static const char cust_ok[] = "UPDATE customer SET failed_logins = 0, locked_until = NULL, "
                              "last_login_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char cust_fail[] =
    "UPDATE customer SET failed_logins = ?, "
    "locked_until = IF(? >= ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULL) WHERE id = ?";
static const char op_find[] =
    "SELECT id, password_hash, " LOCK_LEFT ", partner_id, CAST(role AS CHAR) "
    "FROM operator WHERE email = ? AND status = 'active'";
static const char op_sel[] = "SELECT failed_logins, " LOCK_LEFT ", locked_until IS NOT NULL "
                             "FROM operator WHERE id = ? AND partner_id = ? AND status = 'active' "
                             "FOR UPDATE";
static const char op_ok[] = "UPDATE operator SET failed_logins = 0, locked_until = NULL, "
                            "last_login_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char op_fail[] =
    "UPDATE operator SET failed_logins = ?, "
    "locked_until = IF(? >= ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, NULL) WHERE id = ?";

static const struct login_kind customer_kind = {"customer", cust_find, cust_sel, cust_ok,
                                                cust_fail};
static const struct login_kind operator_kind = {"operator", op_find, op_sel, op_ok, op_fail};

struct login {
    const struct login_kind *k;
    int64_t partner_id; /* 0: any (operators) */
    char id[CT_UUID_LEN + 1];
    char role[16];
    bool found;
    bool password_ok;
    int64_t retry_after;
};

static enum ct_err find_account(struct ct_db *db, const char *email, const char *password,
                                struct login *l);
static enum ct_err outcome_unit(struct ct_db *db, void *arg);
static enum ct_err run_login(struct ct_db *db, struct login *l, const char *email,
                             const char *password);

/* The account behind the email and whether the password is its own. The slow verification runs
 * here, without holding any lock; an unknown email, an account without a password and a locked
 * account burn the same work. */
static enum ct_err
find_account(struct ct_db *db, const char *email, const char *password, struct login *l)
{
    struct ct_rows *rows = NULL;
    const char *hash;
    enum ct_err err;

    if (l->k == &customer_kind)
        err = ct_db_query(db, l->k->find, &rows, "ls", l->partner_id, email);
    else
        err = ct_db_query(db, l->k->find, &rows, "s", email);
    if (err != CT_OK)
        return err;
    hash = ct_rows_str(rows, 0, 1);
    if (ct_rows_count(rows) != 1 || hash == NULL || ct_rows_str(rows, 0, 0) == NULL ||
        !ct_rows_i64(rows, 0, 2, &l->retry_after) || !ct_rows_i64(rows, 0, 3, &l->partner_id) ||
        ct_rows_str(rows, 0, 4) == NULL) {
        ct_rows_free(rows);
        ct_password_burn(password);
        return CT_E_UNAUTH;
    }
    l->found = true;
    (void)snprintf(l->id, sizeof(l->id), "%s", ct_rows_str(rows, 0, 0));
    (void)snprintf(l->role, sizeof(l->role), "%s", ct_rows_str(rows, 0, 4));
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
    struct login *l = arg;
    struct ct_rows *rows = NULL;
    int64_t failed = 0, left = 0, had_lock = 0, n;
    enum ct_err err;

    err = ct_db_query(db, l->k->sel, &rows, "sl", l->id, l->partner_id);
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
        return ct_db_exec(db, l->k->ok, NULL, "s", l->id);
    /* a lock that ran out starts a new count */
    n = (had_lock ? 0 : failed) + 1;
    if (n >= CT_LOGIN_LOCK_AFTER)
        ct_log(LOG_NOTICE, "%s %s locked for %d s after %d failed logins", l->k->what, l->id,
               CT_LOGIN_LOCK_SECONDS, CT_LOGIN_LOCK_AFTER);
    return ct_db_exec(db, l->k->fail, NULL, "lliis", n, n, CT_LOGIN_LOCK_AFTER,
                      CT_LOGIN_LOCK_SECONDS, l->id);
}

/* Both kinds: the checks, the slow verification, the outcome under the row lock. */
static enum ct_err
run_login(struct ct_db *db, struct login *l, const char *email, const char *password)
{
    enum ct_err err;

    if (email == NULL || password == NULL || strlen(email) > EMAIL_MAX ||
        strlen(password) > PASSWORD_MAX) {
        ct_password_burn("");
        return CT_E_UNAUTH;
    }
    err = find_account(db, email, password, l);
    if (err == CT_OK && l->retry_after == 0)
        err = ct_db_txn(db, outcome_unit, l);
    if (err != CT_OK)
        return err;
    if (l->retry_after > 0)
        return CT_E_TOOMANY;
    return l->password_ok ? CT_OK : CT_E_UNAUTH;
}

enum ct_err
ct_customer_login(struct ct_db *db, int64_t partner_id, const char *email, const char *password,
                  char customer_id[CT_UUID_LEN + 1], int64_t *retry_after)
{
    struct login l;
    enum ct_err err;

    memset(&l, 0, sizeof(l));
    l.k = &customer_kind;
    l.partner_id = partner_id;
    err = run_login(db, &l, email, password);
    *retry_after = err == CT_E_TOOMANY ? l.retry_after : 0;
    if (err == CT_OK)
        memcpy(customer_id, l.id, sizeof(l.id));
    return err;
}

enum ct_err
ct_operator_login(struct ct_db *db, const char *email, const char *password,
                  struct ct_operator_login *out)
{
    struct login l;
    enum ct_err err;

    memset(&l, 0, sizeof(l));
    memset(out, 0, sizeof(*out));
    l.k = &operator_kind;
    err = run_login(db, &l, email, password);
    if (l.found) {
        memcpy(out->operator_id, l.id, sizeof(l.id));
        out->partner_id = l.partner_id;
        memcpy(out->role, l.role, sizeof(l.role));
    }
    out->retry_after = err == CT_E_TOOMANY ? l.retry_after : 0;
    return err;
}
