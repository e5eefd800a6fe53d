/* test_partner_balance.c - partner credit, deposit and technical balances against a real MariaDB:
 * opening, reloads spread over the shards, charges that even the shards out, exact refusals when
 * the whole balance cannot cover a charge (many processes at once), the summary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_partner_balance.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define N_PROCS 16
#define N_ATTEMPTS 320
#define K_SUCCESS 100
#define CHARGE 700

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
};

struct unit {
    int op; /* 0 open, 1 reload, 2 charge */
    int64_t partner_id;
    enum ct_pbal_type type;
    const char *currency;
    struct ct_pbal pb;
    struct ct_pbal_charge charge;
    int64_t amount, entry_id, after;
    const char *code;
};

static enum ct_err
unit_fn(struct ct_db *db, void *arg)
{
    struct unit *u = arg;

    switch (u->op) {
    case 0:
        return ct_pbal_open(db, u->partner_id, u->type, u->currency, &u->pb, &u->code);
    case 1:
        return ct_pbal_reload(db, &u->pb, u->amount, "test funds", &u->entry_id, &u->code);
    default:
        return ct_pbal_charge(db, &u->charge, &u->entry_id, &u->after, &u->code);
    }
}

static enum ct_err
run(struct ct_db *db, struct unit *u)
{
    u->code = NULL;
    return ct_db_txn(db, unit_fn, u);
}

struct partner_ctx {
    char public_id[CT_UUID_LEN + 1];
    int64_t id;
};

static enum ct_err
partner_fn(struct ct_db *db, void *arg)
{
    static const char sql[] = "INSERT INTO partner (public_id, name) VALUES (?, ?)";
    struct partner_ctx *p = arg;
    char name[64];
    enum ct_err err;

    (void)snprintf(name, sizeof(name), "pbal test %s", p->public_id);
    err = ct_db_exec(db, sql, NULL, "ss", p->public_id, name);
    p->id = ct_db_last_id(db);
    return err;
}

/* A partner of the test's own: no balance of any kind yet. */
static int64_t
new_partner(struct ct_db *db)
{
    struct partner_ctx p;

    assert_int_equal(ct_uuid_new(p.public_id), CT_OK);
    assert_int_equal(ct_db_txn(db, partner_fn, &p), CT_OK);
    return p.id;
}

static struct ct_pbal
open_funded(struct ct_db *db, int64_t partner, enum ct_pbal_type type, int64_t amount)
{
    struct unit u;

    memset(&u, 0, sizeof(u));
    u.partner_id = partner;
    u.type = type;
    u.currency = "EUR";
    assert_int_equal(run(db, &u), CT_OK);
    if (amount > 0) {
        u.op = 1;
        u.amount = amount;
        assert_int_equal(run(db, &u), CT_OK);
        assert_int_equal(ct_pbal_get(db, partner, u.pb.id, &u.pb), CT_OK);
    }
    return u.pb;
}

static enum ct_err
charge(struct ct_db *db, int64_t partner, const char *currency, int64_t key, int64_t to,
       int64_t amount, const char **code)
{
    struct unit u;
    enum ct_err err;

    memset(&u, 0, sizeof(u));
    u.op = 2;
    u.charge.partner_id = partner;
    u.charge.type = CT_PBAL_CREDIT;
    u.charge.currency = currency;
    u.charge.key = key;
    u.charge.to_account = to;
    u.charge.amount = amount;
    u.charge.kind = "reload";
    err = run(db, &u);
    *code = u.code;
    return err;
}

static int64_t
shard_extreme(struct ct_db *db, int64_t partner, bool max)
{
    static const char sql_min[] =
        "SELECT MIN(a.balance) FROM partner_account pa JOIN ledger_account a "
        "ON a.id = pa.account_id WHERE pa.partner_id = ? AND pa.role = 'credit'";
    static const char sql_max[] =
        "SELECT MAX(a.balance) FROM partner_account pa JOIN ledger_account a "
        "ON a.id = pa.account_id WHERE pa.partner_id = ? AND pa.role = 'credit'";

    return fixture_i64(db, max ? sql_max : sql_min, partner);
}

static void
test_open_and_list(void **state)
{
    struct fx *f = *state;
    int64_t partner = new_partner(f->db), other = new_partner(f->db);
    struct ct_pbal credit = open_funded(f->db, partner, CT_PBAL_CREDIT, 0), got, *items = NULL;
    struct unit u;
    size_t n = 0;

    assert_int_equal(credit.type, CT_PBAL_CREDIT);
    assert_int_equal(credit.shards, 16);
    assert_int_equal(credit.balance, 0);
    assert_string_equal(credit.currency, "EUR");
    /* a second one of the same type and currency is refused, and changes nothing */
    memset(&u, 0, sizeof(u));
    u.partner_id = partner;
    u.type = CT_PBAL_CREDIT;
    u.currency = "EUR";
    assert_int_equal(run(f->db, &u), CT_E_CONFLICT);
    assert_string_equal(u.code, "PARTNER_BALANCE_EXISTS");
    /* the deposit does not open a second technical balance */
    (void)open_funded(f->db, partner, CT_PBAL_DEPOSIT, 0);
    assert_int_equal(ct_pbal_list(f->db, partner, &items, &n), CT_OK);
    assert_int_equal(n, 3);
    assert_int_equal(items[0].type, CT_PBAL_CREDIT);
    assert_int_equal(items[1].type, CT_PBAL_DEPOSIT);
    assert_int_equal(items[2].type, CT_PBAL_TECHNICAL);
    assert_int_equal(items[2].shards, 1);
    free(items);
    /* another partner sees none of it */
    assert_int_equal(ct_pbal_get(f->db, other, credit.id, &got), CT_E_NOTFOUND);
    assert_int_equal(ct_pbal_list(f->db, other, &items, &n), CT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ct_pbal_get(f->db, partner, "not-a-uuid", &got), CT_E_NOTFOUND);
    assert_int_equal(ct_pbal_type_from_name("Credit"), 0);
}

static void
test_reload_spreads(void **state)
{
    struct fx *f = *state;
    int64_t partner = new_partner(f->db);
    struct ct_pbal credit = open_funded(f->db, partner, CT_PBAL_CREDIT, 10003), *items = NULL;
    struct unit u;
    size_t n = 0;

    assert_int_equal(credit.balance, 10003);
    assert_int_equal(credit.available, 10003);
    /* 10003 = 16 * 625 + 3: every shard has 625 or 626 */
    assert_int_equal(shard_extreme(f->db, partner, false), 625);
    assert_int_equal(shard_extreme(f->db, partner, true), 626);
    /* a technical balance takes no reload */
    assert_int_equal(ct_pbal_list(f->db, partner, &items, &n), CT_OK);
    assert_int_equal(n, 2);
    memset(&u, 0, sizeof(u));
    u.op = 1;
    u.pb = items[1];
    u.amount = 100;
    free(items);
    assert_int_equal(u.pb.type, CT_PBAL_TECHNICAL);
    assert_int_equal(run(f->db, &u), CT_E_RULE);
    assert_string_equal(u.code, "TECHNICAL_BALANCE_NOT_RELOADABLE");
    assert_int_equal(fixture_violations(f->db), 0);
}

static void
test_charge_evens_out(void **state)
{
    struct fx *f = *state;
    int64_t partner = new_partner(f->db);
    struct ct_pbal credit = open_funded(f->db, partner, CT_PBAL_CREDIT, 10000);
    int64_t user = fixture_account(f->db, "EUR", false);
    const char *code = NULL;

    /* 625 per shard: 5000 fits only once the shards are evened out */
    assert_int_equal(charge(f->db, partner, "EUR", 7, user, 5000, &code), CT_OK);
    assert_int_equal(ct_pbal_get(f->db, partner, credit.id, &credit), CT_OK);
    assert_int_equal(credit.balance, 5000);
    /* more than the whole balance: refused, and nothing moved */
    assert_int_equal(charge(f->db, partner, "EUR", 8, user, 5001, &code), CT_E_RULE);
    assert_string_equal(code, "PARTNER_INSUFFICIENT_FUNDS");
    assert_int_equal(ct_pbal_get(f->db, partner, credit.id, &credit), CT_OK);
    assert_int_equal(credit.balance, 5000);
    /* exactly all of it, from another shard */
    assert_int_equal(charge(f->db, partner, "EUR", 9, user, 5000, &code), CT_OK);
    assert_int_equal(ct_pbal_get(f->db, partner, credit.id, &credit), CT_OK);
    assert_int_equal(credit.balance, 0);
    assert_int_equal(shard_extreme(f->db, partner, false), 0);
    assert_int_equal(charge(f->db, partner, "EUR", 9, user, 1, &code), CT_E_RULE);
    assert_string_equal(code, "PARTNER_INSUFFICIENT_FUNDS");
    /* no credit balance in the currency */
    assert_int_equal(
        charge(f->db, partner, "PLN", 9, fixture_account(f->db, "PLN", false), 1, &code),
        CT_E_RULE);
    assert_string_equal(code, "PARTNER_BALANCE_MISSING");
    assert_int_equal(fixture_violations(f->db), 0);
}

/* A child: its own connection, `attempts` charges to its own user account (so to its own shard
 * unless keys collide); reports "ok refused errors". */
static void
charge_child(const struct fx *f, int64_t partner, int64_t user, int attempts, int out_fd)
{
    struct ct_db *db = NULL;
    int ok = 0, refused = 0, errors = 0, i, n;
    const char *code = NULL;
    char line[64];

    if (fixture_child_open(&f->conf, &db) != 0)
        _exit(3);
    for (i = 0; i < attempts; i++) {
        enum ct_err err = charge(db, partner, "EUR", user, user, CHARGE, &code);

        if (err == CT_OK)
            ok++;
        else if (err == CT_E_RULE && strcmp(code, "PARTNER_INSUFFICIENT_FUNDS") == 0)
            refused++;
        else
            errors++;
    }
    ct_db_close(db);
    n = snprintf(line, sizeof(line), "%d %d %d\n", ok, refused, errors);
    _exit(n > 0 && write(out_fd, line, (size_t)n) == n ? 0 : 4);
}

static void
test_concurrent_charges(void **state)
{
    static const char sql_neg[] =
        "SELECT COUNT(*) FROM ledger_posting p JOIN partner_account pa ON pa.account_id = "
        "p.account_id WHERE pa.partner_id = ? AND pa.role = 'credit' AND p.balance_after < 0";
    struct fx *f = *state;
    int64_t partner = new_partner(f->db);
    struct ct_pbal credit = open_funded(f->db, partner, CT_PBAL_CREDIT, K_SUCCESS * CHARGE);
    pid_t pids[N_PROCS];
    int64_t users[N_PROCS];
    char buf[N_PROCS * 64];
    int pfd[2], i, ok = 0, refused = 0, errors = 0;
    const char *p;

    for (i = 0; i < N_PROCS; i++)
        users[i] = fixture_account(f->db, "EUR", false);
    assert_int_equal(pipe(pfd), 0);
    for (i = 0; i < N_PROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            (void)close(pfd[0]);
            charge_child(f, partner, users[i], N_ATTEMPTS / N_PROCS, pfd[1]);
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
    /* exactly what the balance could afford, whatever shard each charge met */
    assert_int_equal(errors, 0);
    assert_int_equal(ok, K_SUCCESS);
    assert_int_equal(refused, N_ATTEMPTS - K_SUCCESS);
    assert_int_equal(ct_pbal_get(f->db, partner, credit.id, &credit), CT_OK);
    assert_int_equal(credit.balance, 0);
    assert_int_equal(fixture_i64(f->db, sql_neg, partner), 0); /* no shard ever below zero */
    assert_int_equal(fixture_violations(f->db), 0);
}

struct user_ctx {
    int64_t partner, id;
};

static enum ct_err
user_fn(struct ct_db *db, void *arg)
{
    struct user_ctx *u = arg;

    return ct_ledger_account_open(db, u->partner, CT_ACCT_USER_BALANCE, "EUR", false, &u->id);
}

static void
test_summary(void **state)
{
    struct fx *f = *state;
    int64_t partner = new_partner(f->db);
    struct user_ctx user = {partner, 0};
    struct ct_pbal_summary *s = NULL;
    const char *code = NULL;
    size_t n = 0;

    (void)open_funded(f->db, partner, CT_PBAL_CREDIT, 90000);
    (void)open_funded(f->db, partner, CT_PBAL_DEPOSIT, 20000);
    assert_int_equal(ct_db_txn(f->db, user_fn, &user), CT_OK);
    assert_int_equal(charge(f->db, partner, "EUR", user.id, user.id, 12345, &code), CT_OK);
    assert_int_equal(ct_pbal_summary(f->db, partner, &s, &n), CT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(s[0].currency, "EUR");
    assert_int_equal(s[0].users, 12345);
    assert_int_equal(s[0].credit, 90000 - 12345);
    assert_int_equal(s[0].deposit, 20000);
    assert_int_equal(s[0].technical, 0);
    assert_int_equal(s[0].wallet, 110000); /* the reload moved money inside the wallet */
    free(s);
}

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->db = fixture_open("test_partner_balance", &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
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
        cmocka_unit_test(test_open_and_list),    cmocka_unit_test(test_reload_spreads),
        cmocka_unit_test(test_charge_evens_out), cmocka_unit_test(test_concurrent_charges),
        cmocka_unit_test(test_summary),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
