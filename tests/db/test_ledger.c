/* test_ledger_db.c - the ledger and the DB layer against a real MariaDB (COMPTOIR_DB_* env, the
 * migrations applied): postings, refusals, balance at T, holds, idempotency, concurrency. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define N_PROCS 32
#define N_ATTEMPTS 500
#define K_SUCCESS 100
#define DEBIT 700
#define N_TWINS 20

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    char run[32]; /* unique per run: descriptions and keys of this run */
};

/* One ledger_post inside its own unit of work. */
struct post_ctx {
    const struct ct_entry *e;
    int64_t entry_id;
    const char *code;
};

struct hold_ctx {
    int64_t account, amount, expires, hold_id, to, entry_id;
    int op; /* 0 hold, 1 release, 2 capture, 3 expire */
    uint64_t count;
    const char *code;
};

#define IDEM_SCOPE "test-transfer"

struct idem_ctx {
    const char *key;
    unsigned char hash[32];
    int64_t from, to, amount;
    const char *description;
    bool refuse; /* book an impossible debit: the ledger refuses the attempt */
    struct ct_idem_replay rep;
    int64_t entry_id;
    const char *code;
    char body[64];
};

static enum ct_err
post_fn(struct ct_db *db, void *arg)
{
    struct post_ctx *c = arg;

    c->code = NULL;
    return ct_ledger_post(db, c->e, &c->entry_id, &c->code);
}

static enum ct_err
post(struct ct_db *db, const char *cur, const char *desc, const struct ct_leg *legs, size_t n,
     int64_t *entry_id, const char **code)
{
    struct ct_entry e = {0, "test", desc, cur, legs, n, NULL};
    struct post_ctx c = {&e, 0, NULL};
    enum ct_err err = ct_db_txn(db, post_fn, &c);

    if (entry_id != NULL)
        *entry_id = c.entry_id;
    if (code != NULL)
        *code = c.code;
    return err;
}

static enum ct_err
move(struct ct_db *db, int64_t from, int64_t to, int64_t amount, int64_t *entry_id,
     const char **code)
{
    struct ct_leg legs[2] = {{from, -amount}, {to, amount}};

    return post(db, "EUR", "move", legs, 2, entry_id, code);
}

static struct ct_account
account(struct ct_db *db, int64_t id)
{
    struct ct_account a;

    assert_int_equal(ct_ledger_account_get(db, id, &a), CT_OK);
    return a;
}

static int64_t
db_now_usec(struct ct_db *db)
{
    static const char sql[] =
        "SELECT TIMESTAMPDIFF(MICROSECOND, TIMESTAMP'1970-01-01 00:00:00', NOW(6)) + ? ";
    return fixture_i64(db, sql, 0);
}

/* ---- the DB layer itself ------------------------------------------------------------------- */

static void
test_db_session_and_values(void **state)
{
    static const char sql_sess[] = "SELECT @@session.time_zone, @@session.tx_isolation, "
                                   "@@autocommit, @@character_set_connection, ? IS NULL";
    static const char sql_long[] = "SELECT REPEAT('x', ?), NULL, ?, ?, CAST(? AS CHAR)";
    static const char sql_bin[] = "SELECT HEX(?), LENGTH(?)";
    struct fx *f = *state;
    struct ct_rows *r = NULL;
    const char *s;
    int64_t v = 0;

    assert_int_equal(ct_db_query(f->db, sql_sess, &r, "s", (const char *)NULL), CT_OK);
    assert_string_equal(ct_rows_str(r, 0, 0), "+00:00");
    assert_string_equal(ct_rows_str(r, 0, 1), "READ-COMMITTED");
    assert_string_equal(ct_rows_str(r, 0, 2), "1");
    assert_string_equal(ct_rows_str(r, 0, 3), "utf8mb4");
    assert_string_equal(ct_rows_str(r, 0, 4), "1");
    ct_rows_free(r);
    /* a value far longer than any first bind, NULL, int64 extremes, an int, UTF-8 text */
    assert_int_equal(ct_db_query(f->db, sql_long, &r, "llis", (int64_t)200000, INT64_MIN, 42,
                                 "gr\xc3\xbc\xc3\x9f"),
                     CT_OK);
    assert_int_equal(ct_rows_count(r), 1);
    assert_int_equal(ct_rows_cols(r), 5);
    s = ct_rows_str(r, 0, 0);
    assert_non_null(s);
    assert_int_equal(strlen(s), 200000);
    assert_true(s[0] == 'x' && s[199999] == 'x');
    assert_null(ct_rows_str(r, 0, 1));
    assert_false(ct_rows_i64(r, 0, 1, &v));
    assert_true(ct_rows_i64(r, 0, 2, &v));
    assert_true(v == INT64_MIN);
    assert_string_equal(ct_rows_str(r, 0, 3), "42");
    assert_string_equal(ct_rows_str(r, 0, 4), "gr\xc3\xbc\xc3\x9f");
    assert_null(ct_rows_str(r, 1, 0));
    assert_null(ct_rows_str(r, 0, 5));
    ct_rows_free(r);
    assert_int_equal(
        ct_db_query(f->db, sql_bin, &r, "SS", "\x00\xff\x80", (size_t)3, "\x00\xff\x80", (size_t)3),
        CT_OK);
    assert_string_equal(ct_rows_str(r, 0, 0), "00FF80");
    assert_string_equal(ct_rows_str(r, 0, 1), "3");
    ct_rows_free(r);
}

static enum ct_err
dup_fn(struct ct_db *db, void *arg)
{
    static const char sql[] = "INSERT INTO idempotency_key (scope, idem_key, request_hash) "
                              "VALUES ('test-dup', ?, REPEAT('a', 32))";
    const char *key = arg;
    enum ct_err err;

    err = ct_db_exec(db, sql, NULL, "s", key);
    if (err != CT_OK)
        return err;
    err = ct_db_exec(db, sql, NULL, "s", key);
    assert_int_equal(err, CT_E_CONFLICT);
    assert_int_equal(ct_db_errno(db), 1062);
    return CT_E_RULE; /* roll back */
}

static void
test_db_duplicate_and_rollback(void **state)
{
    static const char sql[] = "SELECT COUNT(*) + ? FROM idempotency_key WHERE scope = 'test-dup'";
    struct fx *f = *state;
    char key[64];

    (void)snprintf(key, sizeof(key), "dup-%s", f->run);
    assert_int_equal(ct_db_txn(f->db, dup_fn, key), CT_E_RULE);
    assert_int_equal(fixture_i64(f->db, sql, 0), 0);
}

/* A read outside a unit of work leaves no transaction open behind it: an idle worker would
 * otherwise hold metadata locks that stall every migration's DDL (and everything queued after). */
static void
test_db_read_leaves_no_transaction(void **state)
{
    static const char sql_read[] = "SELECT COUNT(*) + ? FROM ledger_entry";
    static const char sql_open[] = "SELECT @@in_transaction + ?";
    struct fx *f = *state;

    assert_true(fixture_i64(f->db, sql_read, 0) >= 0);
    assert_int_equal(fixture_i64(f->db, sql_open, 0), 0);
}

/* ---- the unit's first write travels with START, its last with COMMIT, as text -------------- */

struct batch_ctx {
    const char *scope, *key1, *key2, *text;
    unsigned char bytes[32];
    bool dup_last; /* the last statement reuses key1: it fails, and the unit with it */
};

static enum ct_err
batch_fn(struct ct_db *db, void *arg)
{
    static const char sql[] = "INSERT INTO idempotency_key (scope, idem_key, request_hash, "
                              "status_code, response) VALUES (?, ?, ?, ?, ?)";
    struct batch_ctx *c = arg;
    enum ct_err err;

    /* first statement of the unit: sent behind START TRANSACTION */
    err = ct_db_exec(db, sql, NULL, "ssSis", c->scope, c->key1, (const char *)c->bytes,
                     sizeof(c->bytes), 201, c->text);
    if (err != CT_OK)
        return err;
    return ct_db_exec_last(db, sql, "ssSis", c->scope, c->dup_last ? c->key1 : c->key2,
                           (const char *)c->bytes, sizeof(c->bytes), 202, c->text);
}

static enum ct_err
two_lasts_fn(struct ct_db *db, void *arg)
{
    static const char sql[] = "DO ?";
    enum ct_err err;

    (void)arg;
    err = ct_db_exec_last(db, sql, "l", (int64_t)1);
    return err != CT_OK ? err : ct_db_exec_last(db, sql, "l", (int64_t)2);
}

static void
test_db_batches(void **state)
{
    static const char sql_get[] = "SELECT response, HEX(request_hash), status_code FROM "
                                  "idempotency_key WHERE scope = ? AND idem_key = ?";
    static const char sql_open[] = "SELECT @@in_transaction + ?";
    static const char sql_n[] = "SELECT COUNT(*) + ? FROM idempotency_key WHERE scope = 'batch'";
    struct fx *f = *state;
    struct batch_ctx c;
    char k1[64], k2[64], hex[65];
    struct ct_rows *r = NULL;
    int64_t before;
    size_t i;

    memset(&c, 0, sizeof(c));
    (void)snprintf(k1, sizeof(k1), "b1-%s", f->run);
    (void)snprintf(k2, sizeof(k2), "b2-%s", f->run);
    c.scope = "batch";
    c.key1 = k1;
    c.key2 = k2;
    /* what a literal must survive: quotes, backslashes, '?', statement separators, comments,
     * UTF-8; and bytes with NUL, quote, backslash and high bits */
    c.text = "it's \\ \"q\" ? ; COMMIT; -- /* \xc3\xbc \xf0\x9f\x98\x80 '); DROP TABLE x; --";
    for (i = 0; i < sizeof(c.bytes); i++)
        c.bytes[i] = (unsigned char)(i * 37 + (i == 3 ? 0 : 0x27));
    c.bytes[0] = 0;
    c.bytes[1] = '\'';
    c.bytes[2] = '\\';
    c.bytes[4] = 0xff;
    for (i = 0; i < sizeof(c.bytes); i++)
        (void)snprintf(hex + 2 * i, 3, "%02X", c.bytes[i]);
    before = fixture_i64(f->db, sql_n, 0);
    /* the last statement fails (duplicate): the first is rolled back with it */
    c.dup_last = true;
    assert_int_equal(ct_db_txn(f->db, batch_fn, &c), CT_E_CONFLICT);
    assert_int_equal(fixture_i64(f->db, sql_n, 0), before);
    assert_int_equal(fixture_i64(f->db, sql_open, 0), 0);
    c.dup_last = false;
    assert_int_equal(ct_db_txn(f->db, batch_fn, &c), CT_OK);
    assert_int_equal(fixture_i64(f->db, sql_n, 0), before + 2);
    assert_int_equal(fixture_i64(f->db, sql_open, 0), 0);
    for (i = 0; i < 2; i++) {
        assert_int_equal(ct_db_query(f->db, sql_get, &r, "ss", c.scope, i == 0 ? k1 : k2), CT_OK);
        assert_int_equal(ct_rows_count(r), 1);
        assert_string_equal(ct_rows_str(r, 0, 0), c.text);
        assert_string_equal(ct_rows_str(r, 0, 1), hex);
        assert_string_equal(ct_rows_str(r, 0, 2), i == 0 ? "201" : "202");
        ct_rows_free(r);
        r = NULL;
    }
    /* outside a unit there is no last statement, and a unit has one at most */
    assert_int_equal(ct_db_exec_last(f->db, sql_open, "l", (int64_t)0), CT_E_INTERNAL);
    assert_int_equal(ct_db_txn(f->db, two_lasts_fn, NULL), CT_E_INTERNAL);
    assert_int_equal(fixture_i64(f->db, sql_open, 0), 0);
}

/* ---- several statements in one round trip (ct_db_batch_add, ct_db_batch_query) ----------- */

struct multi_ctx {
    const char *k1, *k2, *text;
    bool dup; /* the second insert reuses k1: it fails, the SELECT after it never runs */
    char got[256];
    size_t rows;
    bool null_cell;
};

static enum ct_err
multi_fn(struct ct_db *db, void *arg)
{
    static const char sql_ins[] = "INSERT INTO idempotency_key (scope, idem_key, request_hash, "
                                  "status_code, response) VALUES ('multi', ?, X'00', 200, ?)";
    static const char sql_sel[] = "SELECT response, NULL FROM idempotency_key "
                                  "WHERE scope = 'multi' AND idem_key IN (?, ?) ORDER BY idem_key";
    struct multi_ctx *c = arg;
    struct ct_rows *r = NULL;
    enum ct_err err;

    err = ct_db_batch_add(db, sql_ins, "ss", c->k1, c->text);
    if (err == CT_OK)
        err = ct_db_batch_add(db, sql_ins, "ss", c->dup ? c->k1 : c->k2, c->text);
    if (err == CT_OK)
        err = ct_db_batch_add(db, sql_sel, "ss", c->k1, c->k2);
    if (err == CT_OK)
        err = ct_db_batch_query(db, &r);
    if (err != CT_OK)
        return err;
    c->rows = ct_rows_count(r);
    (void)snprintf(c->got, sizeof(c->got), "%s", ct_rows_str(r, 0, 0) ? ct_rows_str(r, 0, 0) : "");
    c->null_cell = ct_rows_str(r, 0, 1) == NULL;
    ct_rows_free(r);
    return CT_OK;
}

static void
test_db_multi(void **state)
{
    static const char sql_n[] = "SELECT COUNT(*) + ? FROM idempotency_key WHERE scope = 'multi'";
    static const char sql_open[] = "SELECT @@in_transaction + ?";
    struct fx *f = *state;
    struct multi_ctx c;
    struct ct_rows *r = NULL;
    char k1[64], k2[64];
    int64_t before;

    memset(&c, 0, sizeof(c));
    (void)snprintf(k1, sizeof(k1), "m1-%s", f->run);
    (void)snprintf(k2, sizeof(k2), "m2-%s", f->run);
    c.k1 = k1;
    c.k2 = k2;
    c.text = "it's \\ ? ; COMMIT; -- \xc3\xbc";
    before = fixture_i64(f->db, sql_n, 0);
    /* a statement in the middle fails: its error is the unit's, and nothing of the unit stays */
    c.dup = true;
    assert_int_equal(ct_db_txn(f->db, multi_fn, &c), CT_E_CONFLICT);
    assert_int_equal(fixture_i64(f->db, sql_n, 0), before);
    assert_int_equal(fixture_i64(f->db, sql_open, 0), 0);
    /* all run: the rows are the last statement's, literals intact, NULL a NULL cell */
    c.dup = false;
    assert_int_equal(ct_db_txn(f->db, multi_fn, &c), CT_OK);
    assert_int_equal(c.rows, 2);
    assert_string_equal(c.got, c.text);
    assert_true(c.null_cell);
    assert_int_equal(fixture_i64(f->db, sql_n, 0), before + 2);
    /* outside a unit there is no batch */
    assert_int_equal(ct_db_batch_add(f->db, sql_open, "l", (int64_t)0), CT_E_INTERNAL);
    assert_int_equal(ct_db_batch_query(f->db, &r), CT_E_INTERNAL);
    assert_null(r);
}

struct kill_ctx {
    struct ct_db *killer;
    int runs;
};

/* First run: the connection is killed under the open unit; the unit must run again on a new
 * connection with statements prepared again. */
static enum ct_err
killed_fn(struct ct_db *db, void *arg)
{
    static const char sql_id[] = "SELECT CONNECTION_ID() + ?";
    static const char sql_kill[] = "KILL CONNECTION ?";
    struct kill_ctx *c = arg;
    struct ct_rows *r = NULL;
    int64_t id = 0;
    enum ct_err err;

    c->runs++;
    err = ct_db_query(db, sql_id, &r, "l", (int64_t)0);
    if (err != CT_OK)
        return err;
    assert_true(ct_rows_i64(r, 0, 0, &id));
    ct_rows_free(r);
    r = NULL;
    if (c->runs == 1)
        assert_int_equal(ct_db_exec(c->killer, sql_kill, NULL, "l", id), CT_OK);
    err = ct_db_query(db, sql_id, &r, "l", (int64_t)0);
    ct_rows_free(r);
    return err;
}

static void
test_db_reconnect(void **state)
{
    static const char sql_tz[] = "SELECT @@session.time_zone, ? + 1";
    static const char sql_id[] = "SELECT CONNECTION_ID() + ?";
    static const char sql_kill[] = "KILL CONNECTION ?";
    static const char sql_fresh[] = "SELECT CONNECTION_ID() - ?";
    struct fx *f = *state;
    struct kill_ctx c = {NULL, 0};
    struct ct_rows *r = NULL;
    int64_t id = 0, id2 = 0;

    assert_int_equal(ct_db_open(&f->conf, &c.killer), CT_OK);
    assert_int_equal(ct_db_txn(f->db, killed_fn, &c), CT_OK);
    assert_int_equal(c.runs, 2);
    /* the new session has the same settings */
    assert_int_equal(ct_db_query(f->db, sql_tz, &r, "l", (int64_t)1), CT_OK);
    assert_string_equal(ct_rows_str(r, 0, 0), "+00:00");
    assert_string_equal(ct_rows_str(r, 0, 1), "2");
    ct_rows_free(r);
    r = NULL;
    /* killed while idle: the next read outside a unit reconnects and answers, no error */
    assert_int_equal(ct_db_query(f->db, sql_id, &r, "l", (int64_t)0), CT_OK);
    assert_true(ct_rows_i64(r, 0, 0, &id));
    ct_rows_free(r);
    r = NULL;
    assert_int_equal(ct_db_exec(c.killer, sql_kill, NULL, "l", id), CT_OK);
    assert_int_equal(ct_db_query(f->db, sql_id, &r, "l", (int64_t)0), CT_OK);
    assert_true(ct_rows_i64(r, 0, 0, &id2));
    assert_true(id2 != id);
    ct_rows_free(r);
    r = NULL;
    /* the same with a statement this connection never prepared: the prepare meets the loss */
    assert_int_equal(ct_db_exec(c.killer, sql_kill, NULL, "l", id2), CT_OK);
    assert_int_equal(ct_db_query(f->db, sql_fresh, &r, "l", (int64_t)0), CT_OK);
    assert_true(ct_rows_i64(r, 0, 0, &id));
    assert_true(id != id2);
    ct_rows_free(r);
    ct_db_close(c.killer);
}

/* ---- entries ------------------------------------------------------------------------------- */

/* ct_ledger_post asking for the running balances (e.after). */
static enum ct_err
post_after(struct ct_db *db, const char *cur, const struct ct_leg *legs, size_t n, int64_t *after,
           int64_t *entry_id)
{
    struct ct_entry e = {0, "test", NULL, cur, legs, n, after};
    struct post_ctx c = {&e, 0, NULL};
    enum ct_err err = ct_db_txn(db, post_fn, &c);

    *entry_id = c.entry_id;
    return err;
}

static void
test_post_and_balance_after(void **state)
{
    static const char sql[] = "SELECT account_id, amount, balance_after FROM ledger_posting "
                              "WHERE entry_id = ? ORDER BY account_id";
    static const char sql_entry[] = "SELECT currency, kind, description FROM ledger_entry "
                                    "WHERE id = ?";
    struct fx *f = *state;
    int64_t bank = fixture_account(f->db, "EUR", true);
    int64_t u1 = fixture_account(f->db, "EUR", false);
    int64_t u2 = fixture_account(f->db, "EUR", false);
    struct ct_leg three[3] = {{u1, -3000}, {u2, 2000}, {bank, 1000}};
    struct ct_rows *r = NULL;
    const char *code = "x";
    int64_t entry = 0, v = 0, after[3] = {0, 0, 0};
    struct ct_account a;

    assert_int_equal(move(f->db, bank, u1, 10000, &entry, &code), CT_OK);
    assert_null(code);
    assert_true(entry > 0);
    assert_int_equal(ct_db_query(f->db, sql, &r, "l", entry), CT_OK);
    assert_int_equal(ct_rows_count(r), 2);
    assert_true(ct_rows_i64(r, 0, 0, &v) && v == bank);
    assert_true(ct_rows_i64(r, 0, 1, &v) && v == -10000);
    assert_true(ct_rows_i64(r, 0, 2, &v) && v == -10000);
    assert_true(ct_rows_i64(r, 1, 0, &v) && v == u1);
    assert_true(ct_rows_i64(r, 1, 2, &v) && v == 10000);
    ct_rows_free(r);
    assert_int_equal(ct_db_query(f->db, sql_entry, &r, "l", entry), CT_OK);
    assert_string_equal(ct_rows_str(r, 0, 0), "EUR");
    assert_string_equal(ct_rows_str(r, 0, 1), "test");
    assert_string_equal(ct_rows_str(r, 0, 2), "move");
    ct_rows_free(r);

    assert_int_equal(post_after(f->db, "EUR", three, 3, after, &entry), CT_OK);
    /* the running balances come back in the order of the legs, as stored */
    assert_int_equal(after[0], 7000);
    assert_int_equal(after[1], 2000);
    assert_int_equal(after[2], -9000);
    assert_int_equal(ct_db_query(f->db, sql, &r, "l", entry), CT_OK);
    assert_int_equal(ct_rows_count(r), 3);
    assert_true(ct_rows_i64(r, 0, 2, &v) && v == -9000);
    assert_true(ct_rows_i64(r, 1, 2, &v) && v == 7000);
    assert_true(ct_rows_i64(r, 2, 2, &v) && v == 2000);
    assert_null(ct_rows_str(r, 0, 3));
    ct_rows_free(r);

    a = account(f->db, u1);
    assert_int_equal(a.balance, 7000);
    assert_int_equal(a.available, 7000);
    assert_int_equal(a.held, 0);
    assert_int_equal(a.kind, CT_ACCT_USER_BALANCE);
    assert_string_equal(a.currency, "EUR");
    assert_false(a.unbounded);
    a = account(f->db, bank);
    assert_true(a.unbounded);
    assert_int_equal(a.balance, -9000);
    assert_int_equal(ct_ledger_account_get(f->db, INT64_MAX, &a), CT_E_NOTFOUND);
    assert_string_equal(ct_account_kind_name(CT_ACCT_PARTNER_DEPOSIT), "partner_deposit");
    assert_null(ct_account_kind_name((enum ct_account_kind)0));
    assert_int_equal(fixture_violations(f->db), 0);
}

struct undo_ctx {
    const struct ct_entry *e;
    const char *code;
};

/* A refused post whose caller goes on and commits: the legs already applied must be undone. */
static enum ct_err
ignore_refusal_fn(struct ct_db *db, void *arg)
{
    struct undo_ctx *c = arg;
    int64_t id = 0;

    assert_int_equal(ct_ledger_post(db, c->e, &id, &c->code), CT_E_RULE);
    return CT_OK;
}

static void
test_refused_entries(void **state)
{
    struct fx *f = *state;
    int64_t bank = fixture_account(f->db, "EUR", true);
    int64_t rich = fixture_account(f->db, "EUR", false);
    int64_t usd = fixture_account(f->db, "USD", false);
    int64_t poor = fixture_account(f->db, "EUR", false);
    struct ct_leg unbalanced[2] = {{bank, -100}, {rich, 99}};
    struct ct_leg zero[3] = {{bank, -100}, {rich, 100}, {poor, 0}};
    struct ct_leg mixed[2] = {{rich, -100}, {usd, 100}};
    struct ct_leg dup[3] = {{bank, -100}, {rich, 50}, {rich, 50}};
    struct ct_leg overflow[3] = {{bank, INT64_MAX}, {rich, INT64_MAX}, {poor, 2}};
    struct ct_leg many[33];
    struct ct_leg overdraw[2] = {{rich, 500}, {poor, -500}}; /* rich first in lock order */
    int64_t closed = fixture_account(f->db, "EUR", false);
    struct ct_leg to_closed[2] = {{rich, -300}, {closed, 300}};   /* the debit goes through */
    struct ct_leg from_closed[2] = {{closed, -300}, {rich, 300}}; /* the credit goes through */
    static const char sql_close[] = "UPDATE ledger_account SET status = 'closed' WHERE id = ?";
    struct ct_entry e = {0, "test", NULL, "EUR", overdraw, 2, NULL};
    struct undo_ctx uc = {&e, NULL};
    const char *code = NULL;
    size_t i;

    assert_int_equal(move(f->db, bank, rich, 100000, NULL, NULL), CT_OK);
    assert_int_equal(post(f->db, "EUR", NULL, unbalanced, 2, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "UNBALANCED_ENTRY");
    assert_int_equal(post(f->db, "EUR", NULL, zero, 3, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "ZERO_AMOUNT");
    assert_int_equal(post(f->db, "EUR", NULL, zero, 1, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "UNBALANCED_ENTRY");
    for (i = 0; i < 33; i++) { /* one leg more than an entry may have */
        many[i].account_id = i == 0 ? bank : rich;
        many[i].amount = i == 0 ? -32 : 1;
    }
    assert_int_equal(post(f->db, "EUR", NULL, many, 33, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "UNBALANCED_ENTRY");
    assert_int_equal(post(f->db, "EUR", NULL, mixed, 2, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "CURRENCY_MISMATCH");
    assert_int_equal(post(f->db, "USD", NULL, mixed, 2, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "CURRENCY_MISMATCH");
    assert_int_equal(post(f->db, "eur", NULL, unbalanced, 2, NULL, &code), CT_E_RULE);
    assert_int_equal(post(f->db, "EUR", NULL, dup, 3, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "DUPLICATE_ACCOUNT");
    assert_int_equal(post(f->db, "EUR", NULL, overflow, 3, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "AMOUNT_OVERFLOW");
    assert_int_equal(move(f->db, poor, rich, 1, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "INSUFFICIENT_FUNDS");
    assert_int_equal(move(f->db, rich, INT64_MAX, 1, NULL, &code), CT_E_NOTFOUND);
    assert_string_equal(code, "ACCOUNT_NOT_FOUND");
    /* the debit is refused after rich was credited; the caller commits anyway */
    assert_int_equal(ct_db_txn(f->db, ignore_refusal_fn, &uc), CT_OK);
    assert_string_equal(uc.code, "INSUFFICIENT_FUNDS");
    assert_int_equal(account(f->db, rich).balance, 100000);
    assert_int_equal(account(f->db, poor).balance, 0);
    assert_int_equal(account(f->db, usd).balance, 0);
    /* a currency refused on the credit side after the debit went through, committed anyway */
    e.legs = mixed;
    assert_int_equal(ct_db_txn(f->db, ignore_refusal_fn, &uc), CT_OK);
    assert_string_equal(uc.code, "CURRENCY_MISMATCH");
    assert_int_equal(account(f->db, rich).balance, 100000);
    /* a closed account on either side; the leg that went through is put back */
    assert_int_equal(move(f->db, bank, closed, 700, NULL, NULL), CT_OK);
    assert_int_equal(ct_db_exec(f->db, sql_close, NULL, "l", closed), CT_OK);
    e.legs = to_closed;
    assert_int_equal(ct_db_txn(f->db, ignore_refusal_fn, &uc), CT_OK);
    assert_string_equal(uc.code, "ACCOUNT_CLOSED");
    e.legs = from_closed;
    assert_int_equal(ct_db_txn(f->db, ignore_refusal_fn, &uc), CT_OK);
    assert_string_equal(uc.code, "ACCOUNT_CLOSED");
    assert_int_equal(account(f->db, rich).balance, 100000);
    assert_int_equal(account(f->db, closed).balance, 700);
    assert_int_equal(fixture_violations(f->db), 0);
}

static void
test_balance_at(void **state)
{
    static const char sql[] = "SELECT TIMESTAMPDIFF(MICROSECOND, TIMESTAMP'1970-01-01 00:00:00', "
                              "booked_at) FROM ledger_posting WHERE entry_id = ? "
                              "ORDER BY account_id DESC LIMIT 1";
    struct fx *f = *state;
    int64_t bank = fixture_account(f->db, "EUR", true);
    int64_t x = fixture_account(f->db, "EUR", false);
    int64_t e[3], t[3], b = -1;
    struct timespec ms2 = {0, 2000000};
    int i;

    /* x > bank, so "ORDER BY account_id DESC LIMIT 1" is x's posting */
    assert_true(x > bank);
    assert_int_equal(move(f->db, bank, x, 10001, &e[0], NULL), CT_OK);
    (void)nanosleep(&ms2, NULL);
    assert_int_equal(move(f->db, bank, x, 2500, &e[1], NULL), CT_OK);
    (void)nanosleep(&ms2, NULL);
    assert_int_equal(move(f->db, x, bank, 1, &e[2], NULL), CT_OK);
    for (i = 0; i < 3; i++)
        t[i] = fixture_i64(f->db, sql, e[i]);
    assert_true(t[0] < t[1] && t[1] < t[2]);

    assert_int_equal(ct_ledger_balance_at(f->db, x, t[0] - 1, &b), CT_OK);
    assert_int_equal(b, 0);
    assert_int_equal(ct_ledger_balance_at(f->db, x, t[0], &b), CT_OK);
    assert_int_equal(b, 10001);
    assert_int_equal(ct_ledger_balance_at(f->db, x, (t[0] + t[1]) / 2, &b), CT_OK);
    assert_int_equal(b, 10001);
    assert_int_equal(ct_ledger_balance_at(f->db, x, t[1] - 1, &b), CT_OK);
    assert_int_equal(b, 10001);
    assert_int_equal(ct_ledger_balance_at(f->db, x, t[1], &b), CT_OK);
    assert_int_equal(b, 12501);
    assert_int_equal(ct_ledger_balance_at(f->db, x, t[2] - 1, &b), CT_OK);
    assert_int_equal(b, 12501);
    assert_int_equal(ct_ledger_balance_at(f->db, x, t[2], &b), CT_OK);
    assert_int_equal(b, 12500);
    assert_int_equal(ct_ledger_balance_at(f->db, x, t[2] + INT64_C(86400000000), &b), CT_OK);
    assert_int_equal(b, 12500);
    assert_int_equal(ct_ledger_balance_at(f->db, INT64_MAX, t[2], &b), CT_E_NOTFOUND);
}

/* ---- holds --------------------------------------------------------------------------------- */

static enum ct_err
hold_fn(struct ct_db *db, void *arg)
{
    struct hold_ctx *c = arg;

    c->code = NULL;
    switch (c->op) {
    case 0:
        return ct_ledger_hold(db, c->account, c->amount, c->expires, "card-auth", &c->hold_id,
                              &c->code);
    case 1:
        return ct_ledger_hold_release(db, c->hold_id, &c->code);
    case 2:
        return ct_ledger_hold_capture(db, c->hold_id, c->amount, c->to, "card", &c->entry_id,
                                      &c->code);
    default:
        return ct_ledger_hold_expire(db, c->expires, &c->count);
    }
}

static enum ct_err
hold_op(struct ct_db *db, struct hold_ctx *c, int op)
{
    c->op = op;
    return ct_db_txn(db, hold_fn, c);
}

static void
test_holds(void **state)
{
    static const char sql_status[] = "SELECT status = 'captured' AND entry_id IS NOT NULL "
                                     "FROM ledger_hold WHERE id = ?";
    static const char sql_expired[] = "SELECT status = 'expired' FROM ledger_hold WHERE id = ?";
    struct fx *f = *state;
    int64_t bank = fixture_account(f->db, "EUR", true);
    int64_t card = fixture_account(f->db, "EUR", false);
    int64_t shop = fixture_account(f->db, "EUR", false);
    int64_t usd = fixture_account(f->db, "USD", false);
    int64_t now = db_now_usec(f->db);
    int64_t hour = INT64_C(3600000000);
    struct hold_ctx h = {card, 6000, now + hour, 0, shop, 0, 0, 0, NULL};
    struct hold_ctx h2;
    struct ct_account a;
    const char *code = NULL;

    assert_int_equal(move(f->db, bank, card, 10000, NULL, NULL), CT_OK);
    assert_int_equal(hold_op(f->db, &h, 0), CT_OK);
    assert_true(h.hold_id > 0);
    a = account(f->db, card);
    assert_int_equal(a.balance, 10000);
    assert_int_equal(a.held, 6000);
    assert_int_equal(a.available, 4000);
    /* the hold counts against debits and other holds */
    assert_int_equal(move(f->db, card, shop, 4001, NULL, &code), CT_E_RULE);
    assert_string_equal(code, "INSUFFICIENT_FUNDS");
    h2 = h;
    h2.amount = 4001;
    assert_int_equal(hold_op(f->db, &h2, 0), CT_E_RULE);
    assert_string_equal(h2.code, "INSUFFICIENT_FUNDS");
    assert_int_equal(move(f->db, card, shop, 4000, NULL, &code), CT_OK);
    assert_int_equal(move(f->db, shop, card, 4000, NULL, &code), CT_OK);

    /* capture refusals, then a partial capture: the rest is released */
    h.amount = 6001;
    assert_int_equal(hold_op(f->db, &h, 2), CT_E_RULE);
    assert_string_equal(h.code, "CAPTURE_EXCEEDS_HOLD");
    h.amount = 2500;
    h.to = usd;
    assert_int_equal(hold_op(f->db, &h, 2), CT_E_RULE);
    assert_string_equal(h.code, "CURRENCY_MISMATCH");
    h.to = shop;
    assert_int_equal(hold_op(f->db, &h, 2), CT_OK);
    assert_true(h.entry_id > 0);
    a = account(f->db, card);
    assert_int_equal(a.balance, 7500);
    assert_int_equal(a.held, 0);
    assert_int_equal(a.available, 7500);
    assert_int_equal(account(f->db, shop).balance, 2500);
    assert_int_equal(fixture_i64(f->db, sql_status, h.hold_id), 1);
    assert_int_equal(hold_op(f->db, &h, 2), CT_E_RULE);
    assert_string_equal(h.code, "HOLD_NOT_ACTIVE");
    assert_int_equal(hold_op(f->db, &h, 1), CT_E_RULE);
    assert_string_equal(h.code, "HOLD_NOT_ACTIVE");

    /* release */
    h.amount = 1000;
    assert_int_equal(hold_op(f->db, &h, 0), CT_OK);
    assert_int_equal(account(f->db, card).available, 6500);
    assert_int_equal(hold_op(f->db, &h, 1), CT_OK);
    assert_int_equal(account(f->db, card).available, 7500);
    assert_int_equal(hold_op(f->db, &h, 1), CT_E_RULE);
    assert_string_equal(h.code, "HOLD_NOT_ACTIVE");
    h.hold_id = INT64_MAX;
    assert_int_equal(hold_op(f->db, &h, 1), CT_E_NOTFOUND);
    assert_string_equal(h.code, "HOLD_NOT_FOUND");

    /* expiry: two holds already past their expiry on one account, one not yet */
    h.amount = 700;
    h.expires = now - 1000;
    assert_int_equal(hold_op(f->db, &h, 0), CT_OK);
    h2 = h;
    h2.amount = 300;
    assert_int_equal(hold_op(f->db, &h2, 0), CT_OK);
    h.amount = 1;
    h.expires = now + hour;
    assert_int_equal(hold_op(f->db, &h, 0), CT_OK);
    assert_int_equal(account(f->db, card).held, 1001);
    h2.expires = db_now_usec(f->db);
    assert_int_equal(hold_op(f->db, &h2, 3), CT_OK);
    assert_true(h2.count >= 2);
    assert_int_equal(fixture_i64(f->db, sql_expired, h2.hold_id), 1);
    assert_int_equal(fixture_i64(f->db, sql_expired, h.hold_id), 0);
    a = account(f->db, card);
    assert_int_equal(a.held, 1);
    assert_int_equal(a.available, 7499);
    assert_int_equal(hold_op(f->db, &h, 1), CT_OK);
    assert_int_equal(fixture_violations(f->db), 0);
}

/* ---- idempotency --------------------------------------------------------------------------- */

static enum ct_err
idem_fn(struct ct_db *db, void *arg)
{
    struct idem_ctx *c = arg;
    struct ct_leg legs[2] = {{c->from, -c->amount}, {c->to, c->amount}};
    struct ct_entry e = {0, "test", c->description, "EUR", legs, 2, NULL};
    enum ct_err err;

    c->entry_id = 0;
    if (c->refuse) {
        /* more than the user account holds */
        legs[0].account_id = c->to;
        legs[0].amount = -INT64_MAX / 2;
        legs[1].account_id = c->from;
        legs[1].amount = INT64_MAX / 2;
    }
    err = ct_ledger_post(db, &e, &c->entry_id, &c->code);
    if (err != CT_OK)
        return err;
    (void)snprintf(c->body, sizeof(c->body), "{\"entry\":%" PRId64 "}", c->entry_id);
    return ct_idem_record(db, IDEM_SCOPE, c->key, c->hash, 201, c->body);
}

/* What ct_req_idempotent does around the unit: after a refusal, the recorded answer (if any)
 * wins. CT_OK with c->rep.found when it replays. */
static enum ct_err
idem_run(struct ct_db *db, struct idem_ctx *c)
{
    enum ct_err err, found;

    free(c->rep.body);
    memset(&c->rep, 0, sizeof(c->rep));
    c->code = NULL;
    err = ct_db_txn(db, idem_fn, c);
    if (err == CT_OK || err == CT_E_INTERNAL || err == CT_E_BUSY)
        return err;
    found = ct_idem_find(db, IDEM_SCOPE, c->key, c->hash, &c->rep, &c->code);
    if (found != CT_OK)
        return found;
    return c->rep.found ? CT_OK : err;
}

static int64_t
entries_with(struct ct_db *db, const char *description)
{
    static const char sql[] = "SELECT COUNT(*) FROM ledger_entry WHERE description = ?";
    struct ct_rows *r = NULL;
    int64_t v = -1;

    assert_int_equal(ct_db_query(db, sql, &r, "s", description), CT_OK);
    assert_true(ct_rows_i64(r, 0, 0, &v));
    ct_rows_free(r);
    return v;
}

static void
test_idempotency(void **state)
{
    struct fx *f = *state;
    char key[96], key2[96], desc[96], first[64];
    struct idem_ctx c;

    memset(&c, 0, sizeof(c));
    (void)snprintf(key, sizeof(key), "k1-%s", f->run);
    (void)snprintf(key2, sizeof(key2), "k2-%s", f->run);
    (void)snprintf(desc, sizeof(desc), "idem-%s", f->run);
    c.from = fixture_account(f->db, "EUR", true);
    c.to = fixture_account(f->db, "EUR", false);
    c.amount = 1234;
    c.key = key;
    c.description = desc;
    ct_sha256("body-1", 6, c.hash);
    /* fresh */
    assert_int_equal(idem_run(f->db, &c), CT_OK);
    assert_false(c.rep.found);
    assert_true(c.entry_id > 0);
    (void)snprintf(first, sizeof(first), "%s", c.body);
    /* replay: the same answer, nothing moved (the attempt booked, met the key, rolled back) */
    assert_int_equal(idem_run(f->db, &c), CT_OK);
    assert_true(c.rep.found);
    assert_int_equal(c.rep.status, 201);
    assert_string_equal(c.rep.body, first);
    assert_int_equal(entries_with(f->db, desc), 1);
    assert_int_equal(account(f->db, c.to).balance, 1234);
    /* a replay after a refusal: the first answer, not the refusal */
    c.refuse = true;
    assert_int_equal(idem_run(f->db, &c), CT_OK);
    assert_true(c.rep.found);
    assert_string_equal(c.rep.body, first);
    c.refuse = false;
    /* the same key with another request */
    ct_sha256("body-2", 6, c.hash);
    assert_int_equal(idem_run(f->db, &c), CT_E_CONFLICT);
    assert_string_equal(c.code, "IDEMPOTENCY_KEY_REUSED");
    assert_int_equal(account(f->db, c.to).balance, 1234);
    /* a failed attempt records nothing: the same key works afterwards */
    c.key = key2;
    c.refuse = true;
    assert_int_equal(idem_run(f->db, &c), CT_E_RULE);
    assert_false(c.rep.found);
    c.refuse = false;
    assert_int_equal(idem_run(f->db, &c), CT_OK);
    assert_false(c.rep.found);
    assert_int_equal(entries_with(f->db, desc), 2);
    /* bad keys */
    c.key = "";
    assert_int_equal(ct_idem_find(f->db, IDEM_SCOPE, c.key, c.hash, &c.rep, &c.code), CT_E_BADREQ);
    assert_string_equal(c.code, "IDEMPOTENCY_KEY_INVALID");
    assert_int_equal(ct_idem_record(f->db, IDEM_SCOPE, c.key, c.hash, 201, "{}"), CT_E_INTERNAL);
    assert_int_equal(ct_idem_record(f->db, IDEM_SCOPE, key, c.hash, 99, "{}"), CT_E_INTERNAL);
    free(c.rep.body);
}

/* ---- concurrency --------------------------------------------------------------------------- */

/* A child: its own connection, `attempts` debits; reports "ok refused errors". */
static void
debit_child(const struct fx *f, int64_t from, int64_t to, int attempts, int out_fd)
{
    struct ct_db *db = NULL;
    int ok = 0, refused = 0, errors = 0, i;
    char line[64];
    int n;

    if (fixture_child_open(&f->conf, &db) != 0)
        _exit(3);
    for (i = 0; i < attempts; i++) {
        const char *code = NULL;
        enum ct_err err = move(db, from, to, DEBIT, NULL, &code);

        if (err == CT_OK)
            ok++;
        else if (err == CT_E_RULE && code != NULL && strcmp(code, "INSUFFICIENT_FUNDS") == 0)
            refused++;
        else
            errors++;
    }
    ct_db_close(db);
    n = snprintf(line, sizeof(line), "%d %d %d\n", ok, refused, errors);
    if (n <= 0 || write(out_fd, line, (size_t)n) != n)
        _exit(4);
    _exit(0);
}

static void
test_concurrent_debits(void **state)
{
    static const char sql_min[] = "SELECT MIN(balance_after) FROM ledger_posting "
                                  "WHERE account_id = ?";
    static const char sql_debits[] = "SELECT COUNT(*) FROM ledger_posting "
                                     "WHERE account_id = ? AND amount < 0";
    struct fx *f = *state;
    int64_t bank = fixture_account(f->db, "EUR", true);
    int64_t hot = fixture_account(f->db, "EUR", false);
    int64_t sink = fixture_account(f->db, "EUR", false);
    pid_t pids[N_PROCS];
    char buf[N_PROCS * 64];
    int pfd[2], i, ok = 0, refused = 0, errors = 0;
    const char *p;

    assert_int_equal(move(f->db, bank, hot, (int64_t)K_SUCCESS * DEBIT, NULL, NULL), CT_OK);
    assert_int_equal(pipe(pfd), 0);
    for (i = 0; i < N_PROCS; i++) {
        int share = N_ATTEMPTS / N_PROCS + (i < N_ATTEMPTS % N_PROCS ? 1 : 0);

        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            (void)close(pfd[0]);
            debit_child(f, hot, sink, share, pfd[1]);
        }
    }
    (void)close(pfd[1]);
    assert_int_equal(fixture_collect(pfd[0], pids, N_PROCS, buf, sizeof(buf)), 0);
    for (p = buf; *p != '\0'; p = strchr(p, '\n') + 1) {
        int a, b, c;

        assert_int_equal(sscanf(p, "%d %d %d", &a, &b, &c), 3);
        ok += a;
        refused += b;
        errors += c;
    }
    assert_int_equal(errors, 0);
    assert_int_equal(ok, K_SUCCESS);
    assert_int_equal(refused, N_ATTEMPTS - K_SUCCESS);
    assert_int_equal(account(f->db, hot).balance, 0);
    assert_int_equal(account(f->db, sink).balance, (int64_t)K_SUCCESS * DEBIT);
    assert_int_equal(fixture_i64(f->db, sql_min, hot), 0); /* never below zero, at any posting */
    assert_int_equal(fixture_i64(f->db, sql_debits, hot), K_SUCCESS);
    assert_int_equal(fixture_violations(f->db), 0);
}

/* A twin: waits for the start signal, then claims the shared key and books or replays. */
static void
twin_child(const struct fx *f, struct idem_ctx c, int go_fd, int out_fd)
{
    struct ct_db *db = NULL;
    char line[128], ch;
    ssize_t got;
    enum ct_err err;
    int n;

    if (fixture_child_open(&f->conf, &db) != 0)
        _exit(3);
    got = read(go_fd, &ch, 1); /* EOF when the parent closes its end: everyone starts */
    (void)got;
    memset(&c.rep, 0, sizeof(c.rep));
    err = idem_run(db, &c);
    if (err != CT_OK)
        _exit(5);
    n = snprintf(line, sizeof(line), "%c %s\n", c.rep.found ? 'R' : 'F',
                 c.rep.found ? c.rep.body : c.body);
    free(c.rep.body);
    ct_db_close(db);
    if (n <= 0 || write(out_fd, line, (size_t)n) != n)
        _exit(4);
    _exit(0);
}

/* N twins of one request at once: one books, every other answers its answer. With exact funds
 * the twins after the first are refused by the ledger (the money is gone) rather than meeting the
 * key at their record; either way they must replay. */
static void
same_key_twins(struct fx *f, bool exact_funds)
{
    pid_t pids[N_TWINS];
    char buf[N_TWINS * 128], key[96], desc[96], first[128] = "";
    int go[2], out[2], i, fresh = 0, replayed = 0;
    struct idem_ctx c;
    char *p, *nl;

    memset(&c, 0, sizeof(c));
    (void)snprintf(key, sizeof(key), "twin-%d-%s", exact_funds, f->run);
    (void)snprintf(desc, sizeof(desc), "twin-%d-%s", exact_funds, f->run);
    c.from = fixture_account(f->db, "EUR", !exact_funds);
    c.to = fixture_account(f->db, "EUR", false);
    c.amount = 500;
    if (exact_funds)
        assert_int_equal(move(f->db, fixture_account(f->db, "EUR", true), c.from, 500, NULL, NULL),
                         CT_OK);
    c.key = key;
    c.description = desc;
    ct_sha256("same body", 9, c.hash);
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(out), 0);
    for (i = 0; i < N_TWINS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            (void)close(go[1]);
            (void)close(out[0]);
            twin_child(f, c, go[0], out[1]);
        }
    }
    (void)close(go[0]);
    (void)close(out[1]);
    (void)usleep(200000); /* let every twin connect */
    (void)close(go[1]);
    assert_int_equal(fixture_collect(out[0], pids, N_TWINS, buf, sizeof(buf)), 0);
    for (p = buf; *p != '\0'; p = nl + 1) {
        nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = '\0';
        if (p[0] == 'F')
            fresh++;
        else
            replayed++;
        if (first[0] == '\0')
            (void)snprintf(first, sizeof(first), "%s", p + 2);
        assert_string_equal(p + 2, first); /* everyone got the same answer */
    }
    assert_int_equal(fresh, 1);
    assert_int_equal(replayed, N_TWINS - 1);
    assert_int_equal(entries_with(f->db, desc), 1);
    assert_int_equal(account(f->db, c.to).balance, 500);
    assert_int_equal(fixture_violations(f->db), 0);
}

static void
test_concurrent_same_key(void **state)
{
    same_key_twins(*state, false);
}

static void
test_concurrent_same_key_refused(void **state)
{
    same_key_twins(*state, true);
}

/* ---- the invariant check sees a broken ledger ---------------------------------------------- */

struct lines {
    int n;
};

static void
count_line(const char *line, void *arg)
{
    struct lines *l = arg;

    (void)line;
    l->n++;
}

static enum ct_err
corrupt_fn(struct ct_db *db, void *arg)
{
    static const char sql[] = "UPDATE ledger_account SET balance = balance + 1, held = held + 1 "
                              "WHERE id = ?";
    struct lines *l = arg;
    int64_t id = (int64_t)l->n;
    long found;

    l->n = 0;
    assert_int_equal(ct_db_exec(db, sql, NULL, "l", id), CT_OK);
    /* the check runs in this transaction and sees the uncommitted damage */
    found = ct_ledger_check(db, count_line, l, 1);
    assert_true(found >= 4); /* trial balance, postings sum, last balance_after, held */
    assert_int_equal(l->n, 1);
    return CT_E_RULE; /* roll the damage back */
}

static void
test_check_detects_violations(void **state)
{
    struct fx *f = *state;
    int64_t bank = fixture_account(f->db, "EUR", true);
    int64_t x = fixture_account(f->db, "EUR", false);
    struct lines l = {0};

    assert_int_equal(move(f->db, bank, x, 100, NULL, NULL), CT_OK);
    l.n = (int)x;
    assert_int_equal(ct_db_txn(f->db, corrupt_fn, &l), CT_E_RULE);
    assert_int_equal(fixture_violations(f->db), 0);
}

/* ---- setup --------------------------------------------------------------------------------- */

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->db = fixture_open("test_ledger_db", &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
    (void)snprintf(f->run, sizeof(f->run), "%ld-%ld", (long)getpid(), (long)time(NULL));
    *state = f;
    return 0;
}

static int
group_teardown(void **state)
{
    struct fx *f = *state;

    if (f != NULL) {
        ct_db_close(f->db);
        free(f);
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_session_and_values),
        cmocka_unit_test(test_db_duplicate_and_rollback),
        cmocka_unit_test(test_db_read_leaves_no_transaction),
        cmocka_unit_test(test_db_batches),
        cmocka_unit_test(test_db_multi),
        cmocka_unit_test(test_db_reconnect),
        cmocka_unit_test(test_post_and_balance_after),
        cmocka_unit_test(test_refused_entries),
        cmocka_unit_test(test_balance_at),
        cmocka_unit_test(test_holds),
        cmocka_unit_test(test_idempotency),
        cmocka_unit_test(test_concurrent_debits),
        cmocka_unit_test(test_concurrent_same_key),
        cmocka_unit_test(test_concurrent_same_key_refused),
        cmocka_unit_test(test_check_detects_violations),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
