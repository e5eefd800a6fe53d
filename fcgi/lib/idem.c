/* idem.c - idempotency keys in the database: the answer is recorded last in the unit that made
 * it, and looked up (outside any unit) only when an attempt was refused. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ct/ct_db.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"

#define CT_IDEM_SCOPE_MAX 64
#define CT_IDEM_KEY_MAX 255

static bool len_ok(const char *s, size_t max);

static bool
len_ok(const char *s, size_t max)
{
    size_t n = s == NULL ? 0 : strnlen(s, max + 1);

    return n >= 1 && n <= max;
}

enum ct_err
ct_idem_record(struct ct_db *db, const char *scope, const char *key, const unsigned char hash[32],
               int status, const char *body)
{
    static const char sql[] = "INSERT INTO idempotency_key (scope, idem_key, request_hash, "
                              "status_code, response, created_at) VALUES (?, ?, ?, ?, ?, NOW(6))";

    if (hash == NULL || status < 100 || status > 599 || !len_ok(scope, CT_IDEM_SCOPE_MAX) ||
        !len_ok(key, CT_IDEM_KEY_MAX))
        return CT_E_INTERNAL;
    /* Sent with the COMMIT. A duplicate (ct_db_txn's CT_E_CONFLICT) means a twin's answer is
     * committed: InnoDB made this INSERT wait while the twin's row was uncommitted, and lets it
     * through if the twin rolled back. */
    return ct_db_exec_last(db, sql, "ssSis", scope, key, (const char *)hash, (size_t)32, status,
                           body);
}

enum ct_err
ct_idem_find(struct ct_db *db, const char *scope, const char *key, const unsigned char hash[32],
             struct ct_idem_replay *replay, const char **code)
{
    static const char sql[] = "SELECT request_hash = ?, status_code, response FROM "
                              "idempotency_key WHERE scope = ? AND idem_key = ?";
    struct ct_rows *r = NULL;
    const char *body;
    const char *dummy = NULL;
    int64_t same = 0;
    int64_t status = 0;
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
    err = ct_db_query(db, sql, &r, "Sss", (const char *)hash, (size_t)32, scope, key);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) != 1 || !ct_rows_i64(r, 0, 0, &same))
        goto out; /* not recorded */
    if (same != 1) {
        *code = "IDEMPOTENCY_KEY_REUSED";
        err = CT_E_CONFLICT;
        goto out;
    }
    if (!ct_rows_i64(r, 0, 1, &status) || status < 100 || status > 599) {
        ct_log(LOG_ERR, "idem: a recorded key in scope %s has no answer", scope);
        err = CT_E_INTERNAL;
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
