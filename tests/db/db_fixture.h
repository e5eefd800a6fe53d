/* db_fixture.h - what every test against the stack's MariaDB does first: the configuration from
 * the COMPTOIR_DB_* environment (tests/run-all.sh exports the stack's), one connection, the
 * partner the stack seeded, and ledger accounts of the test's own. Included by tests/db/test_*.c
 * only, after <cmocka.h>. */
#ifndef DB_FIXTURE_H
#define DB_FIXTURE_H
#include <stdint.h>
#include <stdio.h>
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
};

static inline enum ct_err
fixture_account_fn(struct ct_db *db, void *arg)
{
    struct fixture_account_ctx *c = arg;

    return ct_ledger_account_open(db, 0,
                                  c->unbounded ? CT_ACCT_BANK_INTERNAL : CT_ACCT_USER_BALANCE,
                                  c->currency, c->unbounded, &c->id);
}

/* A new ledger account for the test alone: a user balance, or a bank-side one that may go below
 * zero (unbounded), to fund the others. */
static inline int64_t
fixture_account(struct ct_db *db, const char *currency, bool unbounded)
{
    struct fixture_account_ctx c = {currency, unbounded, 0};

    assert_int_equal(ct_db_txn(db, fixture_account_fn, &c), CT_OK);
    assert_true(c.id > 0);
    return c.id;
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
