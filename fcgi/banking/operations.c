/* operations.c - GET /operations (seed 001 filters, pages of 50) and GET /operations/{id}: the
 * postings and active holds of the accounts the token's customer sees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_util.h"
#include "banking.h"

#define PER_PAGE 50
#define DAY_USEC (86400LL * 1000000LL)

static void read_filters(struct ct_req *req, struct ct_op_filter *f);
static void read_bound(struct ct_req *req, const char *name, bool upper, int64_t *usec);
static void read_flag(struct ct_req *req, const char *name, const char *yes, const char *no,
                      int *out);
static struct ct_op_account *op_accounts(struct ct_req *req, const struct ct_visible *vis, size_t n,
                                         int64_t only, size_t *nacct);
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

/* The visible accounts as the operation module wants them; `only` > 0 keeps that one. */
static struct ct_op_account *
op_accounts(struct ct_req *req, const struct ct_visible *vis, size_t n, int64_t only, size_t *nacct)
{
    struct ct_op_account *a = ct_req_alloc(req, (n + 1) * sizeof(*a));
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (only > 0 && vis[i].account_id != only)
            continue;
        a[k].id = vis[i].account_id;
        memcpy(a[k].currency, vis[i].currency, sizeof(a[k].currency));
        k++;
    }
    *nacct = k;
    return a;
}

static const char *
lang_of(const struct ct_req *req)
{
    const char *al = ct_req_header(req, "Accept-Language");

    return al != NULL && strncmp(al, "en", 2) == 0 ? "en" : "fr";
}

enum ct_err
banking_operation_list(struct ct_req *req)
{
    struct ct_op_filter f;
    struct ct_visible *vis = NULL;
    struct ct_op_account *accts;
    struct ct_operation *ops = NULL;
    struct json_object *arr;
    const char *account = ct_req_query(req, "account_id");
    int64_t page, per_page, total = 0, only = 0;
    size_t nvis = 0, nacct = 0, n = 0, i;
    enum ct_err err;

    read_filters(req, &f);
    if (account != NULL && !ct_parse_i64(account, 1, INT64_MAX, &only))
        ct_req_field_error(req, "account_id", "must be an account id");
    if (!ct_req_page(req, PER_PAGE, PER_PAGE, &page, &per_page) || ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = banking_visible(req, &vis, &nvis);
    if (err != CT_OK)
        return err;
    accts = op_accounts(req, vis, nvis, only, &nacct);
    if (only > 0 && nacct == 0)
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "The account doesn't exist");
    err = ct_operation_list(req->db, accts, nacct, &f, page, per_page, &ops, &n, &total);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "operations could not be listed");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_operation_json(&ops[i], lang_of(req)));
    free(ops);
    ct_reply_pagination(req, total, page, per_page);
    return ct_reply_json(req, 200, arr);
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
    accts = op_accounts(req, vis, nvis, 0, &nacct);
    err = ct_operation_get(req->db, accts, nacct, op_id, &op);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The operation doesn't exist");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the operation could not be read");
    return ct_reply_json(req, 200, ct_operation_json(&op, lang_of(req)));
}
