/* scheduler.c - comptoir-scheduler: one process, one database connection, that runs the tasks
 * of scheduler_tasks.c (hold expiry, monthly statements, fees) at start and then every interval.
 *
 *   comptoir-scheduler CONFIG
 *
 * CONFIG is a pool-style configuration file (db_*, files_dir, log_level; "-" for the environment
 * only). SIGTERM or SIGINT stops it between two tasks, never inside a transaction: both signals
 * stay blocked while tasks run and are taken only by the wait between ticks (a task that loops
 * over many transactions polls for them between its transactions). Exit: 0 stopped, 2 bad usage
 * or configuration, 1 no database at start (a service manager restarts it). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"
#include "ct/ct_util.h"
#include "scheduler.h"

/* Every task runs once a minute. A constant, not a conf key: each task finds its own work (due
 * holds, missing statements), so the interval only bounds how late that work is, and a minute
 * is the lateness every task accepts. Hold expiry is the tightest: a hold past its expiry still
 * counts until this run closes it (docs/ledger.md). */
#define SCHED_INTERVAL_SECONDS 60

static sigset_t stop_signals;

static bool stopping(void);
static bool wait_stop(int seconds);
static void tick(struct ct_db *db, const struct sched_env *env);

/* A stop signal is pending (they are blocked, so it waits for us). */
static bool
stopping(void)
{
    sigset_t pending;

    if (sigpending(&pending) != 0)
        return false;
    return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

/* Sleep up to `seconds`; true when a stop signal came (it is consumed). */
static bool
wait_stop(int seconds)
{
    struct timespec end, now, left;

    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += seconds;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
            return false;
        left.tv_sec = end.tv_sec - now.tv_sec;
        left.tv_nsec = end.tv_nsec - now.tv_nsec;
        if (left.tv_nsec < 0) {
            left.tv_sec--;
            left.tv_nsec += 1000000000L;
        }
        if (sigtimedwait(&stop_signals, NULL, &left) > 0)
            return true;
        if (errno == EAGAIN)
            return false;
        /* EINTR: another signal; wait the rest */
    }
}

static void
tick(struct ct_db *db, const struct sched_env *env)
{
    const struct sched_task *t;

    for (t = sched_tasks; t->name != NULL && !stopping(); t++) {
        bool ran = false;
        uint64_t done = 0;
        enum ct_err err = sched_run_task(db, env, t, ct_now_usec(), &ran, &done);

        if (err != CT_OK)
            ct_log(LOG_WARNING, "task %s failed (%s); next run retries", t->name, ct_err_code(err));
    }
}

int
main(int argc, char **argv)
{
    struct ct_conf conf;
    struct ct_db *db = NULL;
    struct sched_env env;
    char why[256] = "";

    if (argc != 2 || argv[1][0] == '\0' || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: comptoir-scheduler CONFIG   (CONFIG \"-\": environment only)\n");
        return 2;
    }
    ct_log_setup("scheduler", LOG_INFO);
    if (ct_conf_load(strcmp(argv[1], "-") == 0 ? NULL : argv[1], &conf, why, sizeof(why)) !=
        CT_OK) {
        ct_log(LOG_ERR, "configuration: %s", why);
        return 2;
    }
    ct_log_setup("scheduler", conf.log_level);
    if (conf.files_dir[0] == '\0') {
        ct_log(LOG_ERR, "configuration: files_dir is required (statements are written there)");
        return 2;
    }
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    if (sigprocmask(SIG_BLOCK, &stop_signals, NULL) != 0)
        return 1;
    if (ct_db_open(&conf, &db) != CT_OK) {
        ct_log(LOG_ERR, "cannot connect to the database at %s", conf.db_socket);
        return 1;
    }
    env.files_dir = conf.files_dir;
    env.stopping = stopping;
    ct_log(LOG_INFO, "scheduler started: pid %ld, every %d s", (long)getpid(),
           SCHED_INTERVAL_SECONDS);
    for (;;) {
        time_t started = time(NULL), spent;

        tick(db, &env);
        if (stopping())
            break;
        spent = time(NULL) - started; /* a tick longer than the interval: the next one at once */
        if (spent < 0)
            spent = 0; /* the clock was set back */
        if (wait_stop(spent < SCHED_INTERVAL_SECONDS ? SCHED_INTERVAL_SECONDS - (int)spent : 0))
            break;
    }
    ct_db_close(db);
    ct_log(LOG_INFO, "scheduler stopped");
    return 0;
}
