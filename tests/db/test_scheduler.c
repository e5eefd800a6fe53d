/* test_scheduler.c - comptoir-scheduler's tasks against a real MariaDB (COMPTOIR_DB_* env,
 * migrations applied), run directly: expired holds are released once and live ones stay; last
 * month's missing statements are made once; last month's monthly fees are charged once; a task
 * whose named lock another connection holds is skipped; the ledger invariants hold at the end.
 * The stack's own scheduler may run at the same time, so the tests use their own "now" (far ahead
 * for holds, a past month for statements and fees), which that daemon never uses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_balance.h"
#include "ct/ct_conf.h"
#include "ct/ct_customer.h"
#include "ct/ct_db.h"
#include "ct/ct_fee.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_statement.h"
#include "ct/ct_util.h"
#include "../../jobs/scheduler_tasks.c"
#include "db_fixture.h"

#define DAY_USEC INT64_C(86400000000)
/* the statements test's "now" and the month before it */
#define STMT_NOW "2018-08-10T12:00:00Z"
#define STMT_YEAR 2018
#define STMT_MONTH 7

struct fx {
    struct ct_conf conf;
    struct ct_db *db, *other; /* other: a second connection, to hold a task's lock */
    char files[256];
    bool own_files; /* a temporary files_dir this test removes */
    struct sched_env env;
    int64_t partner;
    long tag;
};

struct seed_ctx {
    struct fx *f;
    struct ct_customer owner;
    struct ct_balance bal;
    int64_t funding, entry;
};

static const struct sched_task *
task(const char *name)
{
    const struct sched_task *t;

    for (t = sched_tasks; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    fail_msg("no task %s", name);
    return NULL;
}

/* Run a task; the stack's scheduler may hold its lock for a moment: try again then. */
static uint64_t
run(struct fx *f, const char *name, int64_t now)
{
    uint64_t done = 0;
    bool ran = false;
    int i;

    for (i = 0; i < 100 && !ran; i++) {
        assert_int_equal(sched_run_task(f->db, &f->env, task(name), now, &ran, &done), CT_OK);
        if (!ran)
            usleep(100000);
    }
    assert_true(ran);
    return done;
}

static int64_t
query_i64(struct ct_db *db, const char *sql, int64_t arg)
{
    struct ct_rows *r = NULL;
    int64_t v = -1;

    assert_int_equal(ct_db_query(db, sql, &r, "l", arg), CT_OK);
    assert_int_equal(ct_rows_count(r), 1);
    assert_true(ct_rows_i64(r, 0, 0, &v));
    ct_rows_free(r);
    return v;
}

struct hold_ctx {
    int64_t partner, bank, card, expired_hold, live_hold, at;
};

static enum ct_err
hold_seed_unit(struct ct_db *db, void *arg)
{
    struct hold_ctx *c = arg;
    struct ct_leg legs[2];
    struct ct_entry e;
    int64_t entry = 0;
    const char *code = NULL;
    enum ct_err err;

    err = ct_ledger_account_open(db, c->partner, CT_ACCT_BANK_INTERNAL, "EUR", true, &c->bank);
    if (err == CT_OK)
        err = ct_ledger_account_open(db, c->partner, CT_ACCT_TECHNICAL, "EUR", false, &c->card);
    if (err != CT_OK)
        return err;
    legs[0] = (struct ct_leg){c->card, 10000};
    legs[1] = (struct ct_leg){c->bank, -10000};
    e = (struct ct_entry){c->partner, "reload", "scheduler test", "EUR", legs, 2, NULL};
    err = ct_ledger_post(db, &e, &entry, &code);
    if (err == CT_OK)
        err = ct_ledger_hold(db, c->card, 3000, c->at - DAY_USEC, "sched-expired", &c->expired_hold,
                             &code);
    if (err == CT_OK)
        err =
            ct_ledger_hold(db, c->card, 2000, c->at + DAY_USEC, "sched-live", &c->live_hold, &code);
    return err;
}

static void
test_holds_expire_once(void **state)
{
    static const char sql_status[] = "SELECT status = 'expired' FROM ledger_hold WHERE id = ?";
    struct fx *f = *state;
    /* "now" a year ahead: the holds below are due or not against it only, never against the
     * real clock the stack's scheduler uses */
    struct hold_ctx c = {f->partner, 0, 0, 0, 0, ct_now_usec() + 365 * DAY_USEC};
    struct ct_account a;

    assert_int_equal(ct_db_txn(f->db, hold_seed_unit, &c), CT_OK);
    assert_int_equal(ct_ledger_account_get(f->db, c.card, &a), CT_OK);
    assert_int_equal(a.available, 5000);
    /* another scheduler holds the task's lock: this one skips the run */
    {
        static const char sql_lock[] = "SELECT GET_LOCK('comptoir.scheduler.holds', 10)";
        static const char sql_unlock[] = "SELECT RELEASE_LOCK('comptoir.scheduler.holds')";
        struct ct_rows *r = NULL;
        bool ran = true;
        uint64_t done = 7;

        assert_int_equal(ct_db_query(f->other, sql_lock, &r, ""), CT_OK);
        assert_string_equal(ct_rows_str(r, 0, 0), "1");
        ct_rows_free(r);
        assert_int_equal(sched_run_task(f->db, &f->env, task("holds"), c.at, &ran, &done), CT_OK);
        assert_false(ran);
        assert_int_equal(done, 0);
        assert_int_equal(ct_db_query(f->other, sql_unlock, &r, ""), CT_OK);
        ct_rows_free(r);
    }
    /* other tests' holds due before c.at go too: at least ours */
    assert_true(run(f, "holds", c.at) >= 1);
    assert_int_equal(query_i64(f->db, sql_status, c.expired_hold), 1);
    assert_int_equal(query_i64(f->db, sql_status, c.live_hold), 0);
    assert_int_equal(ct_ledger_account_get(f->db, c.card, &a), CT_OK);
    assert_int_equal(a.balance, 10000);
    assert_int_equal(a.held, 2000);
    assert_int_equal(a.available, 8000);
    /* a second run finds nothing due */
    assert_int_equal(run(f, "holds", c.at), 0);
    assert_int_equal(ct_ledger_account_get(f->db, c.card, &a), CT_OK);
    assert_int_equal(a.available, 8000);
}

/* A customer's balance opened in STMT_MONTH with one credit booked in it, in one unit: the
 * stack's scheduler sees all of it or none of it. */
static enum ct_err
stmt_seed_unit(struct ct_db *db, void *arg)
{
    static const char sql_posting[] = "UPDATE ledger_posting SET booked_at = "
                                      "'2018-07-15 10:00:00.000000' WHERE entry_id = ?";
    static const char sql_balance[] = "UPDATE balance SET created_at = '2018-07-02 09:00:00' "
                                      "WHERE id = ?";
    struct seed_ctx *c = arg;
    struct ct_leg legs[2];
    struct ct_entry e;
    const char *code = NULL;
    enum ct_err err;

    c->owner.partner_id = c->f->partner;
    err = ct_customer_insert(db, &c->owner);
    if (err == CT_OK)
        err = fixture_verify(db, c->f->partner, c->owner.id);
    if (err == CT_OK)
        err = ct_balance_open(db, c->f->partner, c->owner.id, "EUR", &c->bal, &code);
    if (err == CT_OK)
        err = ct_ledger_account_open(db, c->f->partner, CT_ACCT_BANK_INTERNAL, "EUR", true,
                                     &c->funding);
    if (err != CT_OK)
        return err;
    legs[0] = (struct ct_leg){c->bal.account_id, 12345};
    legs[1] = (struct ct_leg){c->funding, -12345};
    e = (struct ct_entry){c->f->partner, "reload", "Salaire juillet", "EUR", legs, 2, NULL};
    err = ct_ledger_post(db, &e, &c->entry, &code);
    /* both legs are their accounts' only postings: the running balances stay in booking order */
    if (err == CT_OK)
        err = ct_db_exec(db, sql_posting, NULL, "l", c->entry);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_balance, NULL, "s", c->bal.id);
    return err;
}

static void
test_statements_once(void **state)
{
    static const char sql_count[] = "SELECT COUNT(*) FROM statement WHERE account_id = ?";
    static const char sql_stmt[] = "SELECT id FROM statement WHERE account_id = ? AND year = 2018 "
                                   "AND month = 7";
    struct fx *f = *state;
    struct seed_ctx c;
    struct ct_stmt st;
    int64_t now = 0, id;

    memset(&c, 0, sizeof(c));
    c.f = f;
    (void)snprintf(c.owner.email, sizeof(c.owner.email), "sched%ld@example.com", f->tag);
    (void)snprintf(c.owner.phone, sizeof(c.owner.phone), "+33612345678");
    (void)snprintf(c.owner.first_name, sizeof(c.owner.first_name), "Ada");
    (void)snprintf(c.owner.last_name, sizeof(c.owner.last_name), "Sched");
    (void)snprintf(c.owner.country, sizeof(c.owner.country), "FR");
    (void)snprintf(c.owner.birth_date, sizeof(c.owner.birth_date), "1990-01-01");
    assert_int_equal(ct_db_txn(f->db, stmt_seed_unit, &c), CT_OK);
    assert_true(ct_time_parse(STMT_NOW, &now));
    assert_int_equal(query_i64(f->db, sql_count, c.bal.account_id), 0);

    /* balances of earlier runs on a kept stack may be missing that month too: at least ours */
    assert_true(run(f, "statements", now) >= 1);
    assert_int_equal(query_i64(f->db, sql_count, c.bal.account_id), 1);
    id = query_i64(f->db, sql_stmt, c.bal.account_id);
    assert_int_equal(ct_stmt_get(f->db, f->partner, c.owner.id, id, &st), CT_OK);
    assert_int_equal(st.year, STMT_YEAR);
    assert_int_equal(st.month, STMT_MONTH);
    assert_int_equal(st.opening, 0);
    assert_int_equal(st.total_credit, 12345);
    assert_int_equal(st.closing, 12345);
    assert_true(strlen(st.pdf_sha256) == 64 && strlen(st.camt_sha256) == 64);

    /* a second run makes none */
    assert_int_equal(run(f, "statements", now), 0);
    assert_int_equal(query_i64(f->db, sql_count, c.bal.account_id), 1);
}

/* The fees task charges last month's monthly account fee once however often it runs (the
 * statements test's "now": its month is July 2018, the balance opened in it). */
static void
test_fees_once(void **state)
{
    static const char rules[] =
        "{\"rules\":[{\"event\":\"monthly_account\",\"currency\":\"EUR\",\"fixed\":\"1.00\"}]}";
    static const char sql_rows[] = "SELECT COUNT(*) FROM fee_charge WHERE account_id = ? "
                                   "AND event = 'monthly_account' AND period = '2018-07' "
                                   "AND status = 'charged' AND amount = 100";
    static struct ct_fee_schedule sched, got;
    struct fx *f = *state;
    struct seed_ctx c;
    const char *code = NULL;
    int64_t now = 0;

    assert_int_equal(ct_fee_schedule_parse(rules, sizeof(rules) - 1, &sched, NULL, NULL), CT_OK);
    assert_int_equal(ct_fee_schedule_set(f->db, f->partner, &sched, -1, &got, &code), CT_OK);
    memset(&c, 0, sizeof(c));
    c.f = f;
    (void)snprintf(c.owner.email, sizeof(c.owner.email), "schedfee%ld@example.com", f->tag);
    (void)snprintf(c.owner.phone, sizeof(c.owner.phone), "+33612345678");
    (void)snprintf(c.owner.first_name, sizeof(c.owner.first_name), "Ada");
    (void)snprintf(c.owner.last_name, sizeof(c.owner.last_name), "Fees");
    (void)snprintf(c.owner.country, sizeof(c.owner.country), "FR");
    (void)snprintf(c.owner.birth_date, sizeof(c.owner.birth_date), "1990-01-01");
    assert_int_equal(ct_db_txn(f->db, stmt_seed_unit, &c), CT_OK);
    assert_true(ct_time_parse(STMT_NOW, &now));
    assert_true(run(f, "fees", now) >= 1);
    assert_int_equal(query_i64(f->db, sql_rows, c.bal.account_id), 1);
    (void)run(f, "fees", now);
    assert_int_equal(query_i64(f->db, sql_rows, c.bal.account_id), 1);
}

static void
test_ledger_still_checks(void **state)
{
    struct fx *f = *state;

    assert_int_equal(ct_ledger_check(f->db, NULL, NULL, 0), 0);
}

static enum ct_err
partner_unit(struct ct_db *db, void *arg)
{
    static const char sql_p[] = "INSERT INTO partner (public_id, name) VALUES (UUID(), ?)";
    /* account numbers far from any other run's (IBANs are unique) */
    static const char sql_b[] =
        "INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, "
        "bic, next_seq) VALUES (?, 'EUR', 'FR1420041010050500013M02606', 10, "
        "'TESTFRPPXXX', ?)";
    struct fx *f = arg;
    char name[64];
    enum ct_err err;

    (void)snprintf(name, sizeof(name), "sched-test-%ld", f->tag);
    err = ct_db_exec(db, sql_p, NULL, "s", name);
    if (err != CT_OK)
        return err;
    f->partner = ct_db_last_id(db);
    return ct_db_exec(db, sql_b, NULL, "ll", f->partner,
                      (int64_t)(20000000000LL + ((int64_t)f->tag * 7919) % 39000000000LL));
}

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *stack = getenv("COMPTOIR_STACK_DIR");
    char why[256] = "";

    if (f == NULL || ct_conf_load(NULL, &f->conf, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "configuration: %s\n", why);
        free(f);
        return -1;
    }
    ct_log_setup("test_scheduler", LOG_WARNING);
    if (ct_db_open(&f->conf, &f->db) != CT_OK || ct_db_open(&f->conf, &f->other) != CT_OK) {
        fprintf(stderr, "cannot connect to MariaDB at %s\n", f->conf.db_socket);
        return -1;
    }
    /* the stack's files_dir when there is one (statements of other balances land where the
     * pools read them), else a temporary one */
    if (stack != NULL) {
        (void)snprintf(f->files, sizeof(f->files), "%s/files", stack);
    } else {
        (void)snprintf(f->files, sizeof(f->files), "/tmp/ct_sched_files_XXXXXX");
        if (mkdtemp(f->files) == NULL)
            return -1;
        f->own_files = true;
    }
    f->env.files_dir = f->files;
    f->env.stopping = NULL;
    f->tag = (long)getpid() * 1000 + (long)(time(NULL) % 1000);
    if (ct_db_txn(f->db, partner_unit, f) != CT_OK) {
        fprintf(stderr, "seeding failed\n");
        return -1;
    }
    *state = f;
    return 0;
}

static int
group_teardown(void **state)
{
    struct fx *f = *state;
    char cmd[300];

    if (f == NULL)
        return 0;
    if (f->own_files) {
        (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->files);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", f->files);
    }
    ct_db_close(f->other);
    ct_db_close(f->db);
    free(f);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holds_expire_once),
        cmocka_unit_test(test_statements_once),
        cmocka_unit_test(test_fees_once),
        cmocka_unit_test(test_ledger_still_checks),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
