/* users.c - a partner's users (customers) and their balances as the admin panel sees them: the
 * search with its filters, one user, the user's balances (list, open), and the IBAN reveal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_balance.h"
#include "ct/ct_customer.h"
#include "admin.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

static const char *query_get(void *ctx, const char *name);
static void query_error(void *ctx, const char *field, const char *message);
static struct json_object *masked_balance_json(const struct ct_balance *b);

static const char *
query_get(void *ctx, const char *name)
{
    return ct_req_query(ctx, name);
}

static void
query_error(void *ctx, const char *field, const char *message)
{
    ct_req_field_error(ctx, field, message);
}

bool
admin_page(struct ct_req *req, int64_t *page, int64_t *per_page)
{
    if (!ct_req_page(req, PAGE_DEFAULT, PAGE_MAX, page, per_page) || ct_req_has_errors(req)) {
        ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
        return false;
    }
    return true;
}

enum ct_err
admin_user_list(struct ct_req *req)
{
    struct ct_query_src q = {query_get, query_error, req};
    struct ct_customer_filter f;
    struct ct_customer *items = NULL;
    struct json_object *arr;
    int64_t page, per_page, total = 0;
    size_t n = 0, i;
    enum ct_err err;

    memset(&f, 0, sizeof(f));
    f.partner_id = req->ident.partner_id;
    (void)ct_customer_filter_parse(&q, &f);
    if (!admin_page(req, &page, &per_page))
        return CT_E_RULE;
    err = ct_customer_search(req->db, &f, page, per_page, &items, &n, &total);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "users could not be listed");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_customer_json(&items[i]));
    free(items);
    ct_reply_pagination(req, total, page, per_page);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
admin_path_user(struct ct_req *req, struct ct_customer *c)
{
    enum ct_err err =
        ct_customer_get(req->db, req->ident.partner_id, ct_req_path_arg(req, "userId"), c);

    return err == CT_OK ? CT_OK : ct_req_fail(req, err, NULL, "user not found");
}

enum ct_err
admin_user_get(struct ct_req *req)
{
    struct ct_customer c;

    if (admin_path_user(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_reply_json(req, 200, ct_customer_json(&c));
}

/* A balance as the panel lists it: the IBAN masked to its country, check digits and last four
 * characters ("PL07 **** 0001"); the whole IBAN is the 'Reveal' route's, which is audited. */
static struct json_object *
masked_balance_json(const struct ct_balance *b)
{
    struct json_object *o = ct_balance_json(b);
    size_t n = strlen(b->iban);
    char masked[16];

    (void)snprintf(masked, sizeof(masked), "%.4s **** %s", b->iban, n > 8 ? b->iban + n - 4 : "");
    json_object_object_del(o, "iban_formatted");
    json_object_object_add(o, "iban", json_object_new_string(masked));
    json_object_object_add(o, "iban_masked", json_object_new_boolean(1));
    return o;
}

enum ct_err
admin_user_balance_list(struct ct_req *req)
{
    struct ct_balance_filter f;
    struct ct_customer c;
    struct ct_balance *items = NULL;
    struct json_object *arr;
    int64_t page, per_page, total = 0;
    size_t n = 0, i;
    enum ct_err err;

    if (admin_path_user(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    if (!admin_page(req, &page, &per_page))
        return CT_E_RULE;
    memset(&f, 0, sizeof(f));
    f.partner_id = req->ident.partner_id;
    f.customer_id = c.id;
    err = ct_balance_list(req->db, &f, page, per_page, &items, &n, &total);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "balances could not be listed");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, masked_balance_json(&items[i]));
    free(items);
    ct_reply_pagination(req, total, page, per_page);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
admin_user_balance_create(struct ct_req *req)
{
    struct ct_customer c;

    if (admin_path_user(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_balance_reply_open(req, c.id);
}

/* 'Reveal' in the panel: audited as IBAN_REVEAL with the balance id, whatever the answer. */
enum ct_err
admin_balance_iban(struct ct_req *req)
{
    const char *id = ct_req_path_arg(req, "balanceId");
    struct ct_balance b;
    enum ct_err err;

    ct_req_audit(req, "IBAN_REVEAL", id);
    err = ct_balance_get(req->db, req->ident.partner_id, NULL, id, &b);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "balance not found");
    return ct_reply_json(req, 200, ct_balance_iban_json(&b));
}
