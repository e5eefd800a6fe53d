/* db_fixture.h - what every test against the stack's MariaDB does first: the configuration from
 * the COMPTOIR_DB_* environment (tests/run-all.sh exports the stack's), one connection, the
 * partner the stack seeded, and ledger accounts of the test's own. Included by tests/db/test_*.c
 * only, after <cmocka.h>. */
#ifndef DB_FIXTURE_H
#define DB_FIXTURE_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_kyc.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"

/* The connection of a test program named `name` (its log lines carry it); NULL, said on stderr,
 * when the configuration is bad or the database cannot be reached. */
static inline struct ct_db *
fixture_open(const char *name, struct ct_conf *conf)
{
    struct ct_db *db = NULL;
    char why[256] = "";

    if (ct_conf_load(NULL, conf, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "%s: configuration: %s\n", name, why);
        return NULL;
    }
    ct_log_setup(name, LOG_WARNING);
    if (ct_db_open(conf, &db) != CT_OK) {
        fprintf(stderr, "%s: cannot connect to MariaDB at %s\n", name, conf->db_socket);
        return NULL;
    }
    return db;
}

/* A partner row to attach test data to (tools/stack seeds the demo partner); 0 when none. */
static inline int64_t
fixture_partner(struct ct_db *db)
{
    static const char sql[] = "SELECT MIN(id) FROM partner WHERE ? = ?";
    struct ct_rows *r = NULL;
    int64_t id = 0;

    if (ct_db_query(db, sql, &r, "ii", 1, 1) != CT_OK || !ct_rows_i64(r, 0, 0, &id))
        id = 0;
    ct_rows_free(r);
    if (id == 0)
        fprintf(stderr, "no partner in the database (tools/stack seeds one)\n");
    return id;
}

struct fixture_account_ctx {
    const char *currency;
    bool unbounded;
    int64_t id;
    int64_t partner_id;
};

static inline enum ct_err
fixture_account_fn(struct ct_db *db, void *arg)
{
    struct fixture_account_ctx *c = arg;

    return ct_ledger_account_open(db, c->partner_id,
                                  c->unbounded ? CT_ACCT_BANK_INTERNAL : CT_ACCT_USER_BALANCE,
                                  c->currency, c->unbounded, &c->id);
}

/* A new ledger account for the test alone: a user balance, or a bank-side one that may go below
 * zero (unbounded), to fund the others. */
static inline int64_t
fixture_account(struct ct_db *db, const char *currency, bool unbounded)
{
    struct fixture_account_ctx c = {currency, unbounded, 0, 0};

    assert_int_equal(ct_db_txn(db, fixture_account_fn, &c), CT_OK);
    assert_true(c.id > 0);
    return c.id;
}

/* The same, a user balance of a partner's (its ledger account only, no balance row). */
static inline int64_t
fixture_user_account(struct ct_db *db, int64_t partner_id, const char *currency)
{
    struct fixture_account_ctx c = {currency, false, 0, partner_id};

    assert_int_equal(ct_db_txn(db, fixture_account_fn, &c), CT_OK);
    assert_true(c.id > 0);
    return c.id;
}

/* One integer a query with one integer parameter answers (asserted). */
static inline int64_t
fixture_i64(struct ct_db *db, const char *sql, int64_t arg)
{
    struct ct_rows *r = NULL;
    int64_t v = INT64_MIN;

    assert_int_equal(ct_db_query(db, sql, &r, "l", arg), CT_OK);
    assert_int_equal(ct_rows_count(r), 1);
    assert_true(ct_rows_i64(r, 0, 0, &v));
    ct_rows_free(r);
    return v;
}

static inline void
fixture_check_report(const char *line, void *arg)
{
    (void)arg;
    fprintf(stderr, "ledger_check: %s\n", line);
}

/* The ledger invariants' violations, each said on stderr. */
static inline long
fixture_violations(struct ct_db *db)
{
    return ct_ledger_check(db, fixture_check_report, NULL, 50);
}

/* A forked child's own connection, patient with lock waits (many children on few rows). */
static inline int
fixture_child_open(const struct ct_conf *parent, struct ct_db **db)
{
    struct ct_conf conf = *parent;

    conf.db_retries = 50;
    return ct_db_open(&conf, db) == CT_OK ? 0 : -1;
}

/* Reads every child's line until EOF, then reaps them; returns the number of failed children. */
static inline int
fixture_collect(int fd, pid_t *pids, int n, char *buf, size_t bufsz)
{
    size_t len = 0;
    ssize_t got;
    int i, bad = 0, status;

    while (len + 1 < bufsz && (got = read(fd, buf + len, bufsz - len - 1)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    (void)close(fd);
    for (i = 0; i < n; i++) {
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            bad++;
    }
    return bad;
}

/* A child's end: closes its connection, writes its report line (the n counts, at most 8,
 * separated by spaces) to out_fd, and exits 0, or 4 when the line could not be written. */
static inline void
fixture_child_exit(struct ct_db *db, int out_fd, const int *counts, int n)
{
    char line[8 * 12 + 2];
    size_t len = 0;
    int i;

    ct_db_close(db);
    for (i = 0; i < n && i < 8; i++)
        len +=
            (size_t)snprintf(line + len, sizeof(line) - len, "%s%d", i > 0 ? " " : "", counts[i]);
    line[len++] = '\n';
    _exit(write(out_fd, line, len) == (ssize_t)len ? 0 : 4);
}

/* Adds up the children's report lines, each `n` integers separated by spaces (at most 8), into
 * sums[0..n-1] (asserted well-formed). */
static inline void
fixture_sum_lines(const char *buf, int n, int *sums)
{
    const char *p;
    int i;

    for (i = 0; i < n; i++)
        sums[i] = 0;
    for (p = buf; *p != '\0'; p = strchr(p, '\n') + 1) {
        char *end = NULL;

        assert_non_null(strchr(p, '\n'));
        for (i = 0; i < n; i++) {
            sums[i] += (int)strtol(p, &end, 10);
            assert_true(end != p);
            p = end;
        }
        assert_int_equal(*p, '\n');
    }
}

/* The group state of a test program that needs only the configuration and one connection, as
 * the first member of its own state (allocated here, `size` bytes, zeroed). */
struct fixture {
    struct ct_conf conf;
    struct ct_db *db;
};

static inline int
fixture_group_setup(void **state, const char *name, size_t size)
{
    struct fixture *f = size >= sizeof(*f) ? calloc(1, size) : NULL;

    if (f == NULL)
        return -1;
    f->db = fixture_open(name, &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int
fixture_group_teardown(void **state)
{
    struct fixture *f = *state;

    if (f != NULL) {
        ct_db_close(f->db);
        free(f);
    }
    return 0;
}

/* Inside a unit of work: the customer's KYC becomes VERIFIED (a balance needs it), recorded as a
 * bank tool would record it. */
static inline enum ct_err
fixture_verify(struct ct_db *db, int64_t partner_id, const char *customer_id)
{
    static const struct ct_kyc_actor by = {CT_KYC_BY_SYSTEM, "tests/db"};
    bool changed;

    return ct_kyc_decide(db, partner_id, customer_id, CT_KYC_VERIFIED, NULL, &by, &changed);
}

#endif /* DB_FIXTURE_H */
