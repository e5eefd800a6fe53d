/* test_operations.c - operations (ct_operation.h) against a real MariaDB (COMPTOIR_DB_* env, the
 * migrations applied): a seeded ledger with known answers for every filter alone and combined,
 * upcoming holds, several accounts merged, and page totals for 0, 1, 50, 51 and 10,000. */
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
#include <unistd.h>
#include <json-c/json.h>
#include "ct/ct_buf.h"
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_json.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_operation.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define MAXIDS 64

static const char sql_commit[] = "COMMIT";

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    char run[40];
    int64_t funding; /* unbounded EUR account every credit comes from */
    int64_t a, b;    /* the seeded accounts */
    int64_t p[7];    /* p[1..6]: postings on a, in booking order */
    int64_t q[3];    /* q[1..2]: postings on b */
    int64_t hold_card, hold_transfer, hold_released;
};

struct batch {
    int64_t from, to, amount;
    const char *kind, *description;
    int count;
    int64_t last_entry;
    const char *code;
};

struct hold_ctx {
    int64_t account, amount, id;
    const char *reference;
    bool release;
    const char *code;
};

/* ---- helpers -------------------------------------------------------------------------------- */

/* `count` entries of `amount` from -> to, in one unit of work. */
static enum ct_err
batch_fn(struct ct_db *db, void *arg)
{
    struct batch *b = arg;
    struct ct_leg legs[2] = {{b->from, -b->amount}, {b->to, b->amount}};
    struct ct_entry e = {0, b->kind, b->description, "EUR", legs, 2, NULL};
    enum ct_err err = CT_OK;
    int i;

    for (i = 0; i < b->count && err == CT_OK; i++)
        err = ct_ledger_post(db, &e, &b->last_entry, &b->code);
    return err;
}

static void
post_many(struct ct_db *db, int64_t from, int64_t to, int64_t amount, const char *kind,
          const char *description, int count)
{
    struct batch b = {from, to, amount, kind, description, count, 0, NULL};

    assert_int_equal(ct_db_txn(db, batch_fn, &b), CT_OK);
}

/* One entry; returns the posting on `account` (which is from or to). */
static int64_t
post_one(struct fx *f, int64_t account, int64_t signed_amount, const char *kind,
         const char *description, const char *booked_at)
{
    static const char sql_posting[] =
        "SELECT id FROM ledger_posting WHERE entry_id = ? AND account_id = ?";
    static const char sql_date[] = "UPDATE ledger_posting SET booked_at = ? WHERE id = ?";
    struct batch b = {signed_amount > 0 ? f->funding : account,
                      signed_amount > 0 ? account : f->funding,
                      signed_amount > 0 ? signed_amount : -signed_amount,
                      kind,
                      description,
                      1,
                      0,
                      NULL};
    struct ct_rows *r = NULL;
    int64_t id = 0;
    enum ct_err err = ct_db_txn(f->db, batch_fn, &b);

    if (err != CT_OK)
        fail_msg("posting %s %lld: error %d %s", kind, (long long)signed_amount, (int)err,
                 b.code != NULL ? b.code : "");
    assert_int_equal(ct_db_query(f->db, sql_posting, &r, "ll", b.last_entry, account), CT_OK);
    assert_true(ct_rows_i64(r, 0, 0, &id));
    ct_rows_free(r);
    /* known dates; given in booking order, so running balances stay in order */
    assert_int_equal(ct_db_exec(f->db, sql_date, NULL, "sl", booked_at, id), CT_OK);
    assert_int_equal(ct_db_exec(f->db, sql_commit, NULL, ""), CT_OK);
    return id;
}

static enum ct_err
hold_fn(struct ct_db *db, void *arg)
{
    struct hold_ctx *h = arg;

    if (h->release)
        return ct_ledger_hold_release(db, h->id, &h->code);
    return ct_ledger_hold(db, h->account, h->amount, ct_now_usec() + 3600LL * 1000000, h->reference,
                          &h->id, &h->code);
}

static int64_t
hold(struct ct_db *db, int64_t account, int64_t amount, const char *reference)
{
    struct hold_ctx h = {account, amount, 0, reference, false, NULL};

    assert_int_equal(ct_db_txn(db, hold_fn, &h), CT_OK);
    return h.id;
}

/* The ids of a page, newest first; returns how many, *total the count. */
static size_t
list(struct fx *f, const int64_t *accounts, size_t nacct, const struct ct_op_filter *flt,
     int64_t page, int64_t per_page, int64_t ids[MAXIDS], int64_t *total)
{
    struct ct_op_account acc[4];
    struct ct_operation *ops = NULL;
    size_t n = 0, i;

    for (i = 0; i < nacct; i++) {
        acc[i].id = accounts[i];
        memcpy(acc[i].currency, "EUR", 4);
    }
    assert_int_equal(ct_operation_list(f->db, acc, nacct, flt, page, per_page, &ops, &n, total),
                     CT_OK);
    assert_true(n <= MAXIDS);
    for (i = 0; i < n; i++)
        ids[i] = ops[i].id;
    free(ops);
    return n;
}

/* Expect exactly these postings of account a (by index into f->p), newest first. */
static void
expect_a(struct fx *f, const struct ct_op_filter *flt, const char *what, const int *idx,
         size_t nidx)
{
    int64_t ids[MAXIDS], total = -1;
    size_t n = list(f, &f->a, 1, flt, 1, 50, ids, &total), i;

    if (n != nidx || total != (int64_t)nidx)
        fail_msg("%s: %zu rows (total %lld), expected %zu", what, n, (long long)total, nidx);
    for (i = 0; i < nidx; i++)
        if (ids[i] != f->p[idx[i]])
            fail_msg("%s: row %zu is %lld, expected p%d = %lld", what, i, (long long)ids[i], idx[i],
                     (long long)f->p[idx[i]]);
}

#define EXPECT(flt, what, ...)                                                                     \
    do {                                                                                           \
        const int want_[] = {__VA_ARGS__};                                                         \
        expect_a(f, flt, what, want_ + 1, sizeof(want_) / sizeof(want_[0]) - 1);                   \
    } while (0)

static int64_t
usec_of(const char *iso)
{
    int64_t u = 0;

    assert_true(ct_time_parse(iso, &u));
    return u;
}

/* The Operation object as the API writes it, parsed back (the caller puts it). */
static struct json_object *
op_json(const struct ct_operation *op, const char *lang)
{
    struct ct_buf b;
    struct ct_json w;
    struct json_object *o;

    ct_buf_init(&b, 1 << 16);
    ct_json_init(&w, &b);
    ct_operation_write(&w, op, lang);
    assert_int_equal(ct_json_finish(&w), CT_OK);
    o = json_tokener_parse(ct_buf_str(&b));
    assert_non_null(o);
    ct_buf_free(&b);
    return o;
}

/* ---- fixtures ------------------------------------------------------------------------------- */

/* Account a: six postings on 2017-01-01..06 (one per day, noon) of known kinds, with VAT, a
 * comment and a category override on p2/p4, a bill and a receipt on p3; two active holds and a
 * released one. Account b: two postings interleaved in time with a's, a receipt on q1. */
static void
seed(struct fx *f)
{
    static const char sql_meta[] =
        "INSERT INTO operation_meta (posting_id, category, comment, vat_amount, vat_rate_bp, "
        "vat_category_id) VALUES (?, ?, ?, ?, ?, ?)";
    static const char sql_partner[] = "INSERT INTO partner (public_id, name) VALUES (UUID(), ?)";
    static const char sql_customer[] =
        "INSERT INTO customer (id, partner_id, email, phone, first_name, last_name, country, "
        "birth_date) VALUES (?, ?, ?, '+33600000000', 'T', 'T', 'FR', '1990-01-01')";
    static const char sql_doc[] =
        "INSERT INTO document (partner_id, customer_id, type, filename, mime_type, size, sha256, "
        "storage_name) VALUES (?, ?, ?, ?, ?, 1, REPEAT('0', 64), UUID())";
    static const char sql_opdoc[] =
        "INSERT INTO operation_document (posting_id, doc_type, document_id) VALUES (?, ?, ?)";
    /* p3: the bank's bill and the customer's receipt; q1: a receipt */
    static const struct {
        int on; /* 3: p3, -1: q1 */
        const char *type, *filename, *mime;
    } files[] = {
        {3, "bill", "bill.pdf", "application/pdf"},
        {3, "document", "re\xc3\xa7u \"mars\".png", "image/png"},
        {-1, "document", "b.pdf", "application/pdf"},
    };
    size_t i;
    char name[64], cust[CT_UUID_LEN + 1], email[80];
    int64_t partner, doc;
    struct hold_ctx h;

    f->funding = fixture_account(f->db, "EUR", true);
    f->a = fixture_account(f->db, "EUR", false);
    f->b = fixture_account(f->db, "EUR", false);
    f->p[1] = post_one(f, f->a, 20000, "reload", "Salary March", "2017-01-01 12:00:00");
    f->q[1] = post_one(f, f->b, 700, "reload", "B first", "2017-01-01 18:00:00");
    f->p[2] = post_one(f, f->a, -2550, "card", "Boulangerie Dupont", "2017-01-02 12:00:00");
    f->p[3] = post_one(f, f->a, -150, "fee", "Frais de tenue de compte", "2017-01-03 12:00:00");
    f->p[4] = post_one(f, f->a, -5000, "transfer", "Loyer avril 100%", "2017-01-04 12:00:00");
    f->q[2] = post_one(f, f->b, -200, "card", "B second", "2017-01-04 18:00:00");
    f->p[5] = post_one(f, f->a, -3999, "direct_debit", "EDF prélèvement", "2017-01-05 12:00:00");
    f->p[6] = post_one(f, f->a, 1, "weird_kind", NULL, "2017-01-06 12:00:00");
    assert_int_equal(ct_db_exec(f->db, sql_meta, NULL, "lsslll", f->p[2], (const char *)NULL,
                                "croissants du matin", (int64_t)425, (int64_t)2000, (int64_t)7),
                     CT_OK);
    assert_int_equal(ct_db_exec(f->db, sql_meta, NULL, "lsslll", f->p[4], "refund",
                                (const char *)NULL, (int64_t)0, (int64_t)550, (int64_t)0),
                     CT_OK);
    (void)snprintf(name, sizeof(name), "ops-test-%s", f->run);
    assert_int_equal(ct_db_exec(f->db, sql_partner, NULL, "s", name), CT_OK);
    partner = ct_db_last_id(f->db);
    assert_int_equal(ct_uuid_new(cust), CT_OK);
    (void)snprintf(email, sizeof(email), "ops-%s@example.com", f->run);
    assert_int_equal(ct_db_exec(f->db, sql_customer, NULL, "sls", cust, partner, email), CT_OK);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        assert_int_equal(ct_db_exec(f->db, sql_doc, NULL, "lssss", partner, cust, files[i].type,
                                    files[i].filename, files[i].mime),
                         CT_OK);
        doc = ct_db_last_id(f->db);
        assert_int_equal(ct_db_exec(f->db, sql_opdoc, NULL, "lsl",
                                    files[i].on > 0 ? f->p[files[i].on] : f->q[-files[i].on],
                                    files[i].type, doc),
                         CT_OK);
    }
    assert_int_equal(ct_db_exec(f->db, sql_commit, NULL, ""), CT_OK);
    f->hold_card = hold(f->db, f->a, 700, "card:auth-1");
    f->hold_transfer = hold(f->db, f->a, 300, "transfer_out:t-9");
    f->hold_released = hold(f->db, f->a, 50, "card:auth-2");
    memset(&h, 0, sizeof(h));
    h.id = f->hold_released;
    h.release = true;
    assert_int_equal(ct_db_txn(f->db, hold_fn, &h), CT_OK);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void
test_no_filter_and_fields(void **state)
{
    struct fx *f = *state;
    struct ct_op_filter flt;
    struct ct_op_account acc = {f->a, "EUR"};
    struct ct_operation op;
    struct json_object *o, *v, *vat;

    ct_op_filter_init(&flt);
    EXPECT(&flt, "no filter", 0, 6, 5, 4, 3, 2, 1);
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->p[2], &op), CT_OK);
    assert_int_equal(op.amount, -2550);
    assert_int_equal(op.afb_code, 11);
    assert_string_equal(op.category, "credit_card");
    assert_string_equal(op.label, "Boulangerie Dupont");
    assert_string_equal(op.comment, "croissants du matin");
    assert_true(op.has_vat);
    assert_int_equal(op.executed_at, 1483358400); /* 2017-01-02T12:00:00Z */
    o = op_json(&op, "en");
    assert_string_equal(json_object_to_json_string(json_object_object_get(o, "type")), "\"debit\"");
    assert_int_equal(json_object_get_int64(json_object_object_get(o, "amount")), 2550);
    assert_string_equal(json_object_get_string(json_object_object_get(o, "status")), "DONE");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "category_label")),
                        "Card");
    assert_true(json_object_object_get_ex(o, "beneficiary", &v) && v == NULL);
    vat = json_object_object_get(json_object_object_get(o, "detail"), "vat");
    assert_int_equal(json_object_get_int64(json_object_object_get(vat, "vat_amount")), 425);
    assert_string_equal(json_object_to_json_string(json_object_object_get(vat, "vat_rate")), "20");
    json_object_put(o);
    /* kinds: reload = transfer received (5); an unknown kind is generic (91) and shows its kind */
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->p[1], &op), CT_OK);
    assert_int_equal(op.afb_code, 5);
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->p[6], &op), CT_OK);
    assert_int_equal(op.afb_code, 91);
    assert_string_equal(op.category, "other");
    assert_string_equal(op.label, "weird_kind");
    assert_false(op.has_vat);
    /* p4: override category, VAT rate 5.5 % */
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->p[4], &op), CT_OK);
    assert_string_equal(op.category, "refund");
    assert_int_equal(op.afb_code, 6);
    o = op_json(&op, "fr");
    vat = json_object_object_get(json_object_object_get(o, "detail"), "vat");
    assert_string_equal(json_object_to_json_string(json_object_object_get(vat, "vat_rate")), "5.5");
    json_object_put(o);
    /* p3 carries its bill and a receipt, p1 nothing */
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->p[3], &op), CT_OK);
    assert_true(op.bill.present);
    assert_string_equal(op.bill.filename, "bill.pdf");
    assert_string_equal(op.bill.mime_type, "application/pdf");
    assert_true(op.bill.updated_at > 1700000000);
    assert_true(op.document.present);
    assert_string_equal(op.document.filename, "re\xc3\xa7u \"mars\".png");
    assert_int_equal(op.attachments, 2);
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->p[1], &op), CT_OK);
    assert_false(op.bill.present || op.document.present);
    assert_int_equal(op.attachments, 0);
    /* another account's posting, an unknown id, a released hold: not found */
    assert_int_equal(ct_operation_get(f->db, &acc, 1, f->q[1], &op), CT_E_NOTFOUND);
    assert_int_equal(ct_operation_get(f->db, &acc, 1, INT64_MAX, &op), CT_E_NOTFOUND);
    assert_int_equal(ct_operation_get(f->db, &acc, 1, -f->hold_released, &op), CT_E_NOTFOUND);
    assert_int_equal(ct_operation_get(f->db, &acc, 0, f->p[1], &op), CT_E_NOTFOUND);
}

/* The page's files come with every way of listing: the first page, a later one, merged accounts;
 * and the Operation object shows them. */
static void
test_files_on_pages(void **state)
{
    struct fx *f = *state;
    struct ct_op_filter flt;
    struct ct_op_account acc[2] = {{f->a, "EUR"}, {f->b, "EUR"}};
    struct ct_operation *ops = NULL;
    struct json_object *o, *d;
    int64_t total = 0;
    size_t n = 0, i, seen = 0;
    char url[64];

    ct_op_filter_init(&flt);
    assert_int_equal(ct_operation_list(f->db, acc, 1, &flt, 1, 50, &ops, &n, &total), CT_OK);
    assert_int_equal(n, 6);
    for (i = 0; i < n; i++) {
        bool p3 = ops[i].id == f->p[3];

        assert_int_equal(ops[i].bill.present, p3);
        assert_int_equal(ops[i].document.present, p3);
        assert_int_equal(ops[i].attachments, p3 ? 2 : 0);
    }
    free(ops);
    /* p3 is the 4th newest: alone on page 4 of 1 */
    assert_int_equal(ct_operation_list(f->db, acc, 1, &flt, 4, 1, &ops, &n, &total), CT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 6);
    assert_int_equal(ops[0].id, f->p[3]);
    assert_true(ops[0].document.present && ops[0].bill.present);
    o = op_json(&ops[0], "fr");
    (void)snprintf(url, sizeof(url), "/operations/%lld/document", (long long)f->p[3]);
    d = json_object_object_get(o, "document");
    assert_string_equal(json_object_get_string(json_object_object_get(d, "url")), url);
    assert_string_equal(json_object_get_string(json_object_object_get(d, "filename")),
                        "re\xc3\xa7u \"mars\".png");
    assert_string_equal(json_object_get_string(json_object_object_get(o, "document_url")), url);
    assert_string_equal(json_object_get_string(
                            json_object_object_get(json_object_object_get(o, "bill"), "mime_type")),
                        "application/pdf");
    json_object_put(o);
    free(ops);
    /* both accounts merged: q1's receipt and p3's files */
    assert_int_equal(ct_operation_list(f->db, acc, 2, &flt, 1, 50, &ops, &n, &total), CT_OK);
    assert_int_equal(n, 8);
    for (i = 0; i < n; i++)
        if (ops[i].id == f->q[1] || ops[i].id == f->p[3]) {
            assert_true(ops[i].document.present);
            assert_int_equal(ops[i].bill.present, ops[i].id == f->p[3]);
            seen++;
        } else {
            assert_false(ops[i].document.present || ops[i].bill.present);
        }
    assert_int_equal(seen, 2);
    free(ops);
    /* holds have none, and their page asks for none */
    flt.upcoming = true;
    assert_int_equal(ct_operation_list(f->db, acc, 1, &flt, 1, 50, &ops, &n, &total), CT_OK);
    assert_int_equal(n, 2);
    assert_false(ops[0].document.present || ops[1].bill.present);
    free(ops);
}

static void
test_filters_alone(void **state)
{
    struct fx *f = *state;
    struct ct_op_filter flt;

    ct_op_filter_init(&flt);
    flt.type = 1;
    EXPECT(&flt, "type credit", 0, 6, 1);
    flt.type = -1;
    EXPECT(&flt, "type debit", 0, 5, 4, 3, 2);

    ct_op_filter_init(&flt);
    flt.category = "credit_card";
    EXPECT(&flt, "category credit_card", 0, 2);
    flt.category = "fees";
    EXPECT(&flt, "category fees", 0, 3);
    flt.category = "refund";
    EXPECT(&flt, "category refund (override)", 0, 4);
    flt.category = "other";
    EXPECT(&flt, "category other", 0, 6, 1);
    flt.category = "prelevement";
    EXPECT(&flt, "category prelevement", 0, 5);
    flt.category = "deposit_cash";
    EXPECT(&flt, "category deposit_cash", 0);

    ct_op_filter_init(&flt);
    flt.afb_code = 11;
    EXPECT(&flt, "afb 11", 0, 2);
    flt.afb_code = 6;
    EXPECT(&flt, "afb 6", 0, 4);
    flt.afb_code = 91;
    EXPECT(&flt, "afb 91", 0, 6);

    ct_op_filter_init(&flt);
    flt.card = 1;
    EXPECT(&flt, "card true", 0, 2);
    flt.card = 0;
    EXPECT(&flt, "card false", 0, 6, 5, 4, 3, 1);

    ct_op_filter_init(&flt);
    flt.attachment = 1;
    EXPECT(&flt, "attachment 1", 0, 3);
    flt.attachment = 0;
    EXPECT(&flt, "attachment 0", 0, 6, 5, 4, 2, 1);

    ct_op_filter_init(&flt);
    flt.from_usec = usec_of("2017-01-02");
    EXPECT(&flt, "from", 0, 6, 5, 4, 3, 2);
    ct_op_filter_init(&flt);
    flt.to_usec = usec_of("2017-01-04") + 86400LL * 1000000; /* to=2017-01-04, whole day */
    EXPECT(&flt, "to", 0, 4, 3, 2, 1);
    ct_op_filter_init(&flt);
    flt.from_usec = usec_of("2017-01-07");
    EXPECT(&flt, "from after everything", 0);
    /* an end date on a later page, and past the last page: the total stays the range's */
    ct_op_filter_init(&flt);
    flt.to_usec = usec_of("2017-01-04") + 86400LL * 1000000;
    {
        int64_t ids[MAXIDS], total = -1;

        assert_int_equal(list(f, &f->a, 1, &flt, 2, 3, ids, &total), 1);
        assert_int_equal(total, 4);
        assert_int_equal(ids[0], f->p[1]);
        assert_int_equal(list(f, &f->a, 1, &flt, 2, 2, ids, &total), 2);
        assert_int_equal(total, 4);
        assert_int_equal(ids[0], f->p[2]);
        assert_int_equal(list(f, &f->a, 1, &flt, 3, 2, ids, &total), 0);
        assert_int_equal(total, 4);
        flt.to_usec = usec_of("2016-12-31");
        assert_int_equal(list(f, &f->a, 1, &flt, 1, 2, ids, &total), 0);
        assert_int_equal(total, 0);
    }

    ct_op_filter_init(&flt);
    assert_true(ct_op_parse_e4("30", &flt.min_e4));
    EXPECT(&flt, "min 30", 0, 5, 4, 1);
    ct_op_filter_init(&flt);
    assert_true(ct_op_parse_e4("25.50", &flt.max_e4));
    EXPECT(&flt, "max 25.50", 0, 6, 3, 2);
    ct_op_filter_init(&flt);
    assert_true(ct_op_parse_e4("25.505", &flt.min_e4)); /* rounds up to 25.51 */
    EXPECT(&flt, "min 25.505", 0, 5, 4, 1);
    ct_op_filter_init(&flt);
    assert_true(ct_op_parse_e4("0.0001", &flt.max_e4)); /* below a cent: nothing but 0 */
    EXPECT(&flt, "max 0.0001", 0);

    ct_op_filter_init(&flt);
    flt.search = "boulangerie";
    EXPECT(&flt, "search case-blind", 0, 2);
    flt.search = "prelevement";
    EXPECT(&flt, "search accent-blind", 0, 5);
    flt.search = "croissant";
    EXPECT(&flt, "search in the comment", 0, 2);
    flt.search = "100%";
    EXPECT(&flt, "search a literal %", 0, 4);
    flt.search = "%";
    EXPECT(&flt, "search % matches only a %", 0, 4);
    flt.search = "_";
    EXPECT(&flt, "search _ is literal", 0);
    flt.search = "absent";
    EXPECT(&flt, "search nothing", 0);
}

static void
test_filters_combined(void **state)
{
    struct fx *f = *state;
    struct ct_op_filter flt;

    ct_op_filter_init(&flt);
    flt.type = -1;
    flt.from_usec = usec_of("2017-01-02");
    flt.to_usec = usec_of("2017-01-04T12:00:00Z") + 1;
    EXPECT(&flt, "debit, from, to (inclusive time)", 0, 4, 3, 2);

    ct_op_filter_init(&flt);
    flt.card = 0;
    assert_true(ct_op_parse_e4("50", &flt.max_e4));
    flt.type = -1;
    EXPECT(&flt, "not card, max 50, debit", 0, 5, 4, 3);

    /* seed 001: afb_code works only when category and type are not used */
    ct_op_filter_init(&flt);
    flt.afb_code = 11;
    flt.type = -1;
    EXPECT(&flt, "afb ignored beside type", 0, 5, 4, 3, 2);
    flt.type = 0;
    flt.category = "fees";
    EXPECT(&flt, "afb ignored beside category", 0, 3);

    ct_op_filter_init(&flt);
    flt.search = "e";
    flt.attachment = 0;
    flt.type = -1;
    assert_true(ct_op_parse_e4("30", &flt.min_e4));
    EXPECT(&flt, "search, attachment 0, debit, min", 0, 5, 4);

    ct_op_filter_init(&flt);
    flt.category = "other";
    flt.type = 1;
    flt.from_usec = usec_of("2017-01-02");
    EXPECT(&flt, "category, type, from", 0, 6);
}

static void
test_upcoming(void **state)
{
    struct fx *f = *state;
    struct ct_op_filter flt;
    struct ct_op_account acc = {f->a, "EUR"};
    struct ct_operation op;
    int64_t ids[MAXIDS], total = -1;
    size_t n;

    ct_op_filter_init(&flt);
    flt.upcoming = true;
    n = list(f, &f->a, 1, &flt, 1, 50, ids, &total);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_int_equal(ids[0], -f->hold_transfer);
    assert_int_equal(ids[1], -f->hold_card);
    flt.card = 1;
    n = list(f, &f->a, 1, &flt, 1, 50, ids, &total);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], -f->hold_card);
    flt.card = -1;
    flt.type = 1;
    assert_int_equal(list(f, &f->a, 1, &flt, 1, 50, ids, &total), 0);
    assert_int_equal(total, 0);
    flt.type = -1;
    flt.search = "auth-1";
    assert_int_equal(list(f, &f->a, 1, &flt, 1, 50, ids, &total), 1);
    assert_int_equal(ct_operation_get(f->db, &acc, 1, -f->hold_card, &op), CT_OK);
    assert_true(op.upcoming);
    assert_int_equal(op.amount, -700);
    assert_int_equal(op.afb_code, 11);
    assert_int_equal(op.executed_at, 0);
    assert_string_equal(op.label, "card:auth-1");
}

static void
test_several_accounts(void **state)
{
    struct fx *f = *state;
    struct ct_op_filter flt;
    int64_t acc[2] = {f->a, f->b}, ids[MAXIDS], total = -1;
    const int64_t want[8] = {f->p[6], f->p[5], f->q[2], f->p[4],
                             f->p[3], f->p[2], f->q[1], f->p[1]};
    int64_t page;
    size_t n, k = 0, i;

    ct_op_filter_init(&flt);
    n = list(f, acc, 2, &flt, 1, 50, ids, &total);
    assert_int_equal(n, 8);
    assert_int_equal(total, 8);
    for (i = 0; i < 8; i++)
        assert_int_equal(ids[i], want[i]);
    /* the same order through pages of 3 */
    for (page = 1; page <= 3; page++) {
        n = list(f, acc, 2, &flt, page, 3, ids, &total);
        assert_int_equal(total, 8);
        assert_int_equal(n, page < 3 ? 3 : 2);
        for (i = 0; i < n; i++)
            assert_int_equal(ids[i], want[k++]);
    }
    assert_int_equal(list(f, acc, 2, &flt, 4, 3, ids, &total), 0);
    assert_int_equal(total, 8);
    flt.type = 1;
    n = list(f, acc, 2, &flt, 1, 50, ids, &total);
    assert_int_equal(total, 3);
    assert_int_equal(ids[0], f->p[6]);
    assert_int_equal(ids[1], f->q[1]);
    assert_int_equal(ids[2], f->p[1]);
}

/* X-Pagination-Total-Count and the pages for 0, 1, 50, 51 and 10,000 operations. */
static void
test_pagination_totals(void **state)
{
    static const int sizes[] = {0, 1, 50, 51, 10000};
    struct fx *f = *state;
    struct ct_op_filter flt, typed;
    int64_t ids[MAXIDS], total, acct, last_page, t0, t1;
    size_t n, i;
    int done;

    ct_op_filter_init(&flt);
    ct_op_filter_init(&typed);
    typed.type = 1; /* all credits: the joined count must agree with the index count */
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        acct = fixture_account(f->db, "EUR", false);
        for (done = 0; done < sizes[i]; done += 1000)
            post_many(f->db, f->funding, acct, 1, "reload", "bulk",
                      sizes[i] - done < 1000 ? sizes[i] - done : 1000);
        last_page = sizes[i] == 0 ? 1 : (sizes[i] + 49) / 50;
        n = list(f, &acct, 1, &flt, 1, 50, ids, &total);
        assert_int_equal(total, sizes[i]);
        assert_int_equal(n, sizes[i] < 50 ? sizes[i] : 50);
        n = list(f, &acct, 1, &typed, 1, 50, ids, &total);
        assert_int_equal(total, sizes[i]);
        n = list(f, &acct, 1, &flt, last_page, 50, ids, &total);
        assert_int_equal(n, sizes[i] == 0 ? 0 : sizes[i] - (last_page - 1) * 50);
        n = list(f, &acct, 1, &flt, last_page + 1, 50, ids, &total);
        assert_int_equal(n, 0);
        assert_int_equal(total, sizes[i]);
        if (sizes[i] == 10000) {
            /* pages are index range scans: the first and a middle page stay fast */
            t0 = ct_now_usec();
            n = list(f, &acct, 1, &flt, 1, 50, ids, &total);
            t1 = ct_now_usec();
            assert_int_equal(n, 50);
            assert_true(ids[0] > ids[49]);
            fprintf(stderr, "page 1 of 10000: %lld us\n", (long long)(t1 - t0));
            assert_true(t1 - t0 < 2000000);
            t0 = ct_now_usec();
            n = list(f, &acct, 1, &flt, 100, 50, ids, &total);
            t1 = ct_now_usec();
            fprintf(stderr, "page 100 of 10000: %lld us\n", (long long)(t1 - t0));
            assert_int_equal(n, 50);
            assert_true(t1 - t0 < 2000000);
        }
    }
}

static void
test_parse_e4(void **state)
{
    int64_t v = 0;

    (void)state;
    assert_true(ct_op_parse_e4("12", &v));
    assert_int_equal(v, 120000);
    assert_true(ct_op_parse_e4("12.5", &v));
    assert_int_equal(v, 125000);
    assert_true(ct_op_parse_e4("0.0001", &v));
    assert_int_equal(v, 1);
    assert_true(ct_op_parse_e4("99999999999999.9999", &v));
    assert_false(ct_op_parse_e4("-1", &v));
    assert_false(ct_op_parse_e4("1e3", &v));
    assert_false(ct_op_parse_e4("1.00001", &v));
    assert_false(ct_op_parse_e4(".5", &v));
    assert_false(ct_op_parse_e4("5.", &v));
    assert_false(ct_op_parse_e4("", &v));
    assert_false(ct_op_parse_e4(NULL, &v));
    assert_false(ct_op_parse_e4("123456789012345", &v));
}

/* ---- setup ---------------------------------------------------------------------------------- */

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->db = fixture_open("test_operations", &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
    (void)snprintf(f->run, sizeof(f->run), "%ld-%ld", (long)getpid(), (long)time(NULL));
    *state = f;
    seed(f);
    return 0;
}

static int
group_teardown(void **state)
{
    struct fx *f = *state;

    if (f == NULL)
        return 0;
    ct_db_close(f->db);
    free(f);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_e4),         cmocka_unit_test(test_no_filter_and_fields),
        cmocka_unit_test(test_files_on_pages),   cmocka_unit_test(test_filters_alone),
        cmocka_unit_test(test_filters_combined), cmocka_unit_test(test_upcoming),
        cmocka_unit_test(test_several_accounts), cmocka_unit_test(test_pagination_totals),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
