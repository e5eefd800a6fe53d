/* balances.c - user balances on the partner channel: open with an IBAN, read, list, reload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_balance.h"
#include "ct/ct_customer.h"
#include "ct/ct_ledger.h"
#include "secure.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

struct reload_ctx {
    struct ct_balance balance;
    int64_t amount;
    const char *description;
};

static enum ct_err reload_fn(struct ct_req *req, void *arg, int *status,
                             struct json_object **answer);
static enum ct_err reply_list(struct ct_req *req, const struct ct_balance_filter *f,
                              struct json_object *(*to_json)(const struct ct_balance *));
static const char *query_time(struct ct_req *req, const char *name);
static const char *reload_refusal(const char *code);

enum ct_err
secure_balance_create(struct ct_req *req)
{
    if (secure_customer_check(req) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_balance_reply_open(req, ct_req_path_arg(req, "customerId"));
}

enum ct_err
secure_balance_get(struct ct_req *req)
{
    struct ct_balance b;
    struct json_object *o;
    const char *at = ct_req_query(req, "at");
    int64_t at_usec = 0, past;
    char at_text[32];
    enum ct_err err;

    if (at != NULL && !ct_time_parse(at, &at_usec)) {
        ct_req_field_error(req, "at", "must be an ISO 8601 date or time");
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameter");
    }
    err = ct_balance_get(req->db, req->ident.partner_id, ct_req_path_arg(req, "customerId"),
                         ct_req_path_arg(req, "balanceId"), &b);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "balance not found");
    o = ct_balance_json(&b);
    if (at != NULL) {
        err = ct_ledger_balance_at(req->db, b.account_id, at_usec, &past);
        if (err != CT_OK) {
            json_object_put(o);
            return ct_req_fail(req, err, NULL, "balance history unavailable");
        }
        /* holds at a past time are not kept: only the posted balance is answered */
        json_object_object_del(o, "available");
        json_object_object_add(o, "balance", ct_amount_json(past, b.currency));
        ct_time_iso(at_usec, at_text);
        json_object_object_add(o, "at", json_object_new_string(at_text));
    }
    return ct_reply_json(req, 200, o);
}

static enum ct_err
reply_list(struct ct_req *req, const struct ct_balance_filter *f,
           struct json_object *(*to_json)(const struct ct_balance *))
{
    struct ct_balance *items = NULL;
    struct json_object *arr;
    int64_t page, per_page, total = 0;
    size_t n = 0, i;
    enum ct_err err;

    if (!ct_req_page(req, PAGE_DEFAULT, PAGE_MAX, &page, &per_page) || ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = ct_balance_list(req->db, f, page, per_page, &items, &n, &total);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "balances could not be listed");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, to_json(&items[i]));
    free(items);
    ct_reply_pagination(req, total, page, per_page);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
secure_balance_list(struct ct_req *req)
{
    struct ct_balance_filter f;

    if (secure_customer_check(req) != CT_OK)
        return CT_E_NOTFOUND;
    memset(&f, 0, sizeof(f));
    f.partner_id = req->ident.partner_id;
    f.customer_id = ct_req_path_arg(req, "customerId");
    return reply_list(req, &f, ct_balance_json);
}

enum ct_err
secure_balance_iban(struct ct_req *req)
{
    struct ct_balance b;
    enum ct_err err;

    err =
        ct_balance_get(req->db, req->ident.partner_id, NULL, ct_req_path_arg(req, "balanceId"), &b);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "balance not found");
    return ct_reply_json(req, 200, ct_balance_iban_json(&b));
}

/* A filter's time bound from the query into DATETIME(6) text kept in the request arena. */
static const char *
query_time(struct ct_req *req, const char *name)
{
    const char *v = ct_req_query(req, name);
    int64_t usec;
    char *db;

    if (v == NULL)
        return NULL;
    if (!ct_time_parse(v, &usec)) {
        ct_req_field_error(req, name, "must be an ISO 8601 date or time");
        return NULL;
    }
    db = ct_req_alloc(req, 32);
    ct_time_to_db(usec, db);
    return db;
}

enum ct_err
secure_iban_list(struct ct_req *req)
{
    struct ct_balance_filter f;
    const char *iban = ct_req_query(req, "iban");
    char *norm;

    memset(&f, 0, sizeof(f));
    f.partner_id = req->ident.partner_id;
    f.currency = ct_req_query(req, "currency");
    if (f.currency != NULL && ct_currency_find(f.currency) == NULL)
        ct_req_field_error(req, "currency", "must be an ISO 4217 currency code");
    f.customer_id = ct_req_query(req, "customer_id");
    if (f.customer_id != NULL && !ct_uuid_valid(f.customer_id))
        ct_req_field_error(req, "customer_id", "must be a customer id");
    if (iban != NULL) {
        norm = ct_req_alloc(req, CT_IBAN_MAX + 1);
        if (ct_iban_normalize(iban, norm) != CT_OK)
            ct_req_field_error(req, "iban", "must be an IBAN");
        f.iban = norm;
    }
    f.created_from = query_time(req, "created_from");
    f.created_to = query_time(req, "created_to");
    return reply_list(req, &f, ct_balance_iban_json);
}

/* What a refused reload's answer says (the code says it to a program). */
static const char *
reload_refusal(const char *code)
{
    if (code != NULL && strcmp(code, "PARTNER_INSUFFICIENT_FUNDS") == 0)
        return "the partner credit balance does not cover this reload";
    if (code != NULL && strcmp(code, "PARTNER_BALANCE_MISSING") == 0)
        return "the partner has no credit balance in the balance's currency";
    return "the reload could not be booked";
}

static enum ct_err
reload_fn(struct ct_req *req, void *arg, int *status, struct json_object **answer)
{
    struct reload_ctx *r = arg;
    struct json_object *o;
    const char *code = NULL;
    int64_t entry_id, after = 0;
    char id[24], now[32];
    enum ct_err err;

    /* checked after the idempotency claim, so a replay still answers what the first call did */
    if (strcmp(r->balance.status, "active") != 0)
        return ct_req_fail(req, CT_E_RULE, "BALANCE_NOT_ACTIVE", "the balance is not active");
    err = ct_balance_reload(req->db, &r->balance, r->amount, r->description, &entry_id, &after,
                            &code);
    if (err != CT_OK)
        return ct_req_fail(req, err, code, reload_refusal(code));
    (void)snprintf(id, sizeof(id), "%lld", (long long)entry_id);
    ct_time_iso(ct_now_usec(), now);
    o = json_object_new_object();
    json_object_object_add(o, "transaction_id", json_object_new_string(id));
    json_object_object_add(o, "balance_id", json_object_new_string(r->balance.id));
    json_object_object_add(o, "amount", ct_amount_json(r->amount, r->balance.currency));
    json_object_object_add(o, "currency", json_object_new_string(r->balance.currency));
    json_object_object_add(o, "balance", ct_amount_json(after, r->balance.currency));
    json_object_object_add(o, "created_at", json_object_new_string(now));
    *status = 201;
    *answer = o;
    return CT_OK;
}

enum ct_err
secure_balance_reload(struct ct_req *req)
{
    static const char *const fields[] = {"amount", "description", NULL};
    struct reload_ctx r;
    char scope[32];
    enum ct_err err;

    memset(&r, 0, sizeof(r));
    err = ct_balance_get_ref(req->db, req->ident.partner_id, ct_req_path_arg(req, "customerId"),
                             ct_req_path_arg(req, "balanceId"), &r.balance);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "balance not found");
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_body_only(req, fields);
    (void)ct_body_amount(req, "amount", ct_currency_find(r.balance.currency), &r.amount);
    r.description = ct_body_str(req, "description", false, 255);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    (void)snprintf(scope, sizeof(scope), "secure:%lld", (long long)req->ident.partner_id);
    return ct_req_idempotent(req, scope, reload_fn, &r);
}
