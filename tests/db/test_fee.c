/* test_fee.c - fees against a real MariaDB: the schedule replaced whole (and the optimistic
 * version check), a fee is one balanced ledger entry to the partner's fee income account, a
 * balance too low makes it due and a later collection books it exactly once, the account
 * creation fee of ct_balance_open, monthly fees charged once however often the run goes, and
 * many processes charging fees against one balance never overdraw it. The stack's scheduler runs
 * its own `fees` task meanwhile (last month only): the tests use periods years back, their own
 * partners, and assert on end states that hold whoever collected first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ct/ct_balance.h"
#include "ct/ct_customer.h"
#include "ct/ct_fee.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define N_PROCS 8
#define N_ATTEMPTS 240 /* over the children */
#define K_COVERED 60   /* fees the balance covers */
#define FEE 300        /* 3.00 EUR a transfer */

struct fx {
    struct fixture fx; /* first: fixture_group_setup allocates the whole */
    long tag;
};

static struct ct_fee_schedule sched, got; /* large: static */

/* ---- helpers ---------------------------------------------------------------------------- */

struct partner_ctx {
    long tag;
    int64_t id;
};

static enum ct_err
partner_fn(struct ct_db *db, void *arg)
{
    static const char sql_p[] = "INSERT INTO partner (public_id, name) VALUES (UUID(), ?)";
    /* account numbers far from any other run's (IBANs are unique) */
    static const char sql_b[] =
        "INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic, next_seq) "
        "VALUES (?, 'EUR', 'FR1420041010050500013M02606', 10, 'TESTFRPPXXX', ?)";
    struct partner_ctx *p = arg;
    char name[64];
    enum ct_err err;

    (void)snprintf(name, sizeof(name), "fee-test-%ld", p->tag);
    err = ct_db_exec(db, sql_p, NULL, "s", name);
    p->id = ct_db_last_id(db);
    return err == CT_OK ? ct_db_exec(db, sql_b, NULL, "ll", p->id,
                                     (int64_t)(60000000000LL + (p->tag * 7919) % 30000000000LL))
                        : err;
}

/* A partner of the test's own, with an EUR base IBAN. */
static int64_t
new_partner(struct fx *f)
{
    struct partner_ctx p = {++f->tag, 0};

    assert_int_equal(ct_db_txn(f->fx.db, partner_fn, &p), CT_OK);
    return p.id;
}

static void
say(void *arg, const char *field, const char *message)
{
    (void)arg;
    fprintf(stderr, "schedule: %s: %s\n", field, message);
}

/* Replace the partner's schedule with the JSON rules given. */
static void
set_schedule(struct ct_db *db, int64_t partner, const char *json)
{
    const char *code = NULL;

    assert_int_equal(ct_fee_schedule_parse(json, strlen(json), &sched, say, NULL), CT_OK);
    assert_int_equal(ct_fee_schedule_set(db, partner, &sched, -1, &got, &code), CT_OK);
}

struct move_ctx {
    int64_t partner, account, amount;
};

static enum ct_err
move_fn(struct ct_db *db, void *arg)
{
    struct move_ctx *m = arg;
    struct ct_leg legs[2];
    struct ct_entry e;
    int64_t bank = 0, entry = 0;
    const char *code = NULL;
    enum ct_err err =
        ct_ledger_account_open(db, m->partner, CT_ACCT_BANK_INTERNAL, "EUR", true, &bank);

    legs[0] = (struct ct_leg){m->account, m->amount};
    legs[1] = (struct ct_leg){bank, -m->amount};
    e = (struct ct_entry){m->partner, "reload", "fee test", "EUR", legs, 2, NULL};
    return err == CT_OK ? ct_ledger_post(db, &e, &entry, &code) : err;
}

/* Money onto an account, from a bank-side account of the test's. */
static void
fund(struct ct_db *db, int64_t partner, int64_t account, int64_t amount)
{
    struct move_ctx m = {partner, account, amount};

    assert_int_equal(ct_db_txn(db, move_fn, &m), CT_OK);
}

struct charge_ctx {
    struct ct_fee_event_ref ref;
    struct ct_fee_result res;
};

static enum ct_err
charge_fn(struct ct_db *db, void *arg)
{
    struct charge_ctx *c = arg;

    return ct_fee_charge_event(db, &c->ref, &c->res);
}

static struct ct_fee_result
charge(struct ct_db *db, int64_t partner, enum ct_fee_event event, int64_t account, int64_t amount,
       const char *period)
{
    struct charge_ctx c;

    memset(&c, 0, sizeof(c));
    c.ref = (struct ct_fee_event_ref){partner, event, account, "EUR", amount, NULL, period, NULL};
    assert_int_equal(ct_db_txn(db, charge_fn, &c), CT_OK);
    return c.res;
}

static int64_t
available(struct ct_db *db, int64_t account)
{
    struct ct_account a;

    assert_int_equal(ct_ledger_account_get(db, account, &a), CT_OK);
    return a.available;
}

static int64_t
income_balance(struct ct_db *db, int64_t partner)
{
    static const char sql[] =
        "SELECT COALESCE(SUM(a.balance), 0) FROM partner_account pa JOIN ledger_account a "
        "ON a.id = pa.account_id WHERE pa.partner_id = ? AND pa.role = 'fee_income'";

    return fixture_i64(db, sql, partner);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void
test_schedule_replace(void **state)
{
    static const char sql_income[] =
        "SELECT COUNT(*) FROM partner_account pa JOIN ledger_account a ON a.id = pa.account_id "
        "WHERE pa.partner_id = ? AND pa.role = 'fee_income' AND a.kind = 'fee_income'";
    struct fx *f = *state;
    int64_t partner = new_partner(f);
    const char *code = NULL;

    assert_int_equal(ct_fee_schedule_load(f->fx.db, partner, &got), CT_OK);
    assert_int_equal(got.n, 0);
    assert_int_equal(got.version, 0);
    set_schedule(f->fx.db, partner,
                 "{\"rules\":[{\"event\":\"card_creation\",\"currency\":\"EUR\",\"fixed\":\"5\"},"
                 "{\"event\":\"card_creation\",\"currency\":\"PLN\",\"fixed\":\"20\"},"
                 "{\"event\":\"atm\",\"currency\":\"EUR\",\"fixed\":\"1.50\",\"rate_bp\":100,"
                 "\"min\":\"2\",\"max\":\"10\"}]}");
    assert_int_equal(got.version, 1);
    assert_int_equal(got.n, 3);
    assert_true(got.updated_at[0] != '\0');
    /* stored in event order, then currency */
    assert_int_equal(got.rules[0].event, CT_FEE_CARD_CREATION);
    assert_string_equal(got.rules[0].currency, "EUR");
    assert_int_equal(got.rules[2].event, CT_FEE_ATM);
    assert_int_equal(got.rules[2].max, 1000);
    /* the fee income accounts of each currency */
    assert_int_equal(fixture_i64(f->fx.db, sql_income, partner), 2 * CT_FEE_INCOME_SHARDS);
    /* replaced whole; a stale version is refused and changes nothing */
    set_schedule(f->fx.db, partner,
                 "{\"rules\":[{\"event\":\"transfer\",\"currency\":\"EUR\",\"fixed\":\"0.2\"}]}");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.n, 1);
    assert_int_equal(ct_fee_schedule_set(f->fx.db, partner, &sched, 1, &got, &code), CT_E_CONFLICT);
    assert_string_equal(code, "FEE_SCHEDULE_CHANGED");
    assert_int_equal(ct_fee_schedule_set(f->fx.db, partner, &sched, 2, &got, &code), CT_OK);
    assert_int_equal(got.version, 3);
    assert_int_equal(ct_fee_schedule_load(f->fx.db, partner, &got), CT_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.rules[0].fixed, 20);
    /* kept, not opened again */
    assert_int_equal(fixture_i64(f->fx.db, sql_income, partner), 2 * CT_FEE_INCOME_SHARDS);
}

static void
test_fee_is_entry(void **state)
{
    static const char sql_entry[] =
        "SELECT COUNT(*) FROM ledger_entry e JOIN fee_charge fc ON fc.entry_id = e.id "
        "WHERE fc.id = ? AND e.kind = 'fee' AND (SELECT SUM(amount) FROM ledger_posting "
        "WHERE entry_id = e.id) = 0 AND (SELECT COUNT(*) FROM ledger_posting WHERE entry_id = "
        "e.id) = 2 AND fc.status = 'charged'";
    struct fx *f = *state;
    int64_t partner = new_partner(f), user = fixture_user_account(f->fx.db, partner, "EUR");
    struct ct_fee_result r;

    set_schedule(f->fx.db, partner,
                 "{\"rules\":[{\"event\":\"card_creation\",\"currency\":\"EUR\",\"fixed\":\"5\"},"
                 "{\"event\":\"atm\",\"currency\":\"EUR\",\"fixed\":\"1.50\",\"rate_bp\":100,"
                 "\"min\":\"2\",\"max\":\"10\"},"
                 "{\"event\":\"pos\",\"currency\":\"EUR\"}]}");
    fund(f->fx.db, partner, user, 10000);
    r = charge(f->fx.db, partner, CT_FEE_CARD_CREATION, user, 0, NULL);
    assert_int_equal(r.status, CT_FEE_CHARGED);
    assert_int_equal(r.amount, 500);
    assert_true(r.entry_id > 0);
    assert_int_equal(fixture_i64(f->fx.db, sql_entry, r.charge_id), 1);
    assert_int_equal(available(f->fx.db, user), 9500);
    assert_int_equal(income_balance(f->fx.db, partner), 500);
    /* ATM 20.00: 1.50 + 1 % = 1.70, raised to the 2.00 minimum; 2000.00 would be 21.50: 10.00 */
    r = charge(f->fx.db, partner, CT_FEE_ATM, user, 2000, NULL);
    assert_int_equal(r.amount, 200);
    fund(f->fx.db, partner, user, 200000);
    r = charge(f->fx.db, partner, CT_FEE_ATM, user, 200000, NULL);
    assert_int_equal(r.amount, 1000);
    /* a free event and an event without a rule record nothing */
    assert_int_equal(charge(f->fx.db, partner, CT_FEE_POS, user, 5000, NULL).status, CT_FEE_NONE);
    assert_int_equal(charge(f->fx.db, partner, CT_FEE_FX, user, 5000, NULL).status, CT_FEE_NONE);
    assert_int_equal(available(f->fx.db, user), 210000 - 500 - 200 - 1000);
    assert_int_equal(income_balance(f->fx.db, partner), 1700);
    assert_int_equal(fixture_violations(f->fx.db), 0);
}

static void
test_due_then_collected_once(void **state)
{
    static const char sql_status[] = "SELECT status = 'charged' FROM fee_charge WHERE id = ?";
    static const char sql_entries[] =
        "SELECT COUNT(*) FROM ledger_posting p JOIN ledger_entry e ON e.id = p.entry_id "
        "WHERE p.account_id = ? AND e.kind = 'fee'";
    struct fx *f = *state;
    int64_t partner = new_partner(f), user = fixture_user_account(f->fx.db, partner, "EUR");
    struct ct_fee_result r;
    struct ct_fee_run run;

    set_schedule(
        f->fx.db, partner,
        "{\"rules\":[{\"event\":\"card_creation\",\"currency\":\"EUR\",\"fixed\":\"5\"}]}");
    fund(f->fx.db, partner, user, 300);
    r = charge(f->fx.db, partner, CT_FEE_CARD_CREATION, user, 0, NULL);
    assert_int_equal(r.status, CT_FEE_DUE);
    assert_int_equal(r.entry_id, 0);
    assert_int_equal(available(f->fx.db, user), 300); /* nothing moved, never an overdraft */
    assert_int_equal(fixture_i64(f->fx.db, sql_status, r.charge_id), 0);
    /* still not covered: a collection leaves it due */
    assert_int_equal(ct_fee_collect_due(f->fx.db, NULL, NULL, &run), CT_OK);
    assert_int_equal(fixture_i64(f->fx.db, sql_status, r.charge_id), 0);
    assert_int_equal(available(f->fx.db, user), 300);
    /* covered: collected (by this run or the stack's scheduler), once */
    fund(f->fx.db, partner, user, 1000);
    assert_int_equal(ct_fee_collect_due(f->fx.db, NULL, NULL, &run), CT_OK);
    assert_int_equal(ct_fee_collect_due(f->fx.db, NULL, NULL, &run), CT_OK);
    assert_int_equal(fixture_i64(f->fx.db, sql_status, r.charge_id), 1);
    assert_int_equal(fixture_i64(f->fx.db, sql_entries, user), 1);
    assert_int_equal(available(f->fx.db, user), 800);
    assert_int_equal(income_balance(f->fx.db, partner), 500);
    assert_int_equal(fixture_violations(f->fx.db), 0);
}

struct open_ctx {
    struct ct_customer owner;
    struct ct_balance bal;
    int64_t partner;
};

static enum ct_err
open_fn(struct ct_db *db, void *arg)
{
    /* a balance of 2019: the monthly test's periods are years back, far from the scheduler's */
    static const char sql_back[] = "UPDATE balance SET created_at = '2019-01-10 09:00:00' "
                                   "WHERE id = ?";
    struct open_ctx *c = arg;
    const char *code = NULL;
    enum ct_err err;

    c->owner.partner_id = c->partner;
    err = ct_customer_insert(db, &c->owner);
    if (err == CT_OK)
        err = fixture_verify(db, c->partner, c->owner.id);
    if (err == CT_OK)
        err = ct_balance_open(db, c->partner, c->owner.id, "EUR", &c->bal, &code);
    return err == CT_OK ? ct_db_exec(db, sql_back, NULL, "s", c->bal.id) : err;
}

static struct ct_balance
open_balance(struct fx *f, int64_t partner)
{
    static int n;
    struct open_ctx c;

    memset(&c, 0, sizeof(c));
    c.partner = partner;
    (void)snprintf(c.owner.email, sizeof(c.owner.email), "fee%ld-%d@example.com", f->tag, ++n);
    (void)snprintf(c.owner.phone, sizeof(c.owner.phone), "+33612345678");
    (void)snprintf(c.owner.first_name, sizeof(c.owner.first_name), "Ada");
    (void)snprintf(c.owner.last_name, sizeof(c.owner.last_name), "Fee");
    (void)snprintf(c.owner.country, sizeof(c.owner.country), "FR");
    (void)snprintf(c.owner.birth_date, sizeof(c.owner.birth_date), "1990-01-01");
    assert_int_equal(ct_db_txn(f->fx.db, open_fn, &c), CT_OK);
    return c.bal;
}

static void
test_account_creation_fee(void **state)
{
    static const char sql_due[] = "SELECT COUNT(*) FROM fee_charge WHERE account_id = ? "
                                  "AND event = 'account_creation' AND status = 'due' "
                                  "AND amount = 250";
    struct fx *f = *state;
    int64_t partner = new_partner(f);
    struct ct_balance b;
    struct ct_fee_run run;

    set_schedule(f->fx.db, partner,
                 "{\"rules\":[{\"event\":\"account_creation\",\"currency\":\"EUR\","
                 "\"fixed\":\"2.50\"}]}");
    b = open_balance(f, partner);
    /* a new balance is empty: the fee is due, the balance opened all the same */
    assert_int_equal(fixture_i64(f->fx.db, sql_due, b.account_id), 1);
    assert_int_equal(available(f->fx.db, b.account_id), 0);
    fund(f->fx.db, partner, b.account_id, 1000);
    assert_int_equal(ct_fee_collect_due(f->fx.db, NULL, NULL, &run), CT_OK);
    assert_int_equal(fixture_i64(f->fx.db, sql_due, b.account_id), 0);
    assert_int_equal(available(f->fx.db, b.account_id), 750);
    /* a partner without a schedule charges nothing: the balance opens as before */
    b = open_balance(f, new_partner(f));
    assert_int_equal(available(f->fx.db, b.account_id), 0);
}

static void
test_monthly_once(void **state)
{
    static const char sql_rows[] = "SELECT COUNT(*) FROM fee_charge WHERE account_id = ? "
                                   "AND event = 'monthly_account' AND period = '2019-05'";
    static const char sql_card_rows[] = "SELECT COUNT(*) FROM fee_charge WHERE account_id = ? "
                                        "AND event = 'monthly_card' AND period = '2019-05'";
    static const char sql_sum[] = "SELECT COALESCE(SUM(amount), 0) FROM fee_charge "
                                  "WHERE account_id = ? AND status = 'charged'";
    static const char sql_sum_may[] = "SELECT COALESCE(SUM(amount), 0) FROM fee_charge "
                                      "WHERE account_id = ? AND status = 'charged' "
                                      "AND period = '2019-05'";
    struct fx *f = *state;
    int64_t partner = new_partner(f);
    struct ct_balance b, poor;
    struct ct_fee_run run;
    struct ct_fee_card cards[3];

    set_schedule(f->fx.db, partner,
                 "{\"rules\":[{\"event\":\"monthly_account\",\"currency\":\"EUR\",\"fixed\":\"2\"},"
                 "{\"event\":\"monthly_card\",\"currency\":\"EUR\",\"fixed\":\"1\"}]}");
    b = open_balance(f, partner);
    poor = open_balance(f, partner);
    fund(f->fx.db, partner, b.account_id, 10000);
    assert_int_equal(ct_fee_monthly_accounts(f->fx.db, "2019-05", NULL, NULL, &run), CT_OK);
    assert_true(run.charged >= 1);
    assert_true(run.due >= 1); /* the empty balance */
    assert_int_equal(run.failed, 0);
    assert_int_equal(ct_fee_monthly_accounts(f->fx.db, "2019-05", NULL, NULL, &run), CT_OK);
    assert_int_equal(fixture_i64(f->fx.db, sql_rows, b.account_id), 1);
    assert_int_equal(fixture_i64(f->fx.db, sql_rows, poor.account_id), 1);
    /* the unique key holds even when called for it directly */
    assert_int_equal(
        charge(f->fx.db, partner, CT_FEE_MONTHLY_ACCOUNT, b.account_id, 0, "2019-05").status,
        CT_FEE_ALREADY);
    /* a month before the balance existed: nothing */
    assert_int_equal(ct_fee_monthly_accounts(f->fx.db, "2018-12", NULL, NULL, &run), CT_OK);
    assert_int_equal(fixture_i64(f->fx.db,
                                 "SELECT COUNT(*) FROM fee_charge WHERE account_id = ? "
                                 "AND period = '2018-12'",
                                 b.account_id),
                     0);
    /* per card, from the caller's list: two cards on one balance, the second listed twice */
    cards[0] = (struct ct_fee_card){partner, "card-a", b.account_id, "EUR"};
    cards[1] = (struct ct_fee_card){partner, "card-b", b.account_id, "EUR"};
    cards[2] = cards[1];
    assert_int_equal(ct_fee_monthly_cards(f->fx.db, cards, 3, "2019-05", NULL, NULL, &run), CT_OK);
    assert_int_equal(run.charged, 2);
    assert_int_equal(run.already, 1);
    assert_int_equal(ct_fee_monthly_cards(f->fx.db, cards, 3, "2019-05", NULL, NULL, &run), CT_OK);
    assert_int_equal(run.charged, 0);
    assert_int_equal(run.already, 3);
    assert_int_equal(fixture_i64(f->fx.db, sql_card_rows, b.account_id), 2);
    assert_int_equal(ct_fee_monthly_cards(f->fx.db, cards, 1, "2019-13", NULL, NULL, &run),
                     CT_E_BADREQ);
    /* what left the balance is what its charged fees say (the stack's scheduler may charge it
     * last month's fee meanwhile: these balances are old enough), and 2019-05's are there */
    assert_int_equal(fixture_i64(f->fx.db, sql_sum, b.account_id),
                     10000 - available(f->fx.db, b.account_id));
    assert_int_equal(fixture_i64(f->fx.db, sql_sum_may, b.account_id), 200 + 2 * 100);
    assert_int_equal(fixture_violations(f->fx.db), 0);
}

/* A child: its own connection, `attempts` transfer fees on the shared account; reports
 * "charged due errors". */
static void
charge_child(const struct fx *f, int64_t partner, int64_t account, int attempts, int out_fd)
{
    struct ct_db *db = NULL;
    int counts[3] = {0, 0, 0}, i; /* charged, due, errors */

    if (fixture_child_open(&f->fx.conf, &db) != 0)
        _exit(3);
    for (i = 0; i < attempts; i++) {
        struct charge_ctx c;
        enum ct_err err;

        memset(&c, 0, sizeof(c));
        c.ref = (struct ct_fee_event_ref){
            partner, CT_FEE_TRANSFER, account, "EUR", 1000, NULL, NULL, NULL};
        err = ct_db_txn(db, charge_fn, &c);
        if (err == CT_OK && c.res.status == CT_FEE_CHARGED)
            counts[0]++;
        else if (err == CT_OK && c.res.status == CT_FEE_DUE)
            counts[1]++;
        else
            counts[2]++;
    }
    fixture_child_exit(db, out_fd, counts, 3);
}

static void
test_concurrent_never_overdraw(void **state)
{
    static const char sql_neg[] = "SELECT COUNT(*) FROM ledger_posting WHERE account_id = ? "
                                  "AND balance_after < 0";
    static const char sql_charged[] = "SELECT COUNT(*) FROM fee_charge WHERE account_id = ? "
                                      "AND status = 'charged'";
    struct fx *f = *state;
    int64_t partner = new_partner(f), user = fixture_user_account(f->fx.db, partner, "EUR");
    pid_t pids[N_PROCS];
    char buf[N_PROCS * 64];
    int pfd[2], i, sums[3];

    /* 2.50 + 0.5 % of 10.00 = 2.55, raised to 3.00 */
    set_schedule(f->fx.db, partner,
                 "{\"rules\":[{\"event\":\"transfer\",\"currency\":\"EUR\",\"fixed\":\"2.5\","
                 "\"rate_bp\":50,\"min\":\"3\"}]}");
    fund(f->fx.db, partner, user, K_COVERED * FEE);
    assert_int_equal(pipe(pfd), 0);
    for (i = 0; i < N_PROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            (void)close(pfd[0]);
            charge_child(f, partner, user, N_ATTEMPTS / N_PROCS, pfd[1]);
        }
    }
    (void)close(pfd[1]);
    assert_int_equal(fixture_collect(pfd[0], pids, N_PROCS, buf, sizeof(buf)), 0);
    fixture_sum_lines(buf, 3, sums); /* charged, due, errors */
    /* exactly what the balance covered, the rest due; never below zero */
    assert_int_equal(sums[2], 0);
    assert_int_equal(sums[0], K_COVERED);
    assert_int_equal(sums[1], N_ATTEMPTS - K_COVERED);
    assert_int_equal(available(f->fx.db, user), 0);
    assert_int_equal(fixture_i64(f->fx.db, sql_neg, user), 0);
    assert_int_equal(fixture_i64(f->fx.db, sql_charged, user), K_COVERED);
    assert_int_equal(income_balance(f->fx.db, partner), K_COVERED * FEE);
    assert_int_equal(fixture_violations(f->fx.db), 0);
}

static int
group_setup(void **state)
{
    struct fx *f;

    if (fixture_group_setup(state, "test_fee", sizeof(*f)) != 0)
        return -1;
    f = *state;
    f->tag = (long)time(NULL) * 100 + (long)getpid() % 100;
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_replace),
        cmocka_unit_test(test_fee_is_entry),
        cmocka_unit_test(test_due_then_collected_once),
        cmocka_unit_test(test_account_creation_fee),
        cmocka_unit_test(test_monthly_once),
        cmocka_unit_test(test_concurrent_never_overdraw),
    };

    return cmocka_run_group_tests(tests, group_setup, fixture_group_teardown);
}
