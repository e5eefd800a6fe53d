/* test_statements.c - monthly statements against a real MariaDB (COMPTOIR_DB_* env, migrations
 * applied): opening + movements = closing on seeded months with known answers (month boundaries
 * to the microsecond), one statement per account and month however often it is asked, files
 * written and checked against their SHA-256, visibility per customer. */
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
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_statement.h"
#include "db_fixture.h"

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    char files[64];
    int64_t partner;
    struct ct_customer owner, stranger;
    struct ct_balance bal;
    int64_t funding;
};

struct seed_ctx {
    struct fx *f;
    char name[64];
    int64_t seq;
};

static enum ct_err
seed_unit(struct ct_db *db, void *arg)
{
    static const char sql_p[] = "INSERT INTO partner (public_id, name) VALUES (UUID(), ?)";
    /* the demo partner's base, but account numbers far from any other run's (IBANs are unique) */
    static const char sql_b[] =
        "INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, "
        "bic, next_seq) VALUES (?, 'EUR', 'FR1420041010050500013M02606', 10, "
        "'TESTFRPPXXX', ?)";
    struct seed_ctx *c = arg;
    struct fx *f = c->f;
    const char *code = NULL;
    enum ct_err err = ct_db_exec(db, sql_p, NULL, "s", c->name);

    if (err != CT_OK)
        return err;
    f->partner = ct_db_last_id(db);
    err = ct_db_exec(db, sql_b, NULL, "ll", f->partner, c->seq);
    f->owner.partner_id = f->stranger.partner_id = f->partner;
    if (err == CT_OK)
        err = ct_customer_insert(db, &f->owner);
    if (err == CT_OK)
        err = fixture_verify(db, f->partner, f->owner.id);
    if (err == CT_OK)
        err = ct_customer_insert(db, &f->stranger);
    if (err == CT_OK)
        err = ct_balance_open(db, f->partner, f->owner.id, "EUR", &f->bal, &code);
    if (err == CT_OK)
        err =
            ct_ledger_account_open(db, f->partner, CT_ACCT_BANK_INTERNAL, "EUR", true, &f->funding);
    return err;
}

struct post_ctx {
    struct fx *f;
    int64_t amount;
    const char *label;
};

static enum ct_err
post_unit(struct ct_db *db, void *arg)
{
    struct post_ctx *c = arg;
    struct ct_leg legs[2] = {{c->f->bal.account_id, c->amount}, {c->f->funding, -c->amount}};
    struct ct_entry e = {c->f->partner, c->amount > 0 ? "reload" : "fee", c->label, "EUR", legs, 2,
                         NULL};
    int64_t entry = 0;
    const char *code = NULL;

    return ct_ledger_post(db, &e, &entry, &code);
}

struct when_ctx {
    int64_t account;
    const char *when;
};

static enum ct_err
backdate_unit(struct ct_db *db, void *arg)
{
    static const char sql[] = "UPDATE ledger_posting SET booked_at = ? WHERE account_id = ? "
                              "AND booked_at > '2000-01-01' AND id = (SELECT m FROM (SELECT "
                              "MIN(id) m FROM ledger_posting WHERE account_id = ? AND booked_at > "
                              "'2019-12-31') x)";
    struct when_ctx *c = arg;

    return ct_db_exec(db, sql, NULL, "sll", c->when, c->account, c->account);
}

/* One posting on the balance, then booked at `when` (postings are made and dated in order). */
static void
book(struct fx *f, int64_t amount, const char *label, const char *when)
{
    struct post_ctx p = {f, amount, label};
    struct when_ctx w = {f->bal.account_id, when};

    assert_int_equal(ct_db_txn(f->db, post_unit, &p), CT_OK);
    assert_int_equal(ct_db_txn(f->db, backdate_unit, &w), CT_OK);
}

static void
test_known_months(void **state)
{
    struct fx *f = *state;
    struct ct_stmt st;
    int64_t id[3] = {0}, again = 0;
    bool created = false;
    unsigned char *data = NULL;
    size_t len = 0;
    int m;

    book(f, 10000, "Salaire", "2019-03-31 23:59:59.999999");
    book(f, -3025, "Frais de tenue", "2019-04-01 00:00:00.000000");
    book(f, 501, "Remboursement", "2019-04-15 12:00:00.000000");
    book(f, -1, "Arrondi", "2019-04-30 23:59:59.999999");
    for (m = 3; m <= 5; m++) {
        assert_int_equal(
            ct_stmt_generate(f->db, f->files, f->bal.id, 2019, m, &id[m - 3], &created), CT_OK);
        assert_true(created);
    }
    /* March: the last microsecond of the month belongs to it */
    assert_int_equal(ct_stmt_get(f->db, f->partner, f->owner.id, id[0], &st), CT_OK);
    assert_int_equal(st.opening, 0);
    assert_int_equal(st.closing, 10000);
    assert_int_equal(st.total_credit, 10000);
    assert_int_equal(st.total_debit, 0);
    /* April: midnight of the 1st is April's */
    assert_int_equal(ct_stmt_get(f->db, f->partner, f->owner.id, id[1], &st), CT_OK);
    assert_int_equal(st.opening, 10000);
    assert_int_equal(st.total_credit, 501);
    assert_int_equal(st.total_debit, 3026);
    assert_int_equal(st.credit_count, 1);
    assert_int_equal(st.debit_count, 2);
    assert_int_equal(st.closing, 7475);
    assert_int_equal(st.opening + st.total_credit - st.total_debit, st.closing);
    assert_int_equal(ct_stmt_compute(f->db, &st), CT_OK);
    assert_int_equal(st.nlines, 3);
    assert_string_equal(st.lines[0].label, "Frais de tenue");
    assert_int_equal(st.lines[2].amount, -1);
    assert_int_equal(ct_stmt_read_file(f->files, &st, "pdf", &data, &len), CT_OK);
    assert_memory_equal(data, "%PDF-", 5);
    free(data);
    assert_int_equal(ct_stmt_read_file(f->files, &st, "xml", &data, &len), CT_OK);
    assert_non_null(strstr((char *)data, "<Amt Ccy=\"EUR\">74.75</Amt>"));
    free(data);
    ct_stmt_free(&st);
    /* May: nothing moved */
    assert_int_equal(ct_stmt_get(f->db, f->partner, f->owner.id, id[2], &st), CT_OK);
    assert_int_equal(st.opening, 7475);
    assert_int_equal(st.closing, 7475);
    /* idempotent */
    assert_int_equal(ct_stmt_generate(f->db, f->files, f->bal.id, 2019, 4, &again, &created),
                     CT_OK);
    assert_false(created);
    assert_int_equal(again, id[1]);
}

static void
test_scope_list_and_refusals(void **state)
{
    struct fx *f = *state;
    struct ct_stmt st, *items = NULL;
    size_t n = 0;
    int64_t total = 0, id = 0;
    bool created;
    time_t now = time(NULL);
    struct tm tm;

    assert_int_equal(ct_stmt_list(f->db, f->partner, f->owner.id, 2019, 1, 50, &items, &n, &total),
                     CT_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    assert_int_equal(items[0].month, 5); /* newest first */
    assert_int_equal(items[2].month, 3);
    st = items[1];
    free(items);
    assert_int_equal(ct_stmt_get(f->db, f->partner, f->stranger.id, st.id, &st), CT_E_NOTFOUND);
    assert_int_equal(ct_stmt_get(f->db, f->partner + 1000000, f->owner.id, st.id, &st),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_stmt_list(f->db, f->partner, f->stranger.id, 0, 1, 50, &items, &n, &total),
                     CT_OK);
    assert_int_equal(total, 0);
    free(items);
    gmtime_r(&now, &tm);
    assert_int_equal(ct_stmt_generate(f->db, f->files, f->bal.id, tm.tm_year + 1900, tm.tm_mon + 1,
                                      &id, &created),
                     CT_E_RULE); /* this month has not ended */
    assert_int_equal(ct_stmt_generate(f->db, f->files, "00000000-0000-4000-8000-000000000000", 2019,
                                      4, &id, &created),
                     CT_E_NOTFOUND);
}

static void
test_month_parsing(void **state)
{
    int y = 0, m = 0;
    char a[32], b[32];

    (void)state;
    assert_true(ct_stmt_parse_month("2026-12", &y, &m));
    assert_int_equal(y, 2026);
    assert_int_equal(m, 12);
    assert_false(ct_stmt_parse_month("2026-13", &y, &m));
    assert_false(ct_stmt_parse_month("2026-1", &y, &m));
    assert_false(ct_stmt_parse_month("26-01-", &y, &m));
    assert_false(ct_stmt_parse_month("-026-01", &y, &m));
    ct_stmt_window(2026, 12, a, b);
    assert_string_equal(a, "2026-12-01 00:00:00.000000");
    assert_string_equal(b, "2027-01-01 00:00:00.000000");
}

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct seed_ctx c;
    long tag = (long)getpid() * 1000 + (long)(time(NULL) % 1000);

    if (f == NULL)
        return -1;
    f->db = fixture_open("test_statements", &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
    (void)snprintf(f->files, sizeof(f->files), "/tmp/ct_stmt_files_XXXXXX");
    if (mkdtemp(f->files) == NULL)
        return -1;
    (void)snprintf(f->owner.email, sizeof(f->owner.email), "owner%ld@example.com", tag);
    (void)snprintf(f->stranger.email, sizeof(f->stranger.email), "other%ld@example.com", tag);
    for (int i = 0; i < 2; i++) {
        struct ct_customer *cu = i == 0 ? &f->owner : &f->stranger;

        (void)snprintf(cu->phone, sizeof(cu->phone), "+33612345678");
        (void)snprintf(cu->first_name, sizeof(cu->first_name), i == 0 ? "Ada" : "Bob");
        (void)snprintf(cu->last_name, sizeof(cu->last_name), "Test");
        (void)snprintf(cu->country, sizeof(cu->country), "FR");
        (void)snprintf(cu->birth_date, sizeof(cu->birth_date), "1990-01-01");
    }
    c.f = f;
    c.seq = 60000000000LL + ((int64_t)tag * 7919) % 39000000000LL;
    (void)snprintf(c.name, sizeof(c.name), "stmt-test-%ld", tag);
    if (ct_db_txn(f->db, seed_unit, &c) != CT_OK) {
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
    char cmd[128];

    if (f != NULL) {
        (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->files);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", f->files);
        ct_db_close(f->db);
        free(f);
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_months),
        cmocka_unit_test(test_scope_list_and_refusals),
        cmocka_unit_test(test_month_parsing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
