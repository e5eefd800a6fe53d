/* idem.c - idempotency keys in the database: claim first, answer in the same transaction. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <mysqld_error.h>

#include "ct/ct_db.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"

#define CT_IDEM_SCOPE_MAX 64
#define CT_IDEM_KEY_MAX 255

static bool len_ok(const char *s, size_t max);
static enum ct_err replay_load(struct ct_db *db, const char *scope, const char *key,
                               const unsigned char hash[32], struct ct_idem_replay *replay,
                               const char **code);

static bool
len_ok(const char *s, size_t max)
{
    size_t n = s == NULL ? 0 : strnlen(s, max + 1);

    return n >= 1 && n <= max;
}

/* The key exists and is committed (the claim's INSERT waited for its owner to finish): compare
 * the request hash and hand back the first answer. The row is read with a shared lock, which
 * every waiting twin already holds after its duplicate-key error, so twins do not deadlock. */
static enum ct_err
replay_load(struct ct_db *db, const char *scope, const char *key, const unsigned char hash[32],
            struct ct_idem_replay *replay, const char **code)
{
    static const char sql[] = "SELECT request_hash = ?, status_code, response FROM "
                              "idempotency_key WHERE scope = ? AND idem_key = ? "
                              "LOCK IN SHARE MODE";
    struct ct_rows *r = NULL;
    const char *body;
    int64_t same = 0;
    int64_t status = 0;
    enum ct_err err;

    err = ct_db_query(db, sql, &r, "Sss", (const char *)hash, (size_t)32, scope, key);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) != 1 || !ct_rows_i64(r, 0, 0, &same)) {
        /* Deleted between the INSERT and this read (a purge): let the unit run again. */
        err = CT_E_BUSY;
        goto out;
    }
    if (same != 1) {
        *code = "IDEMPOTENCY_KEY_REUSED";
        err = CT_E_CONFLICT;
        goto out;
    }
    if (!ct_rows_i64(r, 0, 1, &status) || status < 100 || status > 599) {
        /* Claimed earlier in this same transaction, or committed without an answer. */
        *code = "IDEMPOTENCY_KEY_IN_USE";
        err = CT_E_CONFLICT;
        goto out;
    }
    body = ct_rows_str(r, 0, 2);
    replay->found = true;
    replay->status = (int)status;
    replay->body = body != NULL ? ct_strdup(body) : NULL;
out:
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_idem_claim(struct ct_db *db, const char *scope, const char *key, const unsigned char hash[32],
              struct ct_idem_replay *replay, const char **code)
{
    static const char sql[] = "INSERT INTO idempotency_key (scope, idem_key, request_hash, "
                              "created_at) VALUES (?, ?, ?, NOW(6))";
    const char *dummy = NULL;
    enum ct_err err;

    if (code == NULL)
        code = &dummy;
    *code = NULL;
    if (replay == NULL || hash == NULL || !len_ok(scope, CT_IDEM_SCOPE_MAX) ||
        !len_ok(key, CT_IDEM_KEY_MAX)) {
        *code = "IDEMPOTENCY_KEY_INVALID";
        return CT_E_BADREQ;
    }
    replay->found = false;
    replay->status = 0;
    replay->body = NULL;
    /* The claim is the first write of the unit: a twin blocks here until we commit or roll
     * back. A duplicate key fails this statement only; the transaction goes on. */
    err = ct_db_exec(db, sql, NULL, "ssS", scope, key, (const char *)hash, (size_t)32);
    if (err == CT_E_CONFLICT && ct_db_errno(db) == ER_DUP_ENTRY)
        return replay_load(db, scope, key, hash, replay, code);
    return err;
}

enum ct_err
ct_idem_store(struct ct_db *db, const char *scope, const char *key, int status, const char *body)
{
    static const char sql[] = "UPDATE idempotency_key SET status_code = ?, response = ? "
                              "WHERE scope = ? AND idem_key = ? AND status_code IS NULL";
    uint64_t n = 0;
    enum ct_err err;

    if (status < 100 || status > 599 || !len_ok(scope, CT_IDEM_SCOPE_MAX) ||
        !len_ok(key, CT_IDEM_KEY_MAX))
        return CT_E_INTERNAL;
    err = ct_db_exec(db, sql, &n, "isss", status, body, scope, key);
    if (err == CT_OK && n != 1) {
        ct_log(LOG_ERR, "idem: no open claim for the key in scope %s", scope);
        err = CT_E_INTERNAL;
    }
    return err;
}
