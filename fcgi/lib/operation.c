/* operation.c - operations: ledger postings (done) and active holds (upcoming) of the caller's
 * accounts as seed 001 shows them, with filters, exact counts and pages; read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_buf.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_money.h"
#include "ct/ct_operation.h"
#include "ct/ct_util.h"

#define TIME_MIN "1000-01-01 00:00:00"
#define TIME_MAX "9999-12-31 23:59:59.999999"
#define SEARCH_MAX 100

/* The filter as bound to one account's statements (amount bounds in that currency). */
struct bound {
    int64_t account;
    char from[32], to[32];
    int64_t type, min, max;
    const char *category;
    int afb, card, attach;
    const char *like; /* "%text%" with % _ \ escaped, NULL when no search */
};

static bool bind_filter(const struct ct_op_filter *f, const struct ct_op_account *a, char *like,
                        struct bound *b);
static bool filter_is_range_only(const struct ct_op_filter *f);
static enum ct_err count_one(struct ct_db *db, const struct ct_op_filter *f, const struct bound *b,
                             int64_t *count);
static enum ct_err page_one(struct ct_db *db, bool upcoming, bool range_only, const struct bound *b,
                            int64_t limit, int64_t offset, struct ct_rows **out);
static enum ct_err attach_files(struct ct_db *db, struct ct_operation *ops, size_t n);
static void load_row(const struct ct_rows *r, size_t row, const struct ct_op_account *accts,
                     size_t nacct, struct ct_operation *op);
static int row_cmp(const struct ct_rows *a, size_t ra, const struct ct_rows *b, size_t rb);
static enum ct_err merge_pages(struct ct_db *db, const struct ct_op_account *accts, size_t nacct,
                               const struct bound *bs, const int64_t *counts, bool upcoming,
                               bool range_only, int64_t offset, int64_t per_page,
                               struct ct_operation **out, size_t *n);
static const char *category_label(const char *category, const char *lang);
static void vat_write(struct ct_json *w, const struct ct_operation *op);
static void unix_or_null(struct ct_json *w, const char *key, int64_t t);
static void file_write(struct ct_json *w, const struct ct_operation *op, const char *type,
                       const char *url_key, const struct ct_op_file *f);

/* ---- SQL ------------------------------------------------------------------------------------ */

/* Both row sources give the same columns:
 * 0 id, 1 account_id, 2 amount, 3 kind, 4 label, 5 created_at, 6 executed_at, 7 updated_at,
 * 8 category, 9 afb_code, 10 comment, 11 vat_amount, 12 vat_rate_bp, 13 vat_category_id,
 * 14 sort time (DATETIME(6) text), 15 the posting's position in its account's history (NULL for
 * a hold). Unix times are whole seconds. Attached files are not joined per row: attach_files
 * reads them afterwards for the page's postings only. */
#define POST_COLS                                                                                  \
    "SELECT p.id, p.account_id, p.amount, e.kind, e.description, "                                 \
    "FLOOR(UNIX_TIMESTAMP(e.created_at)), FLOOR(UNIX_TIMESTAMP(p.booked_at)), "                    \
    "FLOOR(UNIX_TIMESTAMP(GREATEST(p.booked_at, COALESCE(m.updated_at, p.booked_at)))), "          \
    "COALESCE(m.category, k.category, 'other'), COALESCE(k.afb_code, 91), m.comment, "             \
    "m.vat_amount, m.vat_rate_bp, m.vat_category_id, p.booked_at, p.account_seq "
/* STRAIGHT_JOIN keeps the posting index (account_id, booked_at, id) as the driving access: a
 * page is a backward range scan that stops after LIMIT + OFFSET matching rows. */
#define POST_FROM "FROM ledger_posting p " POST_JOINS
#define POST_JOINS                                                                                 \
    "STRAIGHT_JOIN ledger_entry e ON e.id = p.entry_id "                                           \
    "LEFT JOIN operation_meta m ON m.posting_id = p.id "                                           \
    "LEFT JOIN operation_kind k ON k.kind = e.kind "                                               \
    "AND k.type = IF(p.amount > 0, 'credit', 'debit') "
/* Parameters (the same 18 for postings and holds): account, from, to, type x2, min, max,
 * category x2, afb x2, card x2, attachment x2, search x3. */
#define POST_WHERE                                                                                 \
    "WHERE p.account_id = ? AND p.booked_at >= ? AND p.booked_at < ? "                             \
    "AND (? = 0 OR SIGN(p.amount) = ?) AND ABS(p.amount) >= ? AND ABS(p.amount) <= ? "             \
    "AND (? IS NULL OR COALESCE(m.category, k.category, 'other') = ?) "                            \
    "AND (? = 0 OR COALESCE(k.afb_code, 91) = ?) "                                                 \
    "AND (? < 0 OR (COALESCE(k.afb_code, 91) = 11) = ?) "                                          \
    "AND (? < 0 OR EXISTS (SELECT 1 FROM operation_document x WHERE x.posting_id = p.id) = ?) "    \
    "AND (? IS NULL OR e.description COLLATE utf8mb4_unicode_ci LIKE ? "                           \
    "OR m.comment COLLATE utf8mb4_unicode_ci LIKE ?) "
#define POST_ORDER "ORDER BY p.booked_at DESC, p.id DESC "

#define HOLD_KIND "SUBSTRING_INDEX(COALESCE(h.reference, ''), ':', 1)"
#define HOLD_COLS                                                                                  \
    "SELECT -h.id, h.account_id, -h.amount, " HOLD_KIND ", h.reference, "                          \
    "FLOOR(UNIX_TIMESTAMP(h.created_at)), NULL, FLOOR(UNIX_TIMESTAMP(h.created_at)), "             \
    "COALESCE(k.category, 'other'), COALESCE(k.afb_code, 91), NULL, NULL, NULL, NULL, "            \
    "h.created_at, NULL "
#define HOLD_FROM                                                                                  \
    "FROM ledger_hold h LEFT JOIN operation_kind k ON k.kind = " HOLD_KIND " AND k.type = "        \
    "'debit' "
/* A hold is a debit without documents. */
#define HOLD_WHERE                                                                                 \
    "WHERE h.account_id = ? AND h.status = 'active' AND h.created_at >= ? AND h.created_at < ? "   \
    "AND (? = 0 OR ? = -1) AND h.amount >= ? AND h.amount <= ? "                                   \
    "AND (? IS NULL OR COALESCE(k.category, 'other') = ?) "                                        \
    "AND (? = 0 OR COALESCE(k.afb_code, 91) = ?) "                                                 \
    "AND (? < 0 OR (COALESCE(k.afb_code, 91) = 11) = ?) "                                          \
    "AND (? < 0 OR ? = 0) "                                                                        \
    "AND (? IS NULL OR h.reference COLLATE utf8mb4_unicode_ci LIKE ? OR ? IS NULL) "
#define HOLD_ORDER "ORDER BY h.created_at DESC, h.id DESC "

#define FILTER_FMT "lssllllssiiiiiisss"
#define FILTER_ARGS(b)                                                                             \
    (b)->account, (b)->from, (b)->to, (b)->type, (b)->type, (b)->min, (b)->max, (b)->category,     \
        (b)->category, (b)->afb, (b)->afb, (b)->card, (b)->card, (b)->attach, (b)->attach,         \
        (b)->like, (b)->like, (b)->like

/* ---- filters -------------------------------------------------------------------------------- */

void
ct_op_filter_init(struct ct_op_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->card = -1;
    f->attachment = -1;
    f->min_e4 = -1;
    f->max_e4 = -1;
}

bool
ct_op_parse_e4(const char *text, int64_t *out)
{
    int64_t units = 0, frac = 0;
    int idigits = 0, fdigits = 0;
    const char *p = text;

    if (p == NULL || *p == '\0')
        return false;
    for (; *p >= '0' && *p <= '9'; p++, idigits++) {
        if (idigits >= 14)
            return false;
        units = units * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
            if (fdigits >= 4)
                return false;
            frac = frac * 10 + (*p - '0');
        }
        if (fdigits == 0)
            return false;
    }
    if (*p != '\0' || idigits == 0)
        return false;
    for (; fdigits < 4; fdigits++)
        frac *= 10;
    *out = units * 10000 + frac;
    return true;
}

static const struct {
    const char *name, *fr, *en;
} categories[] = {
    {"deposit_cash", "Dépôt d'espèces", "Cash deposit"},
    {"deposit_check", "Remise de chèque", "Check deposit"},
    {"fees", "Frais", "Fees"},
    {"other", "Autre", "Other"},
    {"payment_check", "Paiement par chèque", "Check payment"},
    {"credit_card", "Carte bancaire", "Card"},
    {"redraw_atm", "Retrait", "Cash withdrawal"},
    {"refund", "Remboursement", "Refund"},
    {"prelevement", "Prélèvement", "Direct debit"},
};

bool
ct_op_category_valid(const char *category)
{
    return category_label(category, "fr") != NULL;
}

static const char *
category_label(const char *category, const char *lang)
{
    size_t i;

    if (category == NULL)
        return NULL;
    for (i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
        if (strcmp(categories[i].name, category) == 0)
            return lang != NULL && strcmp(lang, "en") == 0 ? categories[i].en : categories[i].fr;
    return NULL;
}

/* Only a date range (or nothing): the count needs no join (index range count). */
static bool
filter_is_range_only(const struct ct_op_filter *f)
{
    return !f->upcoming && f->search == NULL && f->type == 0 && f->category == NULL &&
           f->afb_code == 0 && f->card < 0 && f->attachment < 0 && f->min_e4 < 0 && f->max_e4 < 0;
}

/* like holds SEARCH_MAX * 2 + 3 bytes. */
static bool
bind_filter(const struct ct_op_filter *f, const struct ct_op_account *a, char *like,
            struct bound *b)
{
    const struct ct_currency *cur = ct_currency_find(a->currency);
    int64_t scale = 1;
    size_t i, k = 0;
    int e;

    if (cur == NULL)
        return false;
    for (e = cur->exponent; e < 4; e++)
        scale *= 10;
    memset(b, 0, sizeof(*b));
    b->account = a->id;
    if (f->from_usec > 0)
        ct_time_to_db(f->from_usec, b->from);
    else
        (void)snprintf(b->from, sizeof(b->from), "%s", TIME_MIN);
    if (f->to_usec > 0)
        ct_time_to_db(f->to_usec, b->to);
    else
        (void)snprintf(b->to, sizeof(b->to), "%s", TIME_MAX);
    b->type = f->type;
    /* magnitudes: at least min (rounded up to a minor unit), at most max (rounded down) */
    b->min = f->min_e4 < 0 ? 0 : (f->min_e4 + scale - 1) / scale;
    b->max = f->max_e4 < 0 ? INT64_MAX : f->max_e4 / scale;
    b->category = f->category;
    /* seed 001: afb_code "works only if category and type parameters are not used" */
    b->afb = f->category == NULL && f->type == 0 ? f->afb_code : 0;
    b->card = f->card;
    b->attach = f->attachment;
    if (f->search != NULL) {
        if (strlen(f->search) > SEARCH_MAX)
            return false;
        like[k++] = '%';
        for (i = 0; f->search[i] != '\0'; i++) {
            if (f->search[i] == '%' || f->search[i] == '_' || f->search[i] == '\\')
                like[k++] = '\\';
            like[k++] = f->search[i];
        }
        like[k++] = '%';
        like[k] = '\0';
        b->like = like;
    }
    return true;
}

/* ---- reads ---------------------------------------------------------------------------------- */

static enum ct_err
count_one(struct ct_db *db, const struct ct_op_filter *f, const struct bound *b, int64_t *count)
{
    /* Postings in [from, to) = position of the last one before `to` minus position of the last
     * one before `from` (the ledger numbers each account's postings): two index lookups on
     * (account_id, booked_at, id), however long the history. Without dates it is the account's
     * count of postings, kept by the ledger beside those positions: one primary-key read. */
    static const char sql_range[] =
        "SELECT COALESCE((SELECT account_seq FROM ledger_posting WHERE account_id = ? "
        "AND booked_at < ? ORDER BY booked_at DESC, id DESC LIMIT 1), 0) - "
        "COALESCE((SELECT account_seq FROM ledger_posting WHERE account_id = ? "
        "AND booked_at < ? ORDER BY booked_at DESC, id DESC LIMIT 1), 0)";
    static const char sql_all[] =
        "SELECT COALESCE((SELECT posting_count FROM ledger_account WHERE id = ?), 0)";
    static const char sql_post[] = "SELECT COUNT(*) " POST_FROM POST_WHERE;
    static const char sql_hold[] = "SELECT COUNT(*) " HOLD_FROM HOLD_WHERE;
    struct ct_rows *r = NULL;
    enum ct_err err;

    if (filter_is_range_only(f) && f->from_usec <= 0 && f->to_usec <= 0)
        err = ct_db_query(db, sql_all, &r, "l", b->account);
    else if (filter_is_range_only(f))
        err = ct_db_query(db, sql_range, &r, "lsls", b->account, b->to, b->account, b->from);
    else
        err = ct_db_query(db, f->upcoming ? sql_hold : sql_post, &r, FILTER_FMT, FILTER_ARGS(b));
    if (err != CT_OK)
        return err;
    if (!ct_rows_i64(r, 0, 0, count))
        err = CT_E_INTERNAL;
    ct_rows_free(r);
    return err;
}

static enum ct_err
page_one(struct ct_db *db, bool upcoming, bool range_only, const struct bound *b, int64_t limit,
         int64_t offset, struct ct_rows **out)
{
    static const char sql_post[] = POST_COLS POST_FROM POST_WHERE POST_ORDER "LIMIT ? OFFSET ?";
    static const char sql_hold[] = HOLD_COLS HOLD_FROM HOLD_WHERE HOLD_ORDER "LIMIT ? OFFSET ?";
    /* No filter but the dates (the common case). The first page reads the posting index
     * backwards and stops after `limit` rows. Later pages pick their ids on the index alone
     * (skipping OFFSET rows there costs index entries, not joins), then join only those rows;
     * on the first page that detour (a derived table, then a sort of its rows) costs more than
     * it saves. */
    static const char sql_first[] = POST_COLS POST_FROM
        "WHERE p.account_id = ? AND p.booked_at >= ? AND p.booked_at < ? " POST_ORDER "LIMIT ?";
    static const char sql_range[] =
        POST_COLS "FROM (SELECT id FROM ledger_posting WHERE account_id = ? AND booked_at >= ? "
                  "AND booked_at < ? ORDER BY booked_at DESC, id DESC LIMIT ? OFFSET ?) pg "
                  "STRAIGHT_JOIN ledger_posting p ON p.id = pg.id " POST_JOINS POST_ORDER;

    if (!upcoming && range_only && offset == 0)
        return ct_db_query(db, sql_first, out, "lssl", b->account, b->from, b->to, limit);
    if (!upcoming && range_only)
        return ct_db_query(db, sql_range, out, "lssll", b->account, b->from, b->to, limit, offset);
    return ct_db_query(db, upcoming ? sql_hold : sql_post, out, FILTER_FMT "ll", FILTER_ARGS(b),
                       limit, offset);
}

/* Bounded copy; "" for NULL. (snprintf's format parsing is measurable over a page of rows.) */
static void
copy_text(char *dst, size_t dstsz, const char *src)
{
    size_t n = src != NULL ? strnlen(src, dstsz - 1) : 0;

    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The files attached to the postings among ops (holds have none), in one query for all of them:
 * the count per operation, the customer's document and the bank's bill. */
static enum ct_err
attach_files(struct ct_db *db, struct ct_operation *ops, size_t n)
{
    /* The ids drive: MariaDB would rather scan a small document table and join the ids to it,
     * which stops being cheap as soon as the table is not small. */
    static const char sql[] =
        "SELECT od.posting_id, od.doc_type, d.filename, d.mime_type, "
        "FLOOR(UNIX_TIMESTAMP(d.updated_at)) "
        "FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) pg "
        "STRAIGHT_JOIN operation_document od FORCE INDEX (PRIMARY) ON od.posting_id = pg.id "
        "STRAIGHT_JOIN document d FORCE INDEX (PRIMARY) ON d.id = od.document_id";
    struct ct_rows *r = NULL;
    struct ct_op_file *f;
    struct ct_buf ids;
    struct ct_json w;
    int64_t id;
    size_t i, row, posts = 0;
    enum ct_err err;

    /* the ids as a JSON array: 20 digits and a comma each at most */
    ct_buf_init(&ids, n * 21 + 2);
    ct_json_init(&w, &ids);
    ct_json_begin(&w, NULL, '[');
    for (i = 0; i < n; i++)
        if (ops[i].id > 0) {
            ct_json_int(&w, NULL, ops[i].id);
            posts++;
        }
    ct_json_end(&w, ']');
    err = ct_json_finish(&w);
    if (err == CT_OK && posts > 0)
        err = ct_db_query(db, sql, &r, "s", ct_buf_str(&ids));
    for (row = 0; err == CT_OK && row < ct_rows_count(r); row++) {
        if (!ct_rows_i64(r, row, 0, &id))
            continue;
        for (i = 0; i < n && ops[i].id != id; i++)
            ;
        if (i == n)
            continue;
        ops[i].attachments++;
        f = strcmp(ct_rows_str(r, row, 1), "bill") == 0 ? &ops[i].bill : &ops[i].document;
        f->present = true;
        copy_text(f->filename, sizeof(f->filename), ct_rows_str(r, row, 2));
        copy_text(f->mime_type, sizeof(f->mime_type), ct_rows_str(r, row, 3));
        (void)ct_rows_i64(r, row, 4, &f->updated_at);
    }
    ct_rows_free(r);
    ct_buf_free(&ids);
    return err;
}

static void
load_row(const struct ct_rows *r, size_t row, const struct ct_op_account *accts, size_t nacct,
         struct ct_operation *op)
{
    const char *label = ct_rows_str(r, row, 4);
    int64_t afb = 91;
    size_t i;

    memset(op, 0, sizeof(*op));
    (void)ct_rows_i64(r, row, 0, &op->id);
    (void)ct_rows_i64(r, row, 1, &op->account_id);
    (void)ct_rows_i64(r, row, 2, &op->amount);
    op->upcoming = op->id < 0;
    /* an entry without a description shows its kind */
    copy_text(op->label, sizeof(op->label),
              label != NULL && *label != '\0' ? label : ct_rows_str(r, row, 3));
    (void)ct_rows_i64(r, row, 5, &op->created_at);
    (void)ct_rows_i64(r, row, 6, &op->executed_at);
    (void)ct_rows_i64(r, row, 7, &op->updated_at);
    copy_text(op->category, sizeof(op->category), ct_rows_str(r, row, 8));
    (void)ct_rows_i64(r, row, 9, &afb);
    op->afb_code = (int)afb;
    copy_text(op->comment, sizeof(op->comment), ct_rows_str(r, row, 10));
    op->has_vat = ct_rows_i64(r, row, 11, &op->vat_amount);
    (void)ct_rows_i64(r, row, 12, &op->vat_rate_bp);
    (void)ct_rows_i64(r, row, 13, &op->vat_category_id);
    for (i = 0; i < nacct; i++)
        if (accts[i].id == op->account_id)
            memcpy(op->currency, accts[i].currency, sizeof(op->currency));
}

/* Newest first: sort time, then |id| (hold ids are negative). > 0 when a comes first. */
static int
row_cmp(const struct ct_rows *a, size_t ra, const struct ct_rows *b, size_t rb)
{
    int c = strcmp(ct_rows_str(a, ra, 14), ct_rows_str(b, rb, 14));
    int64_t ia = 0, ib = 0;

    if (c != 0)
        return c;
    (void)ct_rows_i64(a, ra, 0, &ia);
    (void)ct_rows_i64(b, rb, 0, &ib);
    ia = ia < 0 ? -ia : ia;
    ib = ib < 0 ? -ib : ib;
    return ia > ib ? 1 : ia < ib ? -1 : 0;
}

/* Several accounts: each gives its first offset + per_page rows, merged newest first. */
static enum ct_err
merge_pages(struct ct_db *db, const struct ct_op_account *accts, size_t nacct,
            const struct bound *bs, const int64_t *counts, bool upcoming, bool range_only,
            int64_t offset, int64_t per_page, struct ct_operation **out, size_t *n)
{
    struct ct_rows **rows = ct_calloc(nacct, sizeof(*rows));
    size_t *pos = ct_calloc(nacct, sizeof(*pos));
    struct ct_operation *items = ct_calloc((size_t)per_page, sizeof(*items));
    size_t i, got = 0;
    int64_t k;
    enum ct_err err = CT_OK;

    for (i = 0; i < nacct && err == CT_OK; i++)
        if (counts[i] > 0)
            err = page_one(db, upcoming, range_only, &bs[i], offset + per_page, 0, &rows[i]);
    for (k = 0; err == CT_OK && k < offset + per_page; k++) {
        size_t best = nacct;

        for (i = 0; i < nacct; i++)
            if (rows[i] != NULL && pos[i] < ct_rows_count(rows[i]) &&
                (best == nacct || row_cmp(rows[i], pos[i], rows[best], pos[best]) > 0))
                best = i;
        if (best == nacct)
            break;
        if (k >= offset)
            load_row(rows[best], pos[best], accts, nacct, &items[got++]);
        pos[best]++;
    }
    for (i = 0; i < nacct; i++)
        ct_rows_free(rows[i]);
    free(rows);
    free(pos);
    if (err != CT_OK || got == 0) {
        free(items);
        items = NULL;
    }
    if (err == CT_OK) {
        *out = items;
        *n = got;
    }
    return err;
}

enum ct_err
ct_operation_list(struct ct_db *db, const struct ct_op_account *accts, size_t nacct,
                  const struct ct_op_filter *f, int64_t page, int64_t per_page,
                  struct ct_operation **out, size_t *n, int64_t *total)
{
    char like[SEARCH_MAX * 2 + 3];
    struct bound *bs = NULL;
    int64_t *counts = NULL, sum = 0, offset, seq = 0;
    struct ct_rows *rows = NULL;
    struct ct_operation *items = NULL;
    size_t i, live = 0, last = 0, got = 0;
    enum ct_err err = CT_OK;

    if (page < 1 || per_page < 1 || page > INT64_MAX / per_page)
        return CT_E_BADREQ;
    offset = (page - 1) * per_page;
    bs = ct_calloc(nacct + 1, sizeof(*bs));
    counts = ct_calloc(nacct + 1, sizeof(*counts));
    for (i = 0; i < nacct && err == CT_OK; i++)
        if (!bind_filter(f, &accts[i], like, &bs[i]))
            err = CT_E_BADREQ;
    /* One account, no filter and no start date (the usual request): the page's newest posting
     * knows its position in the account's history (column 15), which makes the page its own
     * count: position + offset. Only a page with no rows (past the end) is counted apart. */
    if (err == CT_OK && nacct == 1 && filter_is_range_only(f) && f->from_usec <= 0)
        err = page_one(db, false, true, &bs[0], per_page, offset, &rows);
    if (err == CT_OK && ct_rows_i64(rows, 0, 15, &seq)) {
        sum = seq + offset;
    } else if (err == CT_OK) {
        ct_rows_free(rows);
        rows = NULL;
        for (i = 0; i < nacct && err == CT_OK; i++) {
            err = count_one(db, f, &bs[i], &counts[i]);
            if (err == CT_OK && counts[i] > 0) {
                sum += counts[i];
                live++;
                last = i;
            }
        }
        if (err == CT_OK && offset < sum && live > 1)
            err = merge_pages(db, accts, nacct, bs, counts, f->upcoming, filter_is_range_only(f),
                              offset, per_page, &items, &got);
        else if (err == CT_OK && offset < sum)
            err = page_one(db, f->upcoming, filter_is_range_only(f), &bs[last], per_page, offset,
                           &rows);
    }
    if (err == CT_OK && items == NULL && ct_rows_count(rows) > 0) {
        got = ct_rows_count(rows);
        items = ct_calloc(got, sizeof(*items));
        for (i = 0; i < got; i++)
            load_row(rows, i, accts, nacct, &items[i]);
    }
    if (err == CT_OK)
        err = attach_files(db, items, got);
    ct_rows_free(rows);
    free(bs);
    free(counts);
    if (err != CT_OK) {
        free(items);
        return err;
    }
    *out = items;
    *n = got;
    *total = sum;
    return CT_OK;
}

enum ct_err
ct_operation_get(struct ct_db *db, const struct ct_op_account *accts, size_t nacct, int64_t id,
                 struct ct_operation *out)
{
    static const char sql_post[] = POST_COLS POST_FROM "WHERE p.id = ?";
    static const char sql_hold[] = HOLD_COLS HOLD_FROM "WHERE h.id = ? AND h.status = 'active'";
    struct ct_rows *r = NULL;
    int64_t account = 0;
    size_t i;
    enum ct_err err;

    if (id == 0 || id == INT64_MIN)
        return CT_E_NOTFOUND;
    err = ct_db_query(db, id > 0 ? sql_post : sql_hold, &r, "l", id > 0 ? id : -id);
    if (err != CT_OK)
        return err;
    err = CT_E_NOTFOUND;
    if (ct_rows_count(r) == 1 && ct_rows_i64(r, 0, 1, &account))
        for (i = 0; i < nacct; i++)
            if (accts[i].id == account) {
                load_row(r, 0, accts, nacct, out);
                err = attach_files(db, out, 1);
                break;
            }
    ct_rows_free(r);
    return err;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static void
vat_write(struct ct_json *w, const struct ct_operation *op)
{
    char rate[32];
    int64_t whole = op->vat_rate_bp / 100, frac = op->vat_rate_bp % 100;

    if (!op->has_vat) {
        ct_json_null(w, "vat");
        return;
    }
    if (frac == 0)
        (void)snprintf(rate, sizeof(rate), "%lld", (long long)whole);
    else if (frac % 10 == 0)
        (void)snprintf(rate, sizeof(rate), "%lld.%lld", (long long)whole, (long long)(frac / 10));
    else
        (void)snprintf(rate, sizeof(rate), "%lld.%02lld", (long long)whole, (long long)frac);
    ct_json_begin(w, "vat", '{');
    ct_json_int(w, "vat_amount", op->vat_amount);
    /* the rate as exact decimal text, never through a double's printing */
    ct_json_num(w, "vat_rate", rate);
    if (op->vat_category_id != 0)
        ct_json_int(w, "category_id", op->vat_category_id);
    else
        ct_json_null(w, "category_id");
    ct_json_end(w, '}');
}

static void
unix_or_null(struct ct_json *w, const char *key, int64_t t)
{
    if (t > 0)
        ct_json_int(w, key, t);
    else
        ct_json_null(w, key);
}

/* "document": {updated_at, filename, mime_type, url} and "document_url" (both null if none). */
static void
file_write(struct ct_json *w, const struct ct_operation *op, const char *type, const char *url_key,
           const struct ct_op_file *f)
{
    char url[64];

    if (!f->present) {
        ct_json_null(w, type);
        ct_json_null(w, url_key);
        return;
    }
    (void)snprintf(url, sizeof(url), "/operations/%lld/%s", (long long)op->id, type);
    ct_json_begin(w, type, '{');
    unix_or_null(w, "updated_at", f->updated_at);
    ct_json_str(w, "filename", f->filename);
    ct_json_str(w, "mime_type", f->mime_type);
    ct_json_str(w, "url", url);
    ct_json_end(w, '}');
    ct_json_str(w, url_key, url);
}

void
ct_operation_write(struct ct_json *w, const struct ct_operation *op, const char *lang)
{
    ct_json_begin(w, NULL, '{');
    ct_json_int(w, "id", op->id);
    ct_json_int(w, "account_id", op->account_id);
    unix_or_null(w, "created_at", op->created_at);
    unix_or_null(w, "executed_at", op->executed_at);
    unix_or_null(w, "updated_at", op->updated_at);
    ct_json_str(w, "status", op->upcoming ? "PENDING" : "DONE");
    ct_json_str(w, "label", op->label);
    ct_json_str(w, "type", op->amount > 0 ? "credit" : "debit");
    ct_json_str(w, "category", op->category);
    ct_json_str(w, "category_label", category_label(op->category, lang));
    ct_json_int(w, "afb_code", op->afb_code);
    /* cents, as a magnitude: the direction is `type` */
    ct_json_int(w, "amount", op->amount < 0 ? -op->amount : op->amount);
    ct_json_str(w, "currency", op->currency);
    ct_json_null(w, "beneficiary");
    ct_json_str(w, "comment", op->comment[0] != '\0' ? op->comment : NULL);
    file_write(w, op, "document", "document_url", &op->document);
    file_write(w, op, "bill", "bill_url", &op->bill);
    ct_json_begin(w, "detail", '{');
    vat_write(w, op);
    ct_json_end(w, '}');
    ct_json_end(w, '}');
}
