/* scheduler_tasks.c - what comptoir-scheduler runs on time: hold expiry, monthly statements and
 * fees, each task under a MariaDB named lock so several schedulers never duplicate a run. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ct/ct_fee.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_statement.h"
#include "scheduler.h"

struct expire_ctx {
    int64_t now;
    uint64_t count;
};

static enum ct_err expire_unit(struct ct_db *db, void *arg);
static bool statement_report(const char *balance_id, int64_t id, bool created, enum ct_err err,
                             void *arg);
static bool last_month(int64_t now_usec, int *year, int *month);
static bool fees_go(void *arg);
static enum ct_err lock_take(struct ct_db *db, const char *name, bool *got);
static void lock_drop(struct ct_db *db, const char *name);

const struct sched_task sched_tasks[] = {
    {"holds", sched_expire_holds},
    {"statements", sched_statements},
    {"fees", sched_fees},
    {NULL, NULL},
};

static enum ct_err
expire_unit(struct ct_db *db, void *arg)
{
    struct expire_ctx *c = arg;

    c->count = 0; /* a re-run unit starts again */
    return ct_ledger_hold_expire(db, c->now, &c->count);
}

enum ct_err
sched_expire_holds(struct ct_db *db, const struct sched_env *env, int64_t now_usec, uint64_t *done)
{
    struct expire_ctx c = {now_usec, 0};
    enum ct_err err;

    (void)env;
    err = ct_db_txn(db, expire_unit, &c);
    if (err != CT_OK)
        return err; /* logged by the caller; the next run retries */
    ct_log(c.count > 0 ? LOG_INFO : LOG_DEBUG, "holds: %llu expired holds released",
           (unsigned long long)c.count);
    *done = c.count;
    return CT_OK;
}

/* A balance that fails is logged and retried at the next run; stop between statements when the
 * daemon is asked to. */
static bool
statement_report(const char *balance_id, int64_t id, bool created, enum ct_err err, void *arg)
{
    const struct sched_env *env = arg;

    if (err != CT_OK)
        ct_log(LOG_ERR, "statements: balance %s failed (%s)", balance_id, ct_err_code(err));
    else if (created)
        ct_log(LOG_DEBUG, "statements: statement %lld made for balance %s", (long long)id,
               balance_id);
    return env->stopping == NULL || !env->stopping();
}

enum ct_err
sched_statements(struct ct_db *db, const struct sched_env *env, int64_t now_usec, uint64_t *done)
{
    struct ct_stmt_month m = {0, 0, 0};
    int year, month;
    enum ct_err err;

    if (!last_month(now_usec, &year, &month))
        return CT_E_INTERNAL;
    err = ct_stmt_make_month(db, env->files_dir, year, month, NULL, true, statement_report,
                             (void *)env, &m);
    if (err != CT_OK)
        return err; /* logged by the caller; the next run retries */
    if (m.balances > 0)
        ct_log(m.failed > 0 ? LOG_ERR : LOG_INFO,
               "statements %04d-%02d: %zu missing, %zu made, %zu failed", year, month, m.balances,
               m.created, m.failed);
    *done = m.created;
    return CT_OK;
}

/* The month before now_usec's (UTC), 1-based. */
static bool
last_month(int64_t now_usec, int *year, int *month)
{
    time_t t = (time_t)(now_usec / 1000000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        return false;
    /* tm_mon is 0-based, so it is last month's 1-based number (0: December of last year) */
    *year = tm.tm_mon == 0 ? tm.tm_year + 1900 - 1 : tm.tm_year + 1900;
    *month = tm.tm_mon == 0 ? 12 : tm.tm_mon;
    return true;
}

static bool
fees_go(void *arg)
{
    const struct sched_env *env = arg;

    return env->stopping == NULL || !env->stopping();
}

/* Every run: the monthly account and card fees of last month that are still missing (the first run
 * of a month charges them; later runs find them recorded and do nothing, through fee_charge's
 * unique key), then every due fee whose balance now covers it. */
enum ct_err
sched_fees(struct ct_db *db, const struct sched_env *env, int64_t now_usec, uint64_t *done)
{
    struct ct_fee_run monthly, collect;
    char period[8];
    enum ct_err err;

    if (!ct_fee_period_last(now_usec, period))
        return CT_E_INTERNAL;
    err = ct_fee_monthly(db, period, fees_go, (void *)env, &monthly);
    if (err != CT_OK)
        return err; /* logged by the caller; the next run retries */
    err = ct_fee_collect_due(db, fees_go, (void *)env, &collect);
    if (err != CT_OK)
        return err;
    if (monthly.charged + monthly.due + monthly.failed + collect.charged + collect.failed > 0)
        ct_log(monthly.failed + collect.failed > 0 ? LOG_ERR : LOG_INFO,
               "fees %s: monthly (accounts and cards) %zu charged, %zu due, %zu failed; due fees "
               "%zu collected, %zu still due, %zu failed",
               period, monthly.charged, monthly.due, monthly.failed, collect.charged, collect.due,
               collect.failed);
    *done = monthly.charged + monthly.due + collect.charged;
    return CT_OK;
}

/* GET_LOCK with timeout 0: 1 taken, 0 held by another connection, NULL an error. Named locks
 * belong to the connection, not to a transaction: a rollback keeps them, a lost connection
 * drops them. */
static enum ct_err
lock_take(struct ct_db *db, const char *name, bool *got)
{
    static const char sql[] = "SELECT GET_LOCK(?, 0)";
    struct ct_rows *r = NULL;
    int64_t v = 0;
    enum ct_err err = ct_db_query(db, sql, &r, "s", name);

    if (err == CT_OK && (ct_rows_count(r) != 1 || !ct_rows_i64(r, 0, 0, &v)))
        err = CT_E_INTERNAL;
    if (err == CT_OK)
        *got = v == 1;
    ct_rows_free(r);
    return err;
}

static void
lock_drop(struct ct_db *db, const char *name)
{
    static const char sql[] = "SELECT RELEASE_LOCK(?)";
    struct ct_rows *r = NULL;

    /* NULL or 0 (the connection was lost and the lock with it) needs nothing more */
    if (ct_db_query(db, sql, &r, "s", name) != CT_OK)
        ct_log(LOG_WARNING, "cannot release lock %s; it goes with the connection", name);
    ct_rows_free(r);
}

enum ct_err
sched_run_task(struct ct_db *db, const struct sched_env *env, const struct sched_task *task,
               int64_t now_usec, bool *ran, uint64_t *done)
{
    char lock[80];
    bool got = false;
    uint64_t n = 0;
    enum ct_err err;

    if (snprintf(lock, sizeof(lock), "comptoir.scheduler.%s", task->name) >= (int)sizeof(lock))
        return CT_E_INTERNAL;
    err = lock_take(db, lock, &got);
    if (err != CT_OK) {
        ct_log(LOG_WARNING, "%s: cannot take lock %s (%s)", task->name, lock, ct_err_code(err));
        return err;
    }
    if (!got) {
        ct_log(LOG_DEBUG, "%s: another scheduler runs it", task->name);
        *ran = false;
        *done = 0;
        return CT_OK;
    }
    err = task->run(db, env, now_usec, &n);
    lock_drop(db, lock);
    if (err == CT_OK) {
        *ran = true;
        *done = n;
    }
    return err;
}
