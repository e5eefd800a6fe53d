/* seed_ops.c - bench helper: book N reloads of 0.01 on one balance through the ledger
 * (ct_balance_reload, i.e. ct_ledger_post), BATCH reloads per transaction, so the balance gets N
 * operations with correct running balances and `comptoir-ledger_check` still passes.
 *
 *   seed_ops CONF BALANCE_ID N [BATCH]      (CONF: a pool's or the stack's seed.conf)
 *
 * Prints "seed_ops: N operations on BALANCE_ID (account A) in S s". Exit 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "ct/ct_balance.h"
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"

struct batch {
    const struct ct_balance *b;
    long n;
    const char *code;
};

static enum ct_err batch_unit(struct ct_db *db, void *arg);
static double now_s(void);

static enum ct_err
batch_unit(struct ct_db *db, void *arg)
{
    struct batch *bt = arg;
    int64_t entry = 0, after = 0;
    enum ct_err err = CT_OK;
    long i;

    for (i = 0; i < bt->n && err == CT_OK; i++)
        err = ct_balance_reload(db, bt->b, 1, "Bench operation", &entry, &after, &bt->code);
    return err;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    static const char owner[] = "SELECT partner_id, customer_id FROM balance WHERE id = ?";
    struct ct_conf conf;
    struct ct_db *db = NULL;
    struct ct_rows *rows = NULL;
    struct ct_balance b;
    struct batch bt;
    char why[256] = "", customer[64] = "";
    int64_t partner_id = 0;
    long total, size = 1000, done = 0;
    double t0;
    enum ct_err err;
    int rc = 2;

    if (argc < 4 || argc > 5 || (total = strtol(argv[3], NULL, 10)) < 1 ||
        (argc == 5 && (size = strtol(argv[4], NULL, 10)) < 1)) {
        fprintf(stderr, "usage: seed_ops CONF BALANCE_ID N [BATCH]\n");
        return 2;
    }
    ct_log_setup("seed_ops", LOG_WARNING);
    if (ct_conf_load(argv[1], &conf, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "seed_ops: bad configuration: %s\n", why);
        return 2;
    }
    if (ct_db_open(&conf, &db) != CT_OK) {
        fprintf(stderr, "seed_ops: cannot connect to the database\n");
        return 2;
    }
    err = ct_db_query(db, owner, &rows, "s", argv[2]);
    if (err == CT_OK && (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &partner_id) ||
                         ct_rows_str(rows, 0, 1) == NULL))
        err = CT_E_NOTFOUND;
    if (err == CT_OK)
        (void)snprintf(customer, sizeof(customer), "%s", ct_rows_str(rows, 0, 1));
    ct_rows_free(rows);
    if (err == CT_OK)
        err = ct_balance_get(db, partner_id, customer, argv[2], &b);
    /* (the reads above left a transaction open: ct_db_txn ends it before the first unit) */
    if (err != CT_OK) {
        fprintf(stderr, "seed_ops: balance %s not found\n", argv[2]);
        goto out;
    }
    t0 = now_s();
    memset(&bt, 0, sizeof(bt));
    bt.b = &b;
    while (done < total) {
        bt.n = total - done < size ? total - done : size;
        bt.code = NULL;
        err = ct_db_txn(db, batch_unit, &bt);
        if (err != CT_OK) {
            fprintf(stderr, "seed_ops: reload failed after %ld: %s\n", done,
                    bt.code != NULL ? bt.code : "error");
            goto out;
        }
        done += bt.n;
    }
    printf("seed_ops: %ld operations on %s (account %lld) in %.1f s\n", done, argv[2],
           (long long)b.account_id, now_s() - t0);
    rc = 0;
out:
    ct_db_close(db);
    return rc;
}
