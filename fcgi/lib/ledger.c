/* ledger.c - double-entry ledger: accounts, entries and postings, holds, balance at a time. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct_db.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"

#define CT_LEDGER_MAX_LEGS 32
#define CT_LEDGER_KIND_MAX 32
#define CT_LEDGER_TEXT_MAX 255
#define CT_LEDGER_EXPIRE_BATCH 500

/* Times cross the SQL boundary as microseconds since the epoch; the arithmetic is done on
 * DATETIME(6) in UTC (the session time zone is +00:00), independent of the process TZ. */
#define CT_SQL_FROM_USEC "TIMESTAMP'1970-01-01 00:00:00' + INTERVAL ? MICROSECOND"

/* How a leg of a capture differs from a plain one: it also gives back the whole hold. */
struct hold_leg {
    int64_t account_id; /* 0: none */
    int64_t release;    /* subtracted from held, with the posting's amount */
};

/* What a capture reads before it writes. */
struct capture {
    int64_t account_id;
    int64_t held; /* the hold's amount */
    int64_t partner_id;
    char currency[4];
};

/* A journal entry, and its removal when its post is refused (the unit goes on without a bare
 * entry: a caller may record the refusal and commit). */
static const char sql_entry[] = "INSERT INTO ledger_entry (partner_id, kind, description, "
                                "currency, created_at) VALUES (?, ?, ?, ?, NOW(6))";
static const char sql_unentry[] = "DELETE FROM ledger_entry WHERE id = ?";

static const char *const kind_names[] = {
    [CT_ACCT_USER_BALANCE] = "user_balance",       [CT_ACCT_PARTNER_CREDIT] = "partner_credit",
    [CT_ACCT_PARTNER_DEPOSIT] = "partner_deposit", [CT_ACCT_TECHNICAL] = "technical",
    [CT_ACCT_BANK_INTERNAL] = "bank_internal",     [CT_ACCT_FEE_INCOME] = "fee_income",
};

static bool currency_valid(const char *c);
static bool text_ok(const char *s, size_t min, size_t max);
static enum ct_account_kind kind_from_name(const char *s);
static int leg_cmp(const void *a, const void *b);
static enum ct_err entry_check(const struct ct_entry *e, struct ct_leg *sorted, const char **code);
static enum ct_err leg_apply(struct ct_db *db, const struct ct_leg *leg, const char *currency,
                             const struct hold_leg *hl, const char **code);
static enum ct_err account_refusal(struct ct_db *db, int64_t account_id, const char *currency,
                                   const char **code);
static enum ct_err legs_refused(struct ct_db *db, const struct ct_leg *legs, size_t n,
                                const char *currency, const char **code, size_t *at);
static enum ct_err pair_post(struct ct_db *db, const struct ct_entry *e, const struct ct_leg *legs,
                             int64_t *entry_id, const char **code);
static enum ct_err legs_undo(struct ct_db *db, const struct ct_leg *legs, size_t n,
                             const struct hold_leg *hl);
static enum ct_err postings_insert(struct ct_db *db, int64_t entry_id, const struct ct_entry *e,
                                   const struct ct_leg *legs, size_t n);
static enum ct_err post_legs(struct ct_db *db, const struct ct_entry *e, const struct hold_leg *hl,
                             int64_t *entry_id, const char **code);
static enum ct_err capture_load(struct ct_db *db, int64_t hold_id, int64_t amount,
                                int64_t to_account, struct capture *cap, const char **code);
static enum ct_err hold_close(struct ct_db *db, int64_t hold_id, const char *to_status,
                              const char **code);
static enum ct_err expire_batch(struct ct_db *db, int64_t now_usec, uint64_t *closed, size_t *seen);
static void check_report(size_t k, const struct ct_rows *r, size_t row,
                         void (*report)(const char *line, void *arg), void *arg);

/* ---- accounts ------------------------------------------------------------------------------ */

const char *
ct_account_kind_name(enum ct_account_kind kind)
{
    if ((int)kind < CT_ACCT_USER_BALANCE || (int)kind > CT_ACCT_FEE_INCOME)
        return NULL;
    return kind_names[kind];
}

static enum ct_account_kind
kind_from_name(const char *s)
{
    int k;

    for (k = CT_ACCT_USER_BALANCE; s != NULL && k <= CT_ACCT_FEE_INCOME; k++) {
        if (strcmp(kind_names[k], s) == 0)
            return (enum ct_account_kind)k;
    }
    return (enum ct_account_kind)0;
}

static bool
currency_valid(const char *c)
{
    return c != NULL && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] >= 'A' &&
           c[2] <= 'Z' && c[3] == '\0';
}

static bool
text_ok(const char *s, size_t min, size_t max)
{
    size_t n = s == NULL ? 0 : strnlen(s, max + 1);

    return n >= min && n <= max;
}

enum ct_err
ct_ledger_account_open(struct ct_db *db, int64_t partner_id, enum ct_account_kind kind,
                       const char *currency, bool unbounded, int64_t *id)
{
    static const char sql[] = "INSERT INTO ledger_account (partner_id, kind, currency, unbounded, "
                              "created_at) VALUES (?, ?, ?, ?, NOW(6))";
    const char *name = ct_account_kind_name(kind);
    enum ct_err err;

    if (name == NULL || partner_id < 0 || !currency_valid(currency) || id == NULL)
        return CT_E_BADREQ;
    err = ct_db_exec(db, sql, NULL, "lssi", partner_id, name, currency, unbounded ? 1 : 0);
    if (err == CT_OK)
        *id = ct_db_last_id(db);
    return err;
}

enum ct_err
ct_ledger_account_get(struct ct_db *db, int64_t id, struct ct_account *out)
{
    static const char sql[] = "SELECT id, partner_id, kind, currency, balance, held, overdraft, "
                              "unbounded FROM ledger_account WHERE id = ?";
    struct ct_account a;
    struct ct_rows *r = NULL;
    const char *cur;
    int64_t unb = 0;
    enum ct_err err;

    memset(&a, 0, sizeof(a));
    err = ct_db_query(db, sql, &r, "l", id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) != 1) {
        err = CT_E_NOTFOUND;
        goto out;
    }
    cur = ct_rows_str(r, 0, 3);
    a.kind = kind_from_name(ct_rows_str(r, 0, 2));
    if (!ct_rows_i64(r, 0, 0, &a.id) || !ct_rows_i64(r, 0, 1, &a.partner_id) || a.kind == 0 ||
        !currency_valid(cur) || !ct_rows_i64(r, 0, 4, &a.balance) ||
        !ct_rows_i64(r, 0, 5, &a.held) || !ct_rows_i64(r, 0, 6, &a.overdraft) ||
        !ct_rows_i64(r, 0, 7, &unb) || __builtin_sub_overflow(a.balance, a.held, &a.available) ||
        __builtin_add_overflow(a.available, a.overdraft, &a.available)) {
        ct_log(LOG_ERR, "ledger: account %lld has an unreadable row", (long long)id);
        err = CT_E_INTERNAL;
        goto out;
    }
    memcpy(a.currency, cur, sizeof(a.currency));
    a.unbounded = unb != 0;
    *out = a;
out:
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_ledger_balance_at(struct ct_db *db, int64_t account_id, int64_t at_usec, int64_t *balance)
{
    static const char sql[] = "SELECT balance_after FROM ledger_posting WHERE account_id = ? "
                              "AND booked_at <= " CT_SQL_FROM_USEC " "
                              "ORDER BY booked_at DESC, id DESC LIMIT 1";
    static const char sql_acct[] = "SELECT 1 FROM ledger_account WHERE id = ?";
    struct ct_rows *r = NULL;
    int64_t v = 0;
    enum ct_err err;

    err = ct_db_query(db, sql, &r, "ll", account_id, at_usec);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) == 1) {
        if (!ct_rows_i64(r, 0, 0, &v))
            err = CT_E_INTERNAL;
    } else {
        /* No posting yet at that time: 0, if the account exists at all. */
        ct_rows_free(r);
        r = NULL;
        err = ct_db_query(db, sql_acct, &r, "l", account_id);
        if (err == CT_OK && ct_rows_count(r) != 1)
            err = CT_E_NOTFOUND;
    }
    if (err == CT_OK)
        *balance = v;
    ct_rows_free(r);
    return err;
}

/* ---- entries ------------------------------------------------------------------------------- */

static int
leg_cmp(const void *a, const void *b)
{
    const struct ct_leg *x = a;
    const struct ct_leg *y = b;

    return (x->account_id > y->account_id) - (x->account_id < y->account_id);
}

/* Everything that can be refused without the database; fills `sorted` in account id order. */
static enum ct_err
entry_check(const struct ct_entry *e, struct ct_leg *sorted, const char **code)
{
    int64_t sum = 0;
    size_t i;

    if (e == NULL || !text_ok(e->kind, 1, CT_LEDGER_KIND_MAX) ||
        (e->description != NULL && !text_ok(e->description, 0, CT_LEDGER_TEXT_MAX)) ||
        e->partner_id < 0 || e->legs == NULL) {
        *code = "INVALID_ENTRY";
        return CT_E_BADREQ;
    }
    if (!currency_valid(e->currency)) {
        *code = "CURRENCY_MISMATCH";
        return CT_E_RULE;
    }
    if (e->nlegs < 2 || e->nlegs > CT_LEDGER_MAX_LEGS) {
        *code = "UNBALANCED_ENTRY";
        return CT_E_RULE;
    }
    for (i = 0; i < e->nlegs; i++) {
        if (e->legs[i].amount == 0 || e->legs[i].amount == INT64_MIN ||
            e->legs[i].account_id <= 0) {
            *code = e->legs[i].amount == 0 ? "ZERO_AMOUNT" : "INVALID_ENTRY";
            return CT_E_RULE;
        }
        if (__builtin_add_overflow(sum, e->legs[i].amount, &sum)) {
            *code = "AMOUNT_OVERFLOW";
            return CT_E_RULE;
        }
    }
    if (sum != 0) {
        *code = "UNBALANCED_ENTRY";
        return CT_E_RULE;
    }
    memcpy(sorted, e->legs, e->nlegs * sizeof(*sorted));
    qsort(sorted, e->nlegs, sizeof(*sorted), leg_cmp);
    for (i = 1; i < e->nlegs; i++) {
        if (sorted[i].account_id == sorted[i - 1].account_id) {
            *code = "DUPLICATE_ACCOUNT";
            return CT_E_RULE;
        }
    }
    return CT_OK;
}

/* What keeps an account from taking a leg, other than its funds: CT_OK when nothing does. */
static enum ct_err
account_refusal(struct ct_db *db, int64_t account_id, const char *currency, const char **code)
{
    static const char sql[] = "SELECT currency, status FROM ledger_account WHERE id = ?";
    struct ct_rows *r = NULL;
    const char *cur;
    const char *status;
    enum ct_err err;

    err = ct_db_query(db, sql, &r, "l", account_id);
    if (err != CT_OK)
        return err;
    cur = ct_rows_str(r, 0, 0);
    status = ct_rows_str(r, 0, 1);
    if (cur == NULL || status == NULL) {
        *code = "ACCOUNT_NOT_FOUND";
        err = CT_E_NOTFOUND;
    } else if (currency != NULL && strcmp(cur, currency) != 0) {
        *code = "CURRENCY_MISMATCH";
        err = CT_E_RULE;
    } else if (strcmp(status, "active") != 0) {
        *code = "ACCOUNT_CLOSED";
        err = CT_E_RULE;
    }
    ct_rows_free(r);
    return err;
}

/* Why conditional UPDATEs over these accounts matched no row: the first account that cannot take
 * its leg at all (*at gets its index), else the funds (*at = n: the only condition left is a
 * debit's floor). */
static enum ct_err
legs_refused(struct ct_db *db, const struct ct_leg *legs, size_t n, const char *currency,
             const char **code, size_t *at)
{
    enum ct_err err;

    for (*at = 0; *at < n; (*at)++) {
        err = account_refusal(db, legs[*at].account_id, currency, code);
        if (err != CT_OK)
            return err;
    }
    *code = "INSUFFICIENT_FUNDS";
    return CT_E_RULE;
}

/* One leg's balance change under the row lock. A debit is refused by the statement itself when it
 * would take `available` below the floor; a credit never is. The capture leg gives back its hold
 * and is not floor-checked: the money was reserved, so available can only grow. */
static enum ct_err
leg_apply(struct ct_db *db, const struct ct_leg *leg, const char *currency,
          const struct hold_leg *hl, const char **code)
{
    static const char sql_credit[] = "UPDATE ledger_account SET balance = balance + ?, "
                                     "posting_count = posting_count + 1 "
                                     "WHERE id = ? AND currency = ? AND status = 'active'";
    static const char sql_debit[] =
        "UPDATE ledger_account SET balance = balance + ?, posting_count = posting_count + 1 "
        "WHERE id = ? AND currency = ? "
        "AND status = 'active' AND (unbounded = 1 OR balance - held + overdraft + ? >= 0)";
    static const char sql_capture[] = "UPDATE ledger_account SET balance = balance + ?, "
                                      "held = held - ?, posting_count = posting_count + 1 "
                                      "WHERE id = ? AND currency = ? AND held >= ?";
    uint64_t n = 0;
    size_t at;
    enum ct_err err;

    if (hl != NULL && hl->account_id == leg->account_id)
        err = ct_db_exec(db, sql_capture, &n, "lllsl", leg->amount, hl->release, leg->account_id,
                         currency, hl->release);
    else if (leg->amount > 0)
        err = ct_db_exec(db, sql_credit, &n, "lls", leg->amount, leg->account_id, currency);
    else
        err = ct_db_exec(db, sql_debit, &n, "llsl", leg->amount, leg->account_id, currency,
                         leg->amount);
    if (err != CT_OK || n == 1)
        return err;
    return legs_refused(db, leg, 1, currency, code, &at);
}

/* A two-leg entry without a hold (most of them: a reload, a transfer) in one round trip: the
 * entry, both balance rows in one conditional UPDATE (read in ascending id, the ledger's lock
 * order, by the primary key), and the postings with the running balances read under those locks,
 * sent as one batch; session variables carry the entry id and the UPDATE's row count from one
 * statement to the next, and the postings are written only when both rows changed. A reload holds
 * its balance rows for as few round trips as possible, and the pool and the server each wake once
 * instead of three times. When fewer than two rows changed, the refusal is worked out, a leg that
 * went through is put back and the entry removed, as for any refused post. `legs` is in ascending
 * account id order. */
static enum ct_err
pair_post(struct ct_db *db, const struct ct_entry *e, const struct ct_leg *legs, int64_t *entry_id,
          const char **code)
{
    static const char sql_id[] = "SET @ct_e = LAST_INSERT_ID()";
    static const char sql_apply[] =
        "UPDATE ledger_account SET balance = balance + IF(id = ?, ?, ?), "
        "posting_count = posting_count + 1 WHERE id IN (?, ?) AND currency = ? AND "
        "status = 'active' AND (id <> ? OR unbounded = 1 OR balance - held + overdraft + ? >= 0)";
    static const char sql_count[] = "SET @ct_n = ROW_COUNT()";
    static const char sql_postings[] =
        "INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, account_seq, "
        "booked_at) SELECT @ct_e, id, CASE WHEN id = ? THEN ? ELSE ? END, balance, posting_count, "
        "NOW(6) FROM ledger_account WHERE id IN (?, ?) AND @ct_n = 2 ORDER BY id "
        "RETURNING entry_id, account_id, balance_after";
    static const char sql_outcome[] = "SELECT @ct_n, @ct_e";
    /* the debit first: with both accounts able to take their legs, it is the one refused */
    const struct ct_leg order[2] = {legs[0].amount < 0 ? legs[0] : legs[1],
                                    legs[0].amount < 0 ? legs[1] : legs[0]};
    struct ct_rows *r = NULL;
    int64_t n = 0, id = 0;
    size_t row, k, at;
    enum ct_err err, why;

    err =
        ct_db_batch_add(db, sql_entry, "lsss", e->partner_id, e->kind, e->description, e->currency);
    if (err == CT_OK)
        err = ct_db_batch_add(db, sql_id, "");
    if (err == CT_OK)
        err = ct_db_batch_add(db, sql_apply, "lllllsll", legs[0].account_id, legs[0].amount,
                              legs[1].amount, legs[0].account_id, legs[1].account_id, e->currency,
                              order[0].account_id, order[0].amount);
    if (err == CT_OK)
        err = ct_db_batch_add(db, sql_count, "");
    if (err == CT_OK)
        err = ct_db_batch_add(db, sql_postings, "lllll", legs[0].account_id, legs[0].amount,
                              legs[1].amount, legs[0].account_id, legs[1].account_id);
    if (err == CT_OK)
        err = ct_db_batch_query(db, &r);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) == 2) {
        for (row = 0; row < 2 && err == CT_OK; row++) {
            int64_t acct = 0, after = 0;

            if (!ct_rows_i64(r, row, 0, &id) || !ct_rows_i64(r, row, 1, &acct) ||
                !ct_rows_i64(r, row, 2, &after))
                err = CT_E_INTERNAL;
            for (k = 0; err == CT_OK && e->after != NULL && k < e->nlegs; k++)
                if (e->legs[k].account_id == acct)
                    e->after[k] = after;
        }
        ct_rows_free(r);
        if (err == CT_OK && entry_id != NULL)
            *entry_id = id;
        return err;
    }
    err = ct_rows_count(r) == 0 ? CT_OK : CT_E_INTERNAL;
    ct_rows_free(r);
    r = NULL;
    if (err == CT_OK)
        err = ct_db_query(db, sql_outcome, &r, "");
    if (err == CT_OK && (!ct_rows_i64(r, 0, 0, &n) || !ct_rows_i64(r, 0, 1, &id) || n < 0 || n > 1))
        err = CT_E_INTERNAL;
    ct_rows_free(r);
    if (err != CT_OK)
        return err;
    why = legs_refused(db, order, 2, e->currency, code, &at);
    if (why != CT_E_RULE && why != CT_E_NOTFOUND)
        return why;
    /* One row changed: the leg not refused went through. Its row is locked by this transaction,
     * so what was read of it still holds. */
    if (n == 1) {
        err = legs_undo(db, &order[at == 1 ? 0 : 1], 1, NULL);
        if (err != CT_OK)
            return err;
    }
    err = ct_db_exec(db, sql_unentry, NULL, "l", id);
    return err != CT_OK ? err : why;
}

/* Puts back the balances of legs already applied when a later leg is refused, so a refused post
 * leaves the unit of work as it found it (the row locks stay until the end of the transaction). */
static enum ct_err
legs_undo(struct ct_db *db, const struct ct_leg *legs, size_t n, const struct hold_leg *hl)
{
    static const char sql[] = "UPDATE ledger_account SET balance = balance - ?, held = held + ?, "
                              "posting_count = posting_count - 1 WHERE id = ?";
    enum ct_err err;
    size_t i;

    for (i = 0; i < n; i++) {
        int64_t back = hl != NULL && hl->account_id == legs[i].account_id ? hl->release : 0;

        err = ct_db_exec(db, sql, NULL, "lll", legs[i].amount, back, legs[i].account_id);
        if (err != CT_OK)
            return err;
    }
    return CT_OK;
}

/* The postings, each with its account's balance read under the lock this transaction holds
 * (every leg's account appears once, so the balance now is the balance right after the leg).
 * RETURNING hands the running balances back without another round trip; when the caller asked
 * for them (e->after) they are written in the order of e->legs. */
static enum ct_err
postings_insert(struct ct_db *db, int64_t entry_id, const struct ct_entry *e,
                const struct ct_leg *legs, size_t n)
{
    static const char sql_two[] =
        "INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, account_seq, "
        "booked_at) SELECT ?, id, CASE WHEN id = ? THEN ? ELSE ? END, balance, posting_count, "
        "NOW(6) "
        "FROM ledger_account WHERE id IN (?, ?) ORDER BY id RETURNING account_id, balance_after";
    static const char sql_one[] =
        "INSERT INTO ledger_posting (entry_id, account_id, amount, balance_after, account_seq, "
        "booked_at) SELECT ?, id, ?, balance, posting_count, NOW(6) FROM ledger_account "
        "WHERE id = ? "
        "RETURNING account_id, balance_after";
    struct ct_rows *r = NULL;
    enum ct_err err = CT_OK;
    size_t i, row, got = 0;

    for (i = 0; i < n && err == CT_OK; i += (n == 2 ? 2 : 1)) {
        if (n == 2)
            err =
                ct_db_query(db, sql_two, &r, "llllll", entry_id, legs[0].account_id, legs[0].amount,
                            legs[1].amount, legs[0].account_id, legs[1].account_id);
        else
            err = ct_db_query(db, sql_one, &r, "lll", entry_id, legs[i].amount, legs[i].account_id);
        if (err != CT_OK)
            break;
        for (row = 0; row < ct_rows_count(r); row++, got++) {
            int64_t acct = 0, after = 0;
            size_t k;

            if (!ct_rows_i64(r, row, 0, &acct) || !ct_rows_i64(r, row, 1, &after)) {
                err = CT_E_INTERNAL;
                break;
            }
            for (k = 0; e->after != NULL && k < e->nlegs; k++)
                if (e->legs[k].account_id == acct)
                    e->after[k] = after;
        }
        ct_rows_free(r);
        r = NULL;
    }
    if (err == CT_OK && got != n)
        err = CT_E_INTERNAL;
    return err;
}

static enum ct_err
post_legs(struct ct_db *db, const struct ct_entry *e, const struct hold_leg *hl, int64_t *entry_id,
          const char **code)
{
    struct ct_leg legs[CT_LEDGER_MAX_LEGS];
    const char *dummy = NULL;
    enum ct_err err;
    int64_t id;
    size_t i;

    if (code == NULL)
        code = &dummy;
    *code = NULL;
    err = entry_check(e, legs, code);
    if (err != CT_OK)
        return err;
    if (e->nlegs == 2 && hl == NULL)
        return pair_post(db, e, legs, entry_id, code);
    /* The entry first: it takes no lock others wait on, so the balance rows stay locked for as
     * few round trips as possible (a hot account's throughput is one over that time). */
    err = ct_db_exec(db, sql_entry, NULL, "lsss", e->partner_id, e->kind, e->description,
                     e->currency);
    if (err != CT_OK)
        return err;
    id = ct_db_last_id(db);
    /* Ascending account id: the one lock order of the ledger, so entries cannot deadlock. */
    for (i = 0; i < e->nlegs && err == CT_OK; i++) {
        err = leg_apply(db, &legs[i], e->currency, hl, code);
        if (err == CT_E_RULE || err == CT_E_NOTFOUND) {
            enum ct_err undo = legs_undo(db, legs, i, hl);

            if (undo != CT_OK)
                return undo;
        }
    }
    if (err == CT_E_RULE || err == CT_E_NOTFOUND) {
        /* refused: the unit goes on (a caller may record the refusal) without a bare entry */
        enum ct_err undo = ct_db_exec(db, sql_unentry, NULL, "l", id);

        return undo != CT_OK ? undo : err;
    }
    if (err != CT_OK)
        return err;
    err = postings_insert(db, id, e, legs, e->nlegs);
    if (err != CT_OK)
        return err;
    if (entry_id != NULL)
        *entry_id = id;
    return CT_OK;
}

enum ct_err
ct_ledger_post(struct ct_db *db, const struct ct_entry *e, int64_t *entry_id, const char **code)
{
    return post_legs(db, e, NULL, entry_id, code);
}

/* ---- holds --------------------------------------------------------------------------------- */

enum ct_err
ct_ledger_hold(struct ct_db *db, int64_t account_id, int64_t amount, int64_t expires_usec,
               const char *reference, int64_t *hold_id, const char **code)
{
    static const char sql_held[] = "UPDATE ledger_account SET held = held + ? WHERE id = ? "
                                   "AND status = 'active' "
                                   "AND (unbounded = 1 OR balance - held + overdraft - ? >= 0)";
    static const char sql_hold[] = "INSERT INTO ledger_hold (account_id, amount, status, "
                                   "reference, expires_at, created_at) VALUES (?, ?, 'active', "
                                   "?, " CT_SQL_FROM_USEC ", NOW(6))";
    const char *dummy = NULL;
    uint64_t n = 0;
    enum ct_err err;

    if (code == NULL)
        code = &dummy;
    *code = NULL;
    if (amount <= 0 || expires_usec <= 0 ||
        (reference != NULL && !text_ok(reference, 0, CT_LEDGER_TEXT_MAX))) {
        *code = amount <= 0 ? "ZERO_AMOUNT" : "INVALID_HOLD";
        return CT_E_RULE;
    }
    /* The account row first (the funds check), then the hold row: nothing to undo on refusal. */
    err = ct_db_exec(db, sql_held, &n, "lll", amount, account_id, amount);
    if (err != CT_OK)
        return err;
    if (n != 1) {
        struct ct_leg leg = {account_id, -amount};
        size_t at;

        return legs_refused(db, &leg, 1, NULL, code, &at);
    }
    err = ct_db_exec(db, sql_hold, NULL, "llsl", account_id, amount, reference, expires_usec);
    if (err == CT_OK && hold_id != NULL)
        *hold_id = ct_db_last_id(db);
    return err;
}

/* Closes an active hold (released or expired) and gives its amount back to `available`.
 * Lock order: the hold row, then its account row. */
static enum ct_err
hold_close(struct ct_db *db, int64_t hold_id, const char *to_status, const char **code)
{
    static const char sql_get[] = "SELECT account_id, amount, status FROM ledger_hold WHERE id = ?";
    static const char sql_close[] = "UPDATE ledger_hold SET status = ?, closed_at = NOW(6) "
                                    "WHERE id = ? AND status = 'active'";
    static const char sql_held[] = "UPDATE ledger_account SET held = held - ? "
                                   "WHERE id = ? AND held >= ?";
    struct ct_rows *r = NULL;
    int64_t account_id = 0;
    int64_t amount = 0;
    uint64_t n = 0;
    enum ct_err err;

    /* account_id and amount never change after the insert: a plain read is enough. */
    err = ct_db_query(db, sql_get, &r, "l", hold_id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) != 1) {
        *code = "HOLD_NOT_FOUND";
        err = CT_E_NOTFOUND;
        goto out;
    }
    if (!ct_rows_i64(r, 0, 0, &account_id) || !ct_rows_i64(r, 0, 1, &amount)) {
        err = CT_E_INTERNAL;
        goto out;
    }
    err = ct_db_exec(db, sql_close, &n, "sl", to_status, hold_id);
    if (err != CT_OK)
        goto out;
    if (n != 1) {
        *code = "HOLD_NOT_ACTIVE";
        err = CT_E_RULE;
        goto out;
    }
    err = ct_db_exec(db, sql_held, &n, "lll", amount, account_id, amount);
    if (err == CT_OK && n != 1) {
        ct_log(LOG_ERR, "ledger: account %lld holds less than its hold %lld", (long long)account_id,
               (long long)hold_id);
        err = CT_E_INTERNAL;
    }
out:
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_ledger_hold_release(struct ct_db *db, int64_t hold_id, const char **code)
{
    const char *dummy = NULL;

    if (code == NULL)
        code = &dummy;
    *code = NULL;
    return hold_close(db, hold_id, "released", code);
}

/* Reads and checks everything a capture needs before its first write, so a refusal leaves
 * nothing to undo. */
static enum ct_err
capture_load(struct ct_db *db, int64_t hold_id, int64_t amount, int64_t to_account,
             struct capture *cap, const char **code)
{
    static const char sql[] =
        "SELECT h.account_id, h.amount, h.status, a.currency, a.partner_id, t.currency, t.status "
        "FROM ledger_hold h JOIN ledger_account a ON a.id = h.account_id "
        "LEFT JOIN ledger_account t ON t.id = ? WHERE h.id = ?";
    struct ct_rows *r = NULL;
    const char *status, *cur, *to_cur, *to_status;
    enum ct_err err;

    err = ct_db_query(db, sql, &r, "ll", to_account, hold_id);
    if (err != CT_OK)
        return err;
    status = ct_rows_str(r, 0, 2);
    cur = ct_rows_str(r, 0, 3);
    to_cur = ct_rows_str(r, 0, 5);
    to_status = ct_rows_str(r, 0, 6);
    if (status == NULL || cur == NULL) {
        *code = "HOLD_NOT_FOUND";
        err = CT_E_NOTFOUND;
    } else if (!ct_rows_i64(r, 0, 0, &cap->account_id) || !ct_rows_i64(r, 0, 1, &cap->held) ||
               !ct_rows_i64(r, 0, 4, &cap->partner_id) || !currency_valid(cur)) {
        err = CT_E_INTERNAL;
    } else if (strcmp(status, "active") != 0) {
        *code = "HOLD_NOT_ACTIVE";
        err = CT_E_RULE;
    } else if (amount > cap->held) {
        *code = "CAPTURE_EXCEEDS_HOLD";
        err = CT_E_RULE;
    } else if (to_cur == NULL || to_status == NULL) {
        *code = "ACCOUNT_NOT_FOUND";
        err = CT_E_NOTFOUND;
    } else if (to_account == cap->account_id) {
        *code = "DUPLICATE_ACCOUNT";
        err = CT_E_RULE;
    } else if (strcmp(cur, to_cur) != 0) {
        *code = "CURRENCY_MISMATCH";
        err = CT_E_RULE;
    } else if (strcmp(to_status, "active") != 0) {
        *code = "ACCOUNT_CLOSED";
        err = CT_E_RULE;
    } else {
        memcpy(cap->currency, cur, sizeof(cap->currency));
    }
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_ledger_hold_capture(struct ct_db *db, int64_t hold_id, int64_t amount, int64_t to_account,
                       const char *kind, int64_t *entry_id, const char **code)
{
    static const char sql_close[] = "UPDATE ledger_hold SET status = 'captured', "
                                    "closed_at = NOW(6) WHERE id = ? AND status = 'active'";
    static const char sql_link[] = "UPDATE ledger_hold SET entry_id = ? WHERE id = ?";
    struct capture cap;
    struct ct_leg legs[2];
    struct hold_leg hl;
    struct ct_entry e;
    const char *dummy = NULL;
    int64_t id = 0;
    uint64_t n = 0;
    enum ct_err err;

    if (code == NULL)
        code = &dummy;
    *code = NULL;
    if (amount <= 0 || !text_ok(kind, 1, CT_LEDGER_KIND_MAX)) {
        *code = amount <= 0 ? "ZERO_AMOUNT" : "INVALID_ENTRY";
        return amount <= 0 ? CT_E_RULE : CT_E_BADREQ;
    }
    memset(&cap, 0, sizeof(cap));
    err = capture_load(db, hold_id, amount, to_account, &cap, code);
    if (err != CT_OK)
        return err;
    /* The hold row first (it stops a concurrent capture or release), then the accounts. */
    err = ct_db_exec(db, sql_close, &n, "l", hold_id);
    if (err != CT_OK)
        return err;
    if (n != 1) {
        *code = "HOLD_NOT_ACTIVE";
        return CT_E_RULE;
    }
    hl.account_id = cap.account_id;
    hl.release = cap.held; /* the whole hold: what is not captured is released */
    legs[0].account_id = cap.account_id;
    legs[0].amount = -amount;
    legs[1].account_id = to_account;
    legs[1].amount = amount;
    memset(&e, 0, sizeof(e));
    e.partner_id = cap.partner_id;
    e.kind = kind;
    e.currency = cap.currency;
    e.legs = legs;
    e.nlegs = 2;
    err = post_legs(db, &e, &hl, &id, code);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_link, NULL, "ll", id, hold_id);
    if (err == CT_OK && entry_id != NULL)
        *entry_id = id;
    return err;
}

/* One batch of expired holds: the hold rows in ascending id, then each account once, in
 * ascending id (holds before accounts, like capture and release, so they cannot deadlock). */
static enum ct_err
expire_batch(struct ct_db *db, int64_t now_usec, uint64_t *closed, size_t *seen)
{
    static const char sql_due[] =
        "SELECT id, account_id, amount FROM ledger_hold "
        "WHERE status = 'active' AND expires_at <= " CT_SQL_FROM_USEC " ORDER BY id LIMIT 500";
    static const char sql_close[] = "UPDATE ledger_hold SET status = 'expired', "
                                    "closed_at = NOW(6) WHERE id = ? AND status = 'active'";
    static const char sql_held[] = "UPDATE ledger_account SET held = held - ? "
                                   "WHERE id = ? AND held >= ?";
    struct ct_leg acc[CT_LEDGER_EXPIRE_BATCH]; /* account id and the sum of its closed holds */
    struct ct_rows *r = NULL;
    size_t i, nacc = 0;
    uint64_t n;
    enum ct_err err;

    err = ct_db_query(db, sql_due, &r, "l", now_usec);
    if (err != CT_OK)
        return err;
    *seen = ct_rows_count(r);
    for (i = 0; i < *seen && i < CT_LEDGER_EXPIRE_BATCH; i++) {
        int64_t id, account_id, amount;

        if (!ct_rows_i64(r, i, 0, &id) || !ct_rows_i64(r, i, 1, &account_id) ||
            !ct_rows_i64(r, i, 2, &amount)) {
            err = CT_E_INTERNAL;
            goto out;
        }
        n = 0;
        err = ct_db_exec(db, sql_close, &n, "l", id);
        if (err != CT_OK)
            goto out;
        if (n != 1)
            continue; /* captured or released meanwhile */
        acc[nacc].account_id = account_id;
        acc[nacc++].amount = amount;
        (*closed)++;
    }
    qsort(acc, nacc, sizeof(acc[0]), leg_cmp);
    for (i = 0; i < nacc; i++) {
        int64_t sum = acc[i].amount;

        while (i + 1 < nacc && acc[i + 1].account_id == acc[i].account_id)
            sum += acc[++i].amount; /* each hold fits, and their sum is the account's held */
        err = ct_db_exec(db, sql_held, &n, "lll", sum, acc[i].account_id, sum);
        if (err == CT_OK && n != 1)
            err = CT_E_INTERNAL;
        if (err != CT_OK)
            goto out;
    }
out:
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_ledger_hold_expire(struct ct_db *db, int64_t now_usec, uint64_t *count)
{
    uint64_t closed = 0;
    size_t seen = 0;
    enum ct_err err;

    do {
        err = expire_batch(db, now_usec, &closed, &seen);
        if (err != CT_OK)
            return err;
    } while (seen == CT_LEDGER_EXPIRE_BATCH);
    if (count != NULL)
        *count = closed;
    return CT_OK;
}

/* ---- invariants ---------------------------------------------------------------------------- */

/* Each query returns one row per violation; the labels name its columns in the report. Every
 * query is one statement, so it reads one consistent snapshot even while money moves. */
static const char chk_entry_sum[] =
    "SELECT e.id, COALESCE(SUM(p.amount), 0), COUNT(p.id) FROM ledger_entry e "
    "LEFT JOIN ledger_posting p ON p.entry_id = e.id GROUP BY e.id "
    "HAVING COALESCE(SUM(p.amount), 0) <> 0 OR COUNT(p.id) < 2";
static const char chk_entry_currency[] =
    "SELECT p.id, p.entry_id, e.currency, a.currency FROM ledger_posting p "
    "JOIN ledger_entry e ON e.id = p.entry_id JOIN ledger_account a ON a.id = p.account_id "
    "WHERE a.currency <> e.currency";
static const char chk_trial_balance[] =
    "SELECT currency, SUM(balance) FROM ledger_account GROUP BY currency HAVING SUM(balance) <> 0";
static const char chk_balance_sum[] =
    "SELECT a.id, a.balance, COALESCE(SUM(p.amount), 0) FROM ledger_account a "
    "LEFT JOIN ledger_posting p ON p.account_id = a.id GROUP BY a.id, a.balance "
    "HAVING a.balance <> COALESCE(SUM(p.amount), 0)";
static const char chk_held_sum[] =
    "SELECT a.id, a.held, COALESCE(SUM(h.amount), 0) FROM ledger_account a "
    "LEFT JOIN ledger_hold h ON h.account_id = a.id AND h.status = 'active' "
    "GROUP BY a.id, a.held HAVING a.held <> COALESCE(SUM(h.amount), 0)";
static const char chk_last_after[] =
    "SELECT a.id, a.balance, p.balance_after FROM ledger_account a JOIN ledger_posting p "
    "ON p.id = (SELECT p2.id FROM ledger_posting p2 WHERE p2.account_id = a.id "
    "ORDER BY p2.booked_at DESC, p2.id DESC LIMIT 1) WHERE p.balance_after <> a.balance";
static const char chk_running[] =
    "SELECT account_id, id, balance_after, prev + amount FROM (SELECT id, account_id, amount, "
    "balance_after, COALESCE(LAG(balance_after) OVER (PARTITION BY account_id "
    "ORDER BY booked_at, id), 0) AS prev FROM ledger_posting) x "
    "WHERE balance_after <> prev + amount";
/* Positions: the n-th posting of an account in (booked_at, id) order has account_seq n, and the
 * account's posting_count is its number of postings (operation lists count ranges with them). */
static const char chk_seq[] =
    "SELECT account_id, id, account_seq, pos FROM (SELECT id, account_id, account_seq, "
    "ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY booked_at, id) AS pos "
    "FROM ledger_posting) x WHERE account_seq <> pos";
static const char chk_count[] =
    "SELECT a.id, a.posting_count, COALESCE(p.n, 0) FROM ledger_account a LEFT JOIN "
    "(SELECT account_id, COUNT(*) AS n FROM ledger_posting GROUP BY account_id) p "
    "ON p.account_id = a.id WHERE a.posting_count <> COALESCE(p.n, 0)";
static const char chk_floor[] =
    "SELECT id, balance, held, overdraft FROM ledger_account "
    "WHERE held < 0 OR overdraft < 0 OR (unbounded = 0 AND balance - held + overdraft < 0)";

static const struct {
    const char *name;
    const char *sql;
    const char *cols[4];
} checks[] = {
    {"entry_not_balanced", chk_entry_sum, {"entry", "sum", "postings", NULL}},
    {"posting_currency", chk_entry_currency, {"posting", "entry", "entry_cur", "account_cur"}},
    {"currency_not_balanced", chk_trial_balance, {"currency", "sum_balances", NULL, NULL}},
    {"balance_not_postings", chk_balance_sum, {"account", "balance", "postings", NULL}},
    {"held_not_holds", chk_held_sum, {"account", "held", "active_holds", NULL}},
    {"balance_not_last_after", chk_last_after, {"account", "balance", "last_after", NULL}},
    {"running_balance_break", chk_running, {"account", "posting", "after", "expected"}},
    {"posting_seq_break", chk_seq, {"account", "posting", "seq", "position"}},
    {"posting_count", chk_count, {"account", "posting_count", "postings", NULL}},
    {"below_floor", chk_floor, {"account", "balance", "held", "overdraft"}},
};

static void
check_report(size_t k, const struct ct_rows *r, size_t row,
             void (*report)(const char *line, void *arg), void *arg)
{
    char line[512];
    size_t c, len;
    int n;

    n = snprintf(line, sizeof(line), "%s:", checks[k].name);
    len = n < 0 ? 0 : (size_t)n;
    for (c = 0; c < 4 && checks[k].cols[c] != NULL && len < sizeof(line); c++) {
        const char *v = ct_rows_str(r, row, c);

        n = snprintf(line + len, sizeof(line) - len, " %s=%s", checks[k].cols[c],
                     v != NULL ? v : "NULL");
        if (n < 0)
            break;
        len += (size_t)n; /* a truncated line is still a useful line */
    }
    report(line, arg);
}

long
ct_ledger_check(struct ct_db *db, void (*report)(const char *line, void *arg), void *arg,
                long max_lines)
{
    long found = 0;
    size_t k, row;

    for (k = 0; k < sizeof(checks) / sizeof(checks[0]); k++) {
        struct ct_rows *r = NULL;

        if (ct_db_query(db, checks[k].sql, &r, "") != CT_OK) {
            ct_log(LOG_ERR, "ledger: check %s could not run", checks[k].name);
            return -1;
        }
        for (row = 0; row < ct_rows_count(r); row++) {
            if (report != NULL && found < max_lines)
                check_report(k, r, row, report, arg);
            found++;
        }
        ct_rows_free(r);
    }
    return found;
}
