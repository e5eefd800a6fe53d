/* scheduler.h - comptoir-scheduler's tasks, private to jobs/scheduler*.c (and its test). */
#ifndef CT_SCHEDULER_H
#define CT_SCHEDULER_H
#include <stdbool.h>
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"

/* What every task may use; read-only while the tasks run. */
struct sched_env {
    const char *files_dir;  /* statements are written under it */
    bool (*stopping)(void); /* may be NULL: true once the daemon was asked to stop; a long
                               task checks it between its transactions */
};

/* A task does one thing that must happen on time, idempotently: running it twice, or on two
 * hosts at once, changes nothing more than running it once. now_usec is "now" (UTC microseconds;
 * tests pass another time). *done gets how many things it did (holds released, statements
 * made). */
typedef enum ct_err (*sched_task_fn)(struct ct_db *db, const struct sched_env *env,
                                     int64_t now_usec, uint64_t *done);

struct sched_task {
    const char *name; /* lower_snake; the lock is 'comptoir.scheduler.<name>' */
    sched_task_fn run;
};
/* Every task, in the order a tick runs them; ends with {NULL, NULL}. */
extern const struct sched_task sched_tasks[];

/* Release the holds whose expiry is before now_usec (ct_ledger_hold_expire in one unit). */
enum ct_err sched_expire_holds(struct ct_db *db, const struct sched_env *env, int64_t now_usec,
                               uint64_t *done);
/* Make the statements of the month before now_usec's month that are still missing. */
enum ct_err sched_statements(struct ct_db *db, const struct sched_env *env, int64_t now_usec,
                             uint64_t *done);

/* Charge last month's monthly account and card fees that are still missing (ct_fee_monthly: once
 * per balance or card and month), then collect the due fees that can now be covered (ct_fee.h). */
enum ct_err sched_fees(struct ct_db *db, const struct sched_env *env, int64_t now_usec,
                       uint64_t *done);

/* Run one task under MariaDB's GET_LOCK('comptoir.scheduler.<name>', 0), so that schedulers on
 * several hosts never run the same task at once. *ran is false (CT_OK, nothing done) when another
 * connection holds the lock; otherwise the task's error and *done. The lock is released before
 * returning. */
enum ct_err sched_run_task(struct ct_db *db, const struct sched_env *env,
                           const struct sched_task *task, int64_t now_usec, bool *ran,
                           uint64_t *done);

#endif /* CT_SCHEDULER_H */
