/* test_third_party.c - which accounts a customer sees (ct_third_party.h) against a real MariaDB
 * (COMPTOIR_DB_* env, migrations applied): own balances oldest first with ties broken by account
 * id, then the ones shared with the customer; closed balances and another partner's never; the
 * one-account lookups (by ledger account, by balance id, the access check alone) agreeing with
 * the list for every account and refusing every other. */
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
#include "ct/ct_customer.h"
#include "ct/ct_db.h"
#include "ct/ct_mem.h"
#include "ct/ct_third_party.h"
#include "db_fixture.h"

enum { ANN, BEN, CLO, NOBODY, NCUST };

/* Two partners; on the first, Ann owns four balances (the third closed), Ben two, and Clo none;
 * Ben shares his first with Ann and Clo, his second with nobody. On the second partner, Ann's
 * namesake account is shared with Ann by a declaration that crosses partners (which nothing
 * should honour). */
struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    long tag;
    int64_t partner, other_partner;
    char partner_name[64];
    struct ct_customer c[NCUST], foreign;
    struct ct_balance ann[4], ben[2], foreign_bal;
};

/* ---- seeding -------------------------------------------------------------------------------- */

/* A partner with an EUR base IBAN whose account numbers no other run uses. */
static enum ct_err
new_partner(struct ct_db *db, const char *name, int64_t first_seq, int64_t *id)
{
    static const char sql_partner[] = "INSERT INTO partner (public_id, name) VALUES (UUID(), ?)";
    static const char sql_base[] =
        "INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic, next_seq) "
        "VALUES (?, 'EUR', 'FR1420041010050500013M02606', 10, 'TESTFRPPXXX', ?)";
    enum ct_err err = ct_db_exec(db, sql_partner, NULL, "s", name);

    *id = ct_db_last_id(db);
    return err == CT_OK ? ct_db_exec(db, sql_base, NULL, "ll", *id, first_seq) : err;
}

static enum ct_err
new_customer(struct ct_db *db, int64_t partner, long tag, const char *first, struct ct_customer *c)
{
    enum ct_err err;

    memset(c, 0, sizeof(*c));
    c->partner_id = partner;
    (void)snprintf(c->email, sizeof(c->email), "tp-%s-%ld@example.com", first, tag);
    (void)snprintf(c->phone, sizeof(c->phone), "+33600000000");
    (void)snprintf(c->first_name, sizeof(c->first_name), "%s", first);
    (void)snprintf(c->last_name, sizeof(c->last_name), "O'Test");
    (void)snprintf(c->country, sizeof(c->country), "FR");
    (void)snprintf(c->birth_date, sizeof(c->birth_date), "1990-01-01");
    err = ct_customer_insert(db, c);
    return err == CT_OK ? fixture_verify(db, partner, c->id) : err;
}

static enum ct_err
share(struct ct_db *db, const struct ct_balance *b, const struct ct_customer *with)
{
    static const char sql[] = "INSERT INTO balance_third_party (balance_id, customer_id, "
                              "granted_by) VALUES (?, ?, ?)";

    return ct_db_exec(db, sql, NULL, "sss", b->id, with->id, b->customer_id);
}

static enum ct_err
seed_unit(struct ct_db *db, void *arg)
{
    /* creation times chosen so that the order is not the order of creation: ann[1] is the
     * oldest, ann[0] and ann[3] tie (account id decides) */
    static const char sql_at[] = "UPDATE balance SET created_at = ? WHERE id = ?";
    static const char sql_close[] = "UPDATE balance SET status = 'closed' WHERE id = ?";
    static const char *const at[4] = {"2024-03-01 10:00:00.000001", "2023-01-01 00:00:00",
                                      "2022-01-01 00:00:00", "2024-03-01 10:00:00.000001"};
    struct fx *f = arg;
    const char *code = NULL;
    char name[64];
    int64_t seq = 70000000000LL + ((int64_t)f->tag * 7919) % 20000000000LL;
    enum ct_err err;
    int i;

    (void)snprintf(f->partner_name, sizeof(f->partner_name), "tp-test-%ld", f->tag);
    (void)snprintf(name, sizeof(name), "tp-other-%ld", f->tag);
    err = new_partner(db, f->partner_name, seq, &f->partner);
    if (err == CT_OK)
        err = new_partner(db, name, seq + 1000, &f->other_partner);
    for (i = 0; i < NCUST && err == CT_OK; i++)
        err = new_customer(db, f->partner, f->tag, (const char *[]){"Ann", "Ben", "Clo", "Dee"}[i],
                           &f->c[i]);
    if (err == CT_OK)
        err = new_customer(db, f->other_partner, f->tag, "Ann", &f->foreign);
    for (i = 0; i < 4 && err == CT_OK; i++) {
        err = ct_balance_open(db, f->partner, f->c[ANN].id, "EUR", &f->ann[i], &code);
        if (err == CT_OK)
            err = ct_db_exec(db, sql_at, NULL, "ss", at[i], f->ann[i].id);
    }
    for (i = 0; i < 2 && err == CT_OK; i++)
        err = ct_balance_open(db, f->partner, f->c[BEN].id, "EUR", &f->ben[i], &code);
    if (err == CT_OK)
        err = ct_balance_open(db, f->other_partner, f->foreign.id, "EUR", &f->foreign_bal, &code);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_close, NULL, "s", f->ann[2].id);
    if (err == CT_OK)
        err = share(db, &f->ben[0], &f->c[ANN]);
    if (err == CT_OK)
        err = share(db, &f->ben[0], &f->c[CLO]);
    if (err == CT_OK)
        err = share(db, &f->foreign_bal, &f->c[ANN]);
    return err;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static size_t
visible(struct fx *f, const char *customer, struct ct_visible **out)
{
    size_t n = 99;

    *out = NULL;
    assert_int_equal(ct_tp_visible(f->db, f->partner, customer, out, &n), CT_OK);
    assert_true((n == 0) == (*out == NULL));
    return n;
}

/* The list entry and both one-account lookups agree on everything. */
static void
expect_same(struct fx *f, const char *customer, const struct ct_visible *v)
{
    struct ct_visible one;
    char currency[4] = "";

    memset(&one, 0x5a, sizeof(one));
    assert_int_equal(ct_tp_visible_one(f->db, f->partner, customer, v->account_id, NULL, &one),
                     CT_OK);
    assert_memory_equal(&one, v, sizeof(one));
    memset(&one, 0x5a, sizeof(one));
    assert_int_equal(ct_tp_visible_one(f->db, f->partner, customer, 0, v->balance_id, &one), CT_OK);
    assert_memory_equal(&one, v, sizeof(one));
    assert_int_equal(ct_tp_visible_currency(f->db, f->partner, customer, v->account_id, currency),
                     CT_OK);
    assert_string_equal(currency, v->currency);
}

static void
expect_hidden(struct fx *f, const char *customer, const struct ct_balance *b)
{
    struct ct_visible one;
    char currency[4] = "";

    assert_int_equal(ct_tp_visible_one(f->db, f->partner, customer, b->account_id, NULL, &one),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_tp_visible_one(f->db, f->partner, customer, 0, b->id, &one), CT_E_NOTFOUND);
    assert_int_equal(ct_tp_visible_currency(f->db, f->partner, customer, b->account_id, currency),
                     CT_E_NOTFOUND);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void
test_own_then_shared(void **state)
{
    struct fx *f = *state;
    struct ct_visible *v = NULL;
    /* oldest first; ann[0] and ann[3] tie on time, the lower account id first; ann[2] closed */
    const struct ct_balance *want[3] = {&f->ann[1], &f->ann[0], &f->ann[3]};
    size_t n, i;

    n = visible(f, f->c[ANN].id, &v);
    assert_int_equal(n, 4);
    for (i = 0; i < 3; i++) {
        assert_string_equal(v[i].balance_id, want[i]->id);
        assert_int_equal(v[i].account_id, want[i]->account_id);
        assert_false(v[i].shared);
        assert_string_equal(v[i].owner_id, f->c[ANN].id);
        assert_string_equal(v[i].owner_first_name, "Ann");
        assert_string_equal(v[i].owner_last_name, "O'Test");
        assert_string_equal(v[i].establishment, f->partner_name);
        assert_string_equal(v[i].iban, want[i]->iban);
        assert_string_equal(v[i].bic, "TESTFRPPXXX");
        assert_string_equal(v[i].currency, "EUR");
        assert_string_equal(v[i].status, "active");
        assert_int_equal(v[i].partner_id, f->partner);
        expect_same(f, f->c[ANN].id, &v[i]);
    }
    assert_true(f->ann[0].account_id < f->ann[3].account_id);
    /* Ben's first balance, shared: Ben's names, the same bank */
    assert_string_equal(v[3].balance_id, f->ben[0].id);
    assert_true(v[3].shared);
    assert_string_equal(v[3].owner_id, f->c[BEN].id);
    assert_string_equal(v[3].owner_first_name, "Ben");
    assert_string_equal(v[3].establishment, f->partner_name);
    expect_same(f, f->c[ANN].id, &v[3]);
    free(v);
}

static void
test_shared_only_and_nothing(void **state)
{
    struct fx *f = *state;
    struct ct_visible *v = NULL;

    /* Clo owns nothing and sees Ben's first balance only */
    assert_int_equal(visible(f, f->c[CLO].id, &v), 1);
    assert_string_equal(v[0].balance_id, f->ben[0].id);
    assert_true(v[0].shared);
    expect_same(f, f->c[CLO].id, &v[0]);
    free(v);
    /* Ben owns two and is nobody's third party */
    assert_int_equal(visible(f, f->c[BEN].id, &v), 2);
    assert_false(v[0].shared || v[1].shared);
    expect_same(f, f->c[BEN].id, &v[0]);
    expect_same(f, f->c[BEN].id, &v[1]);
    free(v);
    /* Dee has nothing; an unknown or malformed customer neither */
    assert_int_equal(visible(f, f->c[NOBODY].id, &v), 0);
    assert_int_equal(visible(f, "00000000-0000-4000-8000-000000000000", &v), 0);
    assert_int_equal(visible(f, "not-a-uuid", &v), 0);
    assert_int_equal(visible(f, NULL, &v), 0);
}

static void
test_refusals(void **state)
{
    struct fx *f = *state;
    struct ct_visible one;
    char currency[4];

    /* another customer's balance, not shared */
    expect_hidden(f, f->c[ANN].id, &f->ben[1]);
    expect_hidden(f, f->c[CLO].id, &f->ann[0]);
    expect_hidden(f, f->c[NOBODY].id, &f->ben[0]);
    /* closed, even to its owner */
    expect_hidden(f, f->c[ANN].id, &f->ann[2]);
    /* another partner's balance, though a declaration names Ann */
    expect_hidden(f, f->c[ANN].id, &f->foreign_bal);
    /* the right customer asked through another partner */
    assert_int_equal(ct_tp_visible_currency(f->db, f->other_partner, f->c[ANN].id,
                                            f->ann[0].account_id, currency),
                     CT_E_NOTFOUND);
    assert_int_equal(
        ct_tp_visible_one(f->db, f->other_partner, f->c[ANN].id, 0, f->ann[0].id, &one),
        CT_E_NOTFOUND);
    /* nothing to look for, and malformed callers */
    assert_int_equal(ct_tp_visible_one(f->db, f->partner, f->c[ANN].id, 0, NULL, &one),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_tp_visible_currency(f->db, f->partner, f->c[ANN].id, 0, currency),
                     CT_E_NOTFOUND);
    assert_int_equal(
        ct_tp_visible_currency(f->db, f->partner, "not-a-uuid", f->ann[0].account_id, currency),
        CT_E_NOTFOUND);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static int
group_setup(void **state)
{
    struct fx *f = ct_calloc(1, sizeof(*f));

    *state = f;
    f->tag = (long)getpid() * 1000 + (long)(time(NULL) % 1000);
    f->db = fixture_open("test_third_party", &f->conf);
    return f->db != NULL && ct_db_txn(f->db, seed_unit, f) == CT_OK ? 0 : -1;
}

static int
group_teardown(void **state)
{
    struct fx *f = *state;

    ct_db_close(f->db);
    free(f);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_own_then_shared),
                                       cmocka_unit_test(test_shared_only_and_nothing),
                                       cmocka_unit_test(test_refusals)};

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
