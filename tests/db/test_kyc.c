/* test_kyc.c - KYC status changes against a real MariaDB (COMPTOIR_DB_* env, migrations applied):
 * every transition allowed and refused with its history row (or none), a change whose expected
 * status is stale writing nothing, and the verified check that gates balances. Includes kyc.c
 * for its static change_status. */
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
#include "../../fcgi/lib/kyc.c"
#include "db_fixture.h"

enum { SUBMIT, DECIDE, STALE, OPEN };

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    int64_t partner;
    long tag;
    int n; /* customers made so far */
};

/* One step of a test, run as its own unit of work. */
struct step {
    struct fx *f;
    const char *customer;
    int what; /* SUBMIT, DECIDE, STALE (change_status from `from`), OPEN (a balance) */
    enum ct_kyc_status to, from;
    int64_t partner; /* 0: the fixture's */
    const char *code;
    bool changed;
    struct ct_balance bal;
};

static const struct ct_kyc_actor tester = {CT_KYC_BY_ADMIN, "test_kyc"};

static enum ct_err
step_unit(struct ct_db *db, void *arg)
{
    static const struct ct_kyc_data data = {"PASSPORT", "AB1234567", "FR",    "2040-01-01", "FR",
                                            "1 rue X",  "",          "Paris", "75001",      "FR"};
    struct step *s = arg;
    int64_t partner = s->partner != 0 ? s->partner : s->f->partner;

    s->code = NULL;
    switch (s->what) {
    case SUBMIT:
        return ct_kyc_submit(db, partner, s->customer, &data, &tester, &s->code);
    case DECIDE:
        return ct_kyc_decide(db, partner, s->customer, s->to, "because", &tester, &s->changed);
    case STALE:
        return change_status(db, partner, s->customer, s->from, s->to, NULL, &tester, 0);
    case OPEN:
        return ct_balance_open(db, partner, s->customer, "EUR", &s->bal, &s->code);
    }
    return CT_E_INTERNAL;
}

static enum ct_err
insert_unit(struct ct_db *db, void *arg)
{
    return ct_customer_insert(db, arg);
}

static void
new_customer(struct fx *f, struct ct_customer *c)
{
    memset(c, 0, sizeof(*c));
    c->partner_id = f->partner;
    (void)snprintf(c->email, sizeof(c->email), "kyc-%ld-%d@example.com", f->tag, f->n++);
    (void)snprintf(c->phone, sizeof(c->phone), "+33600000000");
    (void)snprintf(c->first_name, sizeof(c->first_name), "Kyc");
    (void)snprintf(c->last_name, sizeof(c->last_name), "Test");
    (void)snprintf(c->country, sizeof(c->country), "FR");
    (void)snprintf(c->birth_date, sizeof(c->birth_date), "1990-01-01");
    assert_int_equal(ct_db_txn(f->db, insert_unit, c), CT_OK);
}

/* The customer's status and history as "FROM>TO,FROM>TO,...=STATUS". */
static void
history(struct fx *f, const char *customer, char *out, size_t cap)
{
    struct ct_kyc_view v;
    size_t i, n = 0;

    assert_int_equal(ct_kyc_load(f->db, f->partner, customer, true, &v), CT_OK);
    out[0] = '\0';
    for (i = 0; i < v.nevents; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s>%s", i ? "," : "",
                              ct_kyc_status_name(v.events[i].from),
                              ct_kyc_status_name(v.events[i].to));
    (void)snprintf(out + n, cap - n, "=%s", ct_kyc_status_name(v.status));
    ct_kyc_view_free(&v);
}

static void
expect(struct fx *f, const char *customer, const char *want)
{
    char got[512];

    history(f, customer, got, sizeof(got));
    assert_string_equal(got, want);
}

/* A new customer of the fixture's partner, and a step on it. */
static void
start(struct fx *f, struct ct_customer *c, struct step *s)
{
    new_customer(f, c);
    memset(s, 0, sizeof(*s));
    s->f = f;
    s->customer = c->id;
}

/* One step in a unit of work of its own. */
static enum ct_err
run(struct step *s, int what, enum ct_kyc_status to)
{
    s->what = what;
    s->to = to;
    return ct_db_txn(s->f->db, step_unit, s);
}

/* Each call, its refusal code and its effect, in the order a customer lives them. */
static void
test_transitions(void **state)
{
    struct fx *f = *state;
    struct ct_customer c;
    struct step s;

    start(f, &c, &s);
    expect(f, c.id, "=NONE");
    assert_int_equal(run(&s, OPEN, 0), CT_E_RULE);
    assert_string_equal(s.code, "KYC_NOT_VERIFIED");
    assert_int_equal(run(&s, SUBMIT, 0), CT_OK);
    assert_int_equal(run(&s, SUBMIT, 0), CT_E_CONFLICT);
    assert_string_equal(s.code, "KYC_PENDING");
    assert_int_equal(run(&s, DECIDE, CT_KYC_PENDING), CT_E_RULE);
    assert_int_equal(run(&s, DECIDE, CT_KYC_NONE), CT_E_RULE);
    expect(f, c.id, "NONE>PENDING=PENDING");
    assert_int_equal(run(&s, DECIDE, CT_KYC_VERIFIED), CT_OK);
    assert_true(s.changed);
    assert_int_equal(run(&s, DECIDE, CT_KYC_VERIFIED), CT_OK); /* no change, no row */
    assert_false(s.changed);
    assert_int_equal(run(&s, SUBMIT, 0), CT_E_CONFLICT);
    assert_string_equal(s.code, "KYC_ALREADY_VERIFIED");
    assert_int_equal(run(&s, OPEN, 0), CT_OK);
    assert_string_equal(s.bal.customer_id, c.id);
    expect(f, c.id, "NONE>PENDING,PENDING>VERIFIED=VERIFIED");
    assert_int_equal(run(&s, DECIDE, CT_KYC_REJECTED), CT_OK); /* revoked */
    assert_int_equal(run(&s, OPEN, 0), CT_E_RULE);
    assert_int_equal(run(&s, SUBMIT, 0), CT_OK);
    expect(f, c.id, "NONE>PENDING,PENDING>VERIFIED,VERIFIED>REJECTED,REJECTED>PENDING=PENDING");
}

/* A change from a status the customer no longer has writes neither status nor history: the
 * conditional UPDATE matches nothing, and the unit is re-run (and here gives up, busy). */
static void
test_stale_change_writes_nothing(void **state)
{
    struct fx *f = *state;
    struct ct_customer c;
    struct step s;

    start(f, &c, &s);
    s.from = CT_KYC_PENDING;
    assert_int_equal(run(&s, STALE, CT_KYC_VERIFIED), CT_E_BUSY);
    expect(f, c.id, "=NONE");
    s.from = CT_KYC_NONE;
    assert_int_equal(run(&s, STALE, CT_KYC_VERIFIED), CT_OK);
    expect(f, c.id, "NONE>VERIFIED=VERIFIED");
}

/* Another partner's customer does not exist for this one, on every entry point. */
static void
test_other_partner(void **state)
{
    static const int steps[] = {SUBMIT, DECIDE, OPEN};
    struct fx *f = *state;
    struct ct_customer c;
    struct ct_kyc_view v;
    const char *code = NULL;
    struct step s;
    size_t i;

    start(f, &c, &s);
    s.partner = f->partner + 1000000;
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        assert_int_equal(run(&s, steps[i], CT_KYC_VERIFIED), CT_E_NOTFOUND);
    assert_int_equal(ct_kyc_load(f->db, s.partner, c.id, true, &v), CT_E_NOTFOUND);
    assert_int_equal(ct_kyc_require_verified(f->db, s.partner, c.id, &code), CT_E_NOTFOUND);
    assert_int_equal(ct_kyc_require_verified(f->db, f->partner, "not-a-uuid", &code),
                     CT_E_NOTFOUND);
    expect(f, c.id, "=NONE");
}

static struct fx fixture;

static int
group_setup(void **state)
{
    fixture.tag = (long)getpid() * 1000 + (long)(time(NULL) % 1000);
    fixture.db = fixture_open("test_kyc", &fixture.conf);
    fixture.partner = fixture.db != NULL ? fixture_partner(fixture.db) : 0;
    *state = &fixture;
    return fixture.partner > 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
    (void)state;
    ct_db_close(fixture.db);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_stale_change_writes_nothing),
        cmocka_unit_test(test_other_partner),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
