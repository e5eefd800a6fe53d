/* statement.c - monthly statements from the ledger's running balances: compute, store once,
 * render (PDF, camt.053) into files_dir/statements/, read back, list per customer. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ct/ct_buf.h"
#include "ct/ct_camt.h"
#include "ct/ct_document.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_money.h"
#include "ct/ct_pdf.h"
#include "ct/ct_statement.h"

#define STMT_MAX_LINES 100000     /* a month of one account; far above any real one */
#define STMT_FILE_MAX (64u << 20) /* what a statement file may weigh when read back */

struct gen_ctx {
    const char *files_dir;
    const char *balance_id;
    int year, month;
    int64_t id;
    bool created;
};

static enum ct_err last_balance_before(struct ct_db *db, int64_t account, const char *before,
                                       int64_t *out);
static enum ct_err load_lines(struct ct_db *db, struct ct_stmt *st, const char *start,
                              const char *end);
static enum ct_err load_context(struct ct_db *db, struct ct_stmt *st);
static enum ct_err gen_unit(struct ct_db *db, void *arg);
static enum ct_err write_files(struct ct_db *db, const char *files_dir, struct ct_stmt *st);
static void row_to_stmt(const struct ct_rows *r, size_t i, struct ct_stmt *st);
static bool month_ended(int year, int month);

#define STMT_COLS                                                                                  \
    "s.id, s.partner_id, s.balance_id, s.account_id, s.year, s.month, s.currency, "                \
    "s.opening_balance, s.closing_balance, s.total_credit, s.total_debit, s.credit_count, "        \
    "s.debit_count, s.generated_at, s.pdf_sha256, s.camt_sha256 "

void
ct_stmt_free(struct ct_stmt *st)
{
    if (st == NULL)
        return;
    free(st->lines);
    st->lines = NULL;
    st->nlines = 0;
}

bool
ct_stmt_parse_month(const char *text, int *year, int *month)
{
    int64_t y, m;
    char ys[5], ms[3];

    if (text == NULL || strlen(text) != 7 || text[4] != '-')
        return false;
    memcpy(ys, text, 4);
    ys[4] = '\0';
    memcpy(ms, text + 5, 2);
    ms[2] = '\0';
    if (ys[0] == '-' || ms[0] == '-' || !ct_parse_i64(ys, 2000, 9998, &y) ||
        !ct_parse_i64(ms, 1, 12, &m))
        return false;
    *year = (int)y;
    *month = (int)m;
    return true;
}

void
ct_stmt_window(int year, int month, char start[32], char end[32])
{
    /* callers pass 2000..9998 and 1..12 (ct_stmt_parse_month); clamp so the text always fits */
    unsigned y = year < 0 ? 0u : year > 9998 ? 9998u : (unsigned)year;
    unsigned m = month < 1 ? 1u : month > 12 ? 12u : (unsigned)month;
    unsigned ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;

    (void)snprintf(start, 32, "%04u-%02u-01 00:00:00.000000", y % 10000, m % 100);
    (void)snprintf(end, 32, "%04u-%02u-01 00:00:00.000000", ny % 10000, nm % 100);
}

static enum ct_err
last_balance_before(struct ct_db *db, int64_t account, const char *before, int64_t *out)
{
    static const char sql[] = "SELECT balance_after FROM ledger_posting WHERE account_id = ? "
                              "AND booked_at < ? ORDER BY booked_at DESC, id DESC LIMIT 1";
    struct ct_rows *r = NULL;
    enum ct_err err = ct_db_query(db, sql, &r, "ls", account, before);

    if (err == CT_OK) {
        *out = 0; /* no posting before: the account was empty */
        if (ct_rows_count(r) == 1 && !ct_rows_i64(r, 0, 0, out))
            err = CT_E_INTERNAL;
    }
    ct_rows_free(r);
    return err;
}

static enum ct_err
load_lines(struct ct_db *db, struct ct_stmt *st, const char *start, const char *end)
{
    static const char sql[] = "SELECT p.id, p.booked_at, e.kind, COALESCE(e.description, e.kind), "
                              "p.amount FROM ledger_posting p "
                              "JOIN ledger_entry e ON e.id = p.entry_id "
                              "WHERE p.account_id = ? AND p.booked_at >= ? AND p.booked_at < ? "
                              "ORDER BY p.booked_at, p.id LIMIT 100001";
    struct ct_rows *r = NULL;
    size_t i, n;
    enum ct_err err = ct_db_query(db, sql, &r, "lss", st->account_id, start, end);

    if (err != CT_OK)
        return err;
    n = ct_rows_count(r);
    if (n > STMT_MAX_LINES) {
        ct_log(LOG_ERR, "statement of account %lld: more than %d postings in a month",
               (long long)st->account_id, STMT_MAX_LINES);
        ct_rows_free(r);
        return CT_E_INTERNAL;
    }
    st->lines = n > 0 ? ct_calloc(n, sizeof(*st->lines)) : NULL;
    st->nlines = n;
    for (i = 0; i < n; i++) {
        struct ct_stmt_line *l = &st->lines[i];

        (void)ct_rows_i64(r, i, 0, &l->posting_id);
        (void)snprintf(l->booked_at, sizeof(l->booked_at), "%s", ct_rows_str(r, i, 1));
        (void)snprintf(l->kind, sizeof(l->kind), "%s", ct_rows_str(r, i, 2));
        (void)snprintf(l->label, sizeof(l->label), "%s", ct_rows_str(r, i, 3));
        (void)ct_rows_i64(r, i, 4, &l->amount);
    }
    ct_rows_free(r);
    return CT_OK;
}

enum ct_err
ct_stmt_compute(struct ct_db *db, struct ct_stmt *st)
{
    char start[32], end[32];
    int64_t sum, credit = 0, debit = 0;
    size_t i;
    enum ct_err err;

    ct_stmt_free(st);
    ct_stmt_window(st->year, st->month, start, end);
    err = last_balance_before(db, st->account_id, start, &st->opening);
    if (err == CT_OK)
        err = last_balance_before(db, st->account_id, end, &st->closing);
    if (err == CT_OK)
        err = load_lines(db, st, start, end);
    if (err != CT_OK)
        return err;
    st->credit_count = st->debit_count = 0;
    for (i = 0; i < st->nlines; i++) {
        int64_t a = st->lines[i].amount;
        bool bad = a > 0 ? __builtin_add_overflow(credit, a, &credit)
                         : __builtin_sub_overflow(debit, a, &debit);

        if (bad)
            return CT_E_INTERNAL;
        if (a > 0)
            st->credit_count++;
        else
            st->debit_count++;
    }
    st->total_credit = credit;
    st->total_debit = debit;
    if (__builtin_add_overflow(st->opening, credit, &sum) ||
        __builtin_sub_overflow(sum, debit, &sum) || sum != st->closing) {
        ct_log(LOG_ERR, "statement of account %lld %04d-%02d: opening + movements != closing",
               (long long)st->account_id, st->year, st->month);
        return CT_E_INTERNAL;
    }
    return CT_OK;
}

/* Bank (partner name), holder, IBAN, BIC and currency of st->balance_id. */
static enum ct_err
load_context(struct ct_db *db, struct ct_stmt *st)
{
    static const char sql[] = "SELECT b.partner_id, b.account_id, b.currency, b.iban, bi.bic, "
                              "p.name, CONCAT(c.first_name, ' ', c.last_name) FROM balance b "
                              "JOIN base_iban bi ON bi.id = b.base_iban_id "
                              "JOIN partner p ON p.id = b.partner_id "
                              "JOIN customer c ON c.id = b.customer_id WHERE b.id = ?";
    struct ct_rows *r = NULL;
    enum ct_err err;

    if (!ct_uuid_valid(st->balance_id))
        return CT_E_NOTFOUND;
    err = ct_db_query(db, sql, &r, "s", st->balance_id);
    if (err == CT_OK && ct_rows_count(r) != 1)
        err = CT_E_NOTFOUND;
    if (err == CT_OK) {
        (void)ct_rows_i64(r, 0, 0, &st->partner_id);
        (void)ct_rows_i64(r, 0, 1, &st->account_id);
        (void)snprintf(st->currency, sizeof(st->currency), "%s", ct_rows_str(r, 0, 2));
        (void)snprintf(st->iban, sizeof(st->iban), "%s", ct_rows_str(r, 0, 3));
        (void)snprintf(st->bic, sizeof(st->bic), "%s", ct_rows_str(r, 0, 4));
        (void)snprintf(st->bank_name, sizeof(st->bank_name), "%s", ct_rows_str(r, 0, 5));
        (void)snprintf(st->holder, sizeof(st->holder), "%s", ct_rows_str(r, 0, 6));
    }
    ct_rows_free(r);
    return err;
}

bool
ct_stmt_path(const char *files_dir, int64_t id, const char *kind, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "%s/statements/%lld.%s", files_dir, (long long)id, kind);

    return n > 0 && (size_t)n < outsz;
}

/* Render both documents, write them, record their hashes. */
static enum ct_err
write_files(struct ct_db *db, const char *files_dir, struct ct_stmt *st)
{
    static const char sql[] = "UPDATE statement SET pdf_sha256 = ?, camt_sha256 = ? WHERE id = ?";
    struct ct_buf pdf, xml;
    unsigned char h[32];
    char dir[300], name[32];
    enum ct_err err;

    ct_buf_init(&pdf, STMT_FILE_MAX);
    ct_buf_init(&xml, STMT_FILE_MAX);
    err = ct_pdf_statement(st, &pdf);
    if (err == CT_OK)
        err = ct_camt053(st, 1, &xml);
    if (err != CT_OK)
        goto out;
    if (snprintf(dir, sizeof(dir), "%s/statements", files_dir) >= (int)sizeof(dir)) {
        err = CT_E_INTERNAL;
        goto out;
    }
    (void)snprintf(name, sizeof(name), "%lld.pdf", (long long)st->id);
    err = ct_file_write(dir, name, ct_buf_str(&pdf), ct_buf_len(&pdf));
    (void)snprintf(name, sizeof(name), "%lld.xml", (long long)st->id);
    if (err == CT_OK)
        err = ct_file_write(dir, name, ct_buf_str(&xml), ct_buf_len(&xml));
    if (err != CT_OK)
        goto out;
    ct_sha256(ct_buf_str(&pdf), ct_buf_len(&pdf), h);
    ct_hex(h, 32, st->pdf_sha256);
    ct_sha256(ct_buf_str(&xml), ct_buf_len(&xml), h);
    ct_hex(h, 32, st->camt_sha256);
    err = ct_db_exec(db, sql, NULL, "ssl", st->pdf_sha256, st->camt_sha256, st->id);
out:
    ct_buf_free(&pdf);
    ct_buf_free(&xml);
    return err;
}

static enum ct_err
gen_unit(struct ct_db *db, void *arg)
{
    static const char sql_find[] = "SELECT id FROM statement WHERE account_id = ? AND year = ? "
                                   "AND month = ?";
    static const char sql_ins[] =
        "INSERT INTO statement (partner_id, balance_id, account_id, year, month, currency, "
        "opening_balance, closing_balance, total_credit, total_debit, credit_count, debit_count, "
        "generated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    struct gen_ctx *g = arg;
    struct ct_stmt st;
    struct ct_rows *r = NULL;
    enum ct_err err;

    memset(&st, 0, sizeof(st));
    (void)snprintf(st.balance_id, sizeof(st.balance_id), "%s", g->balance_id);
    st.year = g->year;
    st.month = g->month;
    err = load_context(db, &st);
    if (err == CT_OK)
        err = ct_db_query(db, sql_find, &r, "lii", st.account_id, st.year, st.month);
    if (err != CT_OK)
        goto out;
    g->created = ct_rows_count(r) == 0;
    if (!g->created) {
        (void)ct_rows_i64(r, 0, 0, &g->id);
        goto out;
    }
    err = ct_stmt_compute(db, &st);
    if (err != CT_OK)
        goto out;
    ct_time_to_db(ct_now_usec(), st.generated_at);
    err =
        ct_db_exec(db, sql_ins, NULL, "lsliislllliis", st.partner_id, st.balance_id, st.account_id,
                   st.year, st.month, st.currency, st.opening, st.closing, st.total_credit,
                   st.total_debit, st.credit_count, st.debit_count, st.generated_at);
    if (err != CT_OK)
        goto out;
    st.id = g->id = ct_db_last_id(db);
    err = write_files(db, g->files_dir, &st);
out:
    ct_rows_free(r);
    ct_stmt_free(&st);
    return err;
}

enum ct_err
ct_stmt_generate(struct ct_db *db, const char *files_dir, const char *balance_id, int year,
                 int month, int64_t *id, bool *created)
{
    struct gen_ctx g = {files_dir, balance_id, year, month, 0, false};
    enum ct_err err;

    if (!month_ended(year, month))
        return CT_E_RULE; /* the month is not over: its end-of-month balance is not known */
    err = ct_db_txn(db, gen_unit, &g);
    if (err == CT_E_CONFLICT) /* a concurrent run made it first */
        err = ct_db_txn(db, gen_unit, &g);
    if (err == CT_OK) {
        *id = g.id;
        *created = g.created;
    }
    return err;
}

static bool
month_ended(int year, int month)
{
    char start[32], end[32], now[32];

    ct_stmt_window(year, month, start, end);
    ct_time_to_db(ct_now_usec(), now);
    return strcmp(end, now) <= 0;
}

enum ct_err
ct_stmt_make_month(struct ct_db *db, const char *files_dir, int year, int month,
                   const char *balance_id, bool missing_only, ct_stmt_month_fn report, void *arg,
                   struct ct_stmt_month *out)
{
    /* the NOT EXISTS probe is one lookup in uq_statement_account_month per balance */
    static const char sql[] = "SELECT b.id FROM balance b WHERE b.created_at < ? "
                              "AND (? IS NULL OR b.id = ?) AND (? = 0 OR NOT EXISTS (SELECT 1 "
                              "FROM statement s WHERE s.account_id = b.account_id "
                              "AND s.year = ? AND s.month = ?)) ORDER BY b.created_at, b.id";
    struct ct_stmt_month run = {0, 0, 0};
    struct ct_rows *r = NULL;
    char start[32], end[32];
    size_t i;
    enum ct_err err;

    if (!month_ended(year, month))
        return CT_E_RULE;
    ct_stmt_window(year, month, start, end);
    err = ct_db_query(db, sql, &r, "sssiii", end, balance_id, balance_id, missing_only ? 1 : 0,
                      year, month);
    if (err != CT_OK)
        return err;
    run.balances = ct_rows_count(r);
    for (i = 0; i < run.balances; i++) {
        const char *balance = ct_rows_str(r, i, 0);
        int64_t id = 0;
        bool created = false;

        err = ct_stmt_generate(db, files_dir, balance, year, month, &id, &created);
        if (err != CT_OK)
            run.failed++;
        else if (created)
            run.created++;
        if (report != NULL && !report(balance, err == CT_OK ? id : 0, created, err, arg))
            break;
    }
    ct_rows_free(r);
    if (out != NULL)
        *out = run;
    return CT_OK;
}

static void
row_to_stmt(const struct ct_rows *r, size_t i, struct ct_stmt *st)
{
    int64_t v = 0;

    memset(st, 0, sizeof(*st));
    (void)ct_rows_i64(r, i, 0, &st->id);
    (void)ct_rows_i64(r, i, 1, &st->partner_id);
    (void)snprintf(st->balance_id, sizeof(st->balance_id), "%s", ct_rows_str(r, i, 2));
    (void)ct_rows_i64(r, i, 3, &st->account_id);
    (void)ct_rows_i64(r, i, 4, &v);
    st->year = (int)v;
    (void)ct_rows_i64(r, i, 5, &v);
    st->month = (int)v;
    (void)snprintf(st->currency, sizeof(st->currency), "%s", ct_rows_str(r, i, 6));
    (void)ct_rows_i64(r, i, 7, &st->opening);
    (void)ct_rows_i64(r, i, 8, &st->closing);
    (void)ct_rows_i64(r, i, 9, &st->total_credit);
    (void)ct_rows_i64(r, i, 10, &st->total_debit);
    (void)ct_rows_i64(r, i, 11, &v);
    st->credit_count = (int)v;
    (void)ct_rows_i64(r, i, 12, &v);
    st->debit_count = (int)v;
    (void)snprintf(st->generated_at, sizeof(st->generated_at), "%s", ct_rows_str(r, i, 13));
    (void)snprintf(st->pdf_sha256, sizeof(st->pdf_sha256), "%s",
                   ct_rows_str(r, i, 14) ? ct_rows_str(r, i, 14) : "");
    (void)snprintf(st->camt_sha256, sizeof(st->camt_sha256), "%s",
                   ct_rows_str(r, i, 15) ? ct_rows_str(r, i, 15) : "");
}

enum ct_err
ct_stmt_get(struct ct_db *db, int64_t partner_id, const char *customer_id, int64_t id,
            struct ct_stmt *out)
{
    static const char sql[] = "SELECT " STMT_COLS "FROM statement s "
                              "JOIN balance b ON b.id = s.balance_id "
                              "WHERE s.id = ? AND b.partner_id = ? AND " CT_SQL_BALANCE_VISIBLE;
    struct ct_rows *r = NULL;
    struct ct_stmt st;
    enum ct_err err = ct_db_query(db, sql, &r, "llss", id, partner_id, customer_id, customer_id);

    if (err == CT_OK && ct_rows_count(r) != 1)
        err = CT_E_NOTFOUND;
    if (err == CT_OK) {
        row_to_stmt(r, 0, &st);
        err = load_context(db, &st);
    }
    if (err == CT_OK)
        *out = st;
    ct_rows_free(r);
    return err;
}

#define LIST_FROM                                                                                  \
    "FROM statement s JOIN balance b ON b.id = s.balance_id "                                      \
    "WHERE b.partner_id = ? AND " CT_SQL_BALANCE_VISIBLE " AND (? = 0 OR s.year = ?) "

enum ct_err
ct_stmt_list(struct ct_db *db, int64_t partner_id, const char *customer_id, int year, int64_t page,
             int64_t per_page, struct ct_stmt **out, size_t *n, int64_t *total)
{
    static const char sql_count[] = "SELECT COUNT(*) " LIST_FROM;
    static const char sql_page[] = "SELECT " STMT_COLS LIST_FROM
                                   "ORDER BY s.year DESC, s.month DESC, s.id DESC LIMIT ? OFFSET ?";
    struct ct_rows *r = NULL;
    struct ct_stmt *items = NULL;
    int64_t count = 0, offset;
    size_t i, rows = 0;
    enum ct_err err;

    if (__builtin_mul_overflow(page - 1, per_page, &offset))
        return CT_E_RULE;
    err = ct_db_query(db, sql_count, &r, "lssii", partner_id, customer_id, customer_id, year, year);
    if (err == CT_OK && !ct_rows_i64(r, 0, 0, &count))
        err = CT_E_INTERNAL;
    ct_rows_free(r);
    r = NULL;
    if (err == CT_OK)
        err = ct_db_query(db, sql_page, &r, "lssiill", partner_id, customer_id, customer_id, year,
                          year, per_page, offset);
    if (err != CT_OK)
        goto out;
    rows = ct_rows_count(r);
    items = ct_calloc(rows > 0 ? rows : 1, sizeof(*items));
    for (i = 0; i < rows; i++)
        row_to_stmt(r, i, &items[i]);
    *out = items;
    *n = rows;
    *total = count;
out:
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_stmt_read_file(const char *files_dir, const struct ct_stmt *st, const char *kind,
                  unsigned char **data, size_t *len)
{
    const char *want = strcmp(kind, "pdf") == 0 ? st->pdf_sha256 : st->camt_sha256;
    char path[512], hex[65];
    unsigned char h[32], *d = NULL;
    size_t n = 0;
    enum ct_err err;

    if (!ct_stmt_path(files_dir, st->id, kind, path, sizeof(path)))
        return CT_E_INTERNAL;
    err = ct_file_read(path, STMT_FILE_MAX, &d, &n);
    if (err != CT_OK) {
        ct_log(LOG_ERR, "statement %lld: cannot read its %s file", (long long)st->id, kind);
        return CT_E_INTERNAL;
    }
    ct_sha256(d, n, h);
    ct_hex(h, 32, hex);
    if (strcmp(hex, want) != 0) {
        ct_log(LOG_ERR, "statement %lld: %s file does not match its SHA-256", (long long)st->id,
               kind);
        free(d);
        return CT_E_INTERNAL;
    }
    *data = d;
    *len = n;
    return CT_OK;
}

void
ct_stmt_filename(const struct ct_stmt *st, const char *ext, char out[64])
{
    (void)snprintf(out, 64, "statement-%04d-%02d-%lld.%s", st->year, st->month, (long long)st->id,
                   ext);
}

struct json_object *
ct_stmt_json(const struct ct_stmt *st)
{
    const struct ct_currency *cur = ct_currency_find(st->currency);
    struct json_object *o = json_object_new_object(), *doc = json_object_new_object();
    char text[CT_MONEY_TEXT_MAX], url[64], name[64];

    (void)snprintf(url, sizeof(url), "/statements/%lld/document", (long long)st->id);
    ct_stmt_filename(st, "pdf", name);
    json_object_object_add(o, "id", json_object_new_int64(st->id));
    json_object_object_add(o, "month", json_object_new_int(st->month));
    json_object_object_add(o, "year", json_object_new_int(st->year));
    /* a JSON number in currency units, written from the exact decimal text (json-c keeps it) */
    (void)ct_money_format(st->closing, cur, text, sizeof(text));
    json_object_object_add(o, "eom_balance", json_object_new_double_s(strtod(text, NULL), text));
    (void)ct_money_format(st->opening, cur, text, sizeof(text));
    json_object_object_add(o, "opening_balance",
                           json_object_new_double_s(strtod(text, NULL), text));
    json_object_object_add(o, "currency", json_object_new_string(st->currency));
    json_object_object_add(o, "balance_id", json_object_new_string(st->balance_id));
    json_object_object_add(o, "generated_at",
                           json_object_new_int64(ct_db_time_unix(st->generated_at)));
    json_object_object_add(doc, "updated_at",
                           json_object_new_int64(ct_db_time_unix(st->generated_at)));
    json_object_object_add(doc, "filename", json_object_new_string(name));
    json_object_object_add(doc, "mime_type", json_object_new_string("application/pdf"));
    json_object_object_add(doc, "url", json_object_new_string(url));
    json_object_object_add(o, "document", doc);
    json_object_object_add(o, "document_url", json_object_new_string(url));
    return o;
}
