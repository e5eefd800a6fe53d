/* operations.c - GET /operations (seed 001 filters, pages of 50) and GET /operations/{id}: the
 * postings and active holds of the accounts the token's customer sees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_buf.h"
#include "ct/ct_json.h"
#include "ct/ct_util.h"
#include "banking.h"

#define PER_PAGE 50
#define DAY_USEC (86400LL * 1000000LL)
/* a page of 50 is about 25 KiB; 50 operations with every text field full of escapes, 1 MiB */
#define REPLY_MAX (4u << 20)

static void read_filters(struct ct_req *req, struct ct_op_filter *f);
static void read_bound(struct ct_req *req, const char *name, bool upper, int64_t *usec);
static void read_flag(struct ct_req *req, const char *name, const char *yes, const char *no,
                      int *out);
static struct ct_op_account *op_accounts(struct ct_req *req, const struct ct_visible *vis, size_t n,
                                         size_t *nacct);
static enum ct_err reply_operations(struct ct_req *req, const struct ct_operation *ops, size_t n,
                                    bool one);
static const char *lang_of(const struct ct_req *req);

/* from/to: a bare date is a whole UTC day (from its start; to the end of that day); a time is
 * taken as is (to inclusive). */
static void
read_bound(struct ct_req *req, const char *name, bool upper, int64_t *usec)
{
    const char *v = ct_req_query(req, name);

    if (v == NULL)
        return;
    if (!ct_time_parse(v, usec) || *usec <= 0) {
        ct_req_field_error(req, name, "must be a date (2017-01-31) or an ISO 8601 time");
        return;
    }
    if (upper)
        *usec += strlen(v) == 10 ? DAY_USEC : 1;
}

static void
read_flag(struct ct_req *req, const char *name, const char *yes, const char *no, int *out)
{
    const char *v = ct_req_query(req, name);

    if (v == NULL)
        return;
    if (strcmp(v, yes) == 0)
        *out = 1;
    else if (strcmp(v, no) == 0)
        *out = 0;
    else
        ct_req_field_error(req, name, no[0] == '0' ? "must be 0 or 1" : "must be true or false");
}

static void
read_filters(struct ct_req *req, struct ct_op_filter *f)
{
    const char *status = ct_req_query(req, "status"), *type = ct_req_query(req, "type");
    const char *min = ct_req_query(req, "min"), *max = ct_req_query(req, "max");
    const char *afb = ct_req_query(req, "afb_code");
    int64_t v;

    ct_op_filter_init(f);
    if (status != NULL && strcmp(status, "upcoming") == 0)
        f->upcoming = true;
    else if (status != NULL && strcmp(status, "done") != 0)
        ct_req_field_error(req, "status", "must be upcoming or done");
    f->search = ct_req_query(req, "search");
    if (f->search != NULL && (f->search[0] == '\0' || strlen(f->search) > 100))
        ct_req_field_error(req, "search", "must be 1 to 100 characters");
    if (type != NULL && strcmp(type, "credit") == 0)
        f->type = 1;
    else if (type != NULL && strcmp(type, "debit") == 0)
        f->type = -1;
    else if (type != NULL)
        ct_req_field_error(req, "type", "must be credit or debit");
    f->category = ct_req_query(req, "category");
    if (f->category != NULL && !ct_op_category_valid(f->category))
        ct_req_field_error(req, "category", "is not a known category");
    read_flag(req, "attachment", "1", "0", &f->attachment);
    read_flag(req, "card", "true", "false", &f->card);
    read_bound(req, "from", false, &f->from_usec);
    read_bound(req, "to", true, &f->to_usec);
    if (min != NULL && !ct_op_parse_e4(min, &f->min_e4))
        ct_req_field_error(req, "min", "must be an amount in currency units");
    if (max != NULL && !ct_op_parse_e4(max, &f->max_e4))
        ct_req_field_error(req, "max", "must be an amount in currency units");
    if (afb != NULL && ct_parse_i64(afb, 1, 99, &v))
        f->afb_code = (int)v;
    else if (afb != NULL)
        ct_req_field_error(req, "afb_code", "must be an AFB code (1 to 99)");
}

/* The visible accounts as the operation module wants them. */
static struct ct_op_account *
op_accounts(struct ct_req *req, const struct ct_visible *vis, size_t n, size_t *nacct)
{
    struct ct_op_account *a = ct_req_alloc(req, (n + 1) * sizeof(*a));
    size_t i;

    for (i = 0; i < n; i++) {
        a[i].id = vis[i].account_id;
        memcpy(a[i].currency, vis[i].currency, sizeof(a[i].currency));
    }
    *nacct = n;
    return a;
}

static const char *
lang_of(const struct ct_req *req)
{
    const char *al = ct_req_header(req, "Accept-Language");

    return al != NULL && strncmp(al, "en", 2) == 0 ? "en" : "fr";
}

/* Replies with the operations as JSON written straight into a buffer (json-c objects for a page of
 * 50 cost more than the page's queries); a single operation (one) or an array. */
static enum ct_err
reply_operations(struct ct_req *req, const struct ct_operation *ops, size_t n, bool one)
{
    const char *lang = lang_of(req);
    struct ct_buf out;
    struct ct_json w;
    size_t i;
    enum ct_err err;

    ct_buf_init(&out, REPLY_MAX);
    ct_json_init(&w, &out);
    if (!one)
        ct_json_begin(&w, NULL, '[');
    for (i = 0; i < n; i++)
        ct_operation_write(&w, &ops[i], lang);
    if (!one)
        ct_json_end(&w, ']');
    err = ct_json_finish(&w);
    if (err == CT_OK)
        err = ct_reply_raw(req, 200, ct_buf_str(&out));
    else
        err = ct_req_fail(req, CT_E_INTERNAL, NULL, "the reply is too long");
    ct_buf_free(&out);
    return err;
}

enum ct_err
banking_operation_list(struct ct_req *req)
{
    struct ct_op_filter f;
    struct ct_visible *vis = NULL;
    struct ct_op_account *accts, one;
    struct ct_operation *ops = NULL;
    const char *account = ct_req_query(req, "account_id");
    int64_t page, per_page, total = 0, only = 0;
    size_t nvis = 0, nacct = 0, n = 0;
    enum ct_err err;

    read_filters(req, &f);
    if (account != NULL && !ct_parse_i64(account, 1, INT64_MAX, &only))
        ct_req_field_error(req, "account_id", "must be an account id");
    if (!ct_req_page(req, PER_PAGE, PER_PAGE, &page, &per_page) || ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    if (only > 0) {
        /* one account: its access check alone, not the whole list of visible accounts */
        err = banking_visible_account(req, only, &one);
        accts = &one;
        nacct = 1;
    } else {
        err = banking_visible(req, &vis, &nvis);
        accts = op_accounts(req, vis, nvis, &nacct);
    }
    if (err != CT_OK)
        return err;
    err = ct_operation_list(req->db, accts, nacct, &f, page, per_page, &ops, &n, &total);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "operations could not be listed");
    ct_reply_pagination(req, total, page, per_page);
    err = reply_operations(req, ops, n, false);
    free(ops);
    return err;
}

enum ct_err
banking_operation_get(struct ct_req *req)
{
    struct ct_visible *vis = NULL;
    struct ct_op_account *accts;
    struct ct_operation op;
    const char *id = ct_req_path_arg(req, "id");
    int64_t op_id;
    size_t nvis = 0, nacct = 0;
    enum ct_err err;

    if (id == NULL || !ct_parse_i64(id, -INT64_MAX, INT64_MAX, &op_id))
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "The operation doesn't exist");
    err = banking_visible(req, &vis, &nvis);
    if (err != CT_OK)
        return err;
    accts = op_accounts(req, vis, nvis, &nacct);
    err = ct_operation_get(req->db, accts, nacct, op_id, &op);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The operation doesn't exist");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the operation could not be read");
    return reply_operations(req, &op, 1, true);
}
