/* partner_balances.c - the partner's own money in the admin panel: the balance summary (any
 * role), and its credit and deposit balances (ADMIN): list, open, and reload once the partner's
 * bank transfer has arrived (seed 003). A reload moves money: it takes an Idempotency-Key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_balance.h"
#include "ct/ct_money.h"
#include "ct/ct_partner_balance.h"
#include "admin.h"

struct open_ctx {
    int64_t partner_id;
    enum ct_pbal_type type;
    const char *currency;
    struct ct_pbal pb;
    const char *code;
};

struct reload_ctx {
    struct ct_pbal pb;
    int64_t amount;
    const char *description;
};

static enum ct_err open_unit(struct ct_db *db, void *arg);
static enum ct_err reload_fn(struct ct_req *req, void *arg, int *status,
                             struct json_object **answer);

enum ct_err
admin_summary(struct ct_req *req)
{
    struct ct_pbal_summary *items = NULL;
    struct json_object *arr;
    size_t n = 0, i;
    enum ct_err err;

    err = ct_pbal_summary(req->db, req->ident.partner_id, &items, &n);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the summary could not be made");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_pbal_summary_json(&items[i]));
    free(items);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
admin_partner_balance_list(struct ct_req *req)
{
    return ct_pbal_reply_list(req);
}

static enum ct_err
open_unit(struct ct_db *db, void *arg)
{
    struct open_ctx *o = arg;

    return ct_pbal_open(db, o->partner_id, o->type, o->currency, &o->pb, &o->code);
}

enum ct_err
admin_partner_balance_create(struct ct_req *req)
{
    static const char *const fields[] = {"type", "currency", NULL};
    struct open_ctx o;
    const char *type;
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&o, 0, sizeof(o));
    ct_body_only(req, fields);
    type = ct_body_str(req, "type", true, 16);
    o.currency = ct_body_str(req, "currency", true, 3);
    if (type != NULL) {
        o.type = ct_pbal_type_from_name(type);
        /* the technical balance opens with the others; nobody funds it */
        if (o.type != CT_PBAL_CREDIT && o.type != CT_PBAL_DEPOSIT)
            ct_req_field_error(req, "type", "must be credit or deposit");
    }
    if (o.currency != NULL && ct_currency_find(o.currency) == NULL)
        ct_req_field_error(req, "currency", "must be an ISO 4217 currency code");
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    o.partner_id = req->ident.partner_id;
    err = ct_db_txn(req->db, open_unit, &o);
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, o.code, "the partner has this balance already");
    if (err != CT_OK)
        return ct_req_fail(req, err, o.code, "the partner balance could not be opened");
    return ct_reply_json(req, 201, ct_pbal_json(&o.pb));
}

static enum ct_err
reload_fn(struct ct_req *req, void *arg, int *status, struct json_object **answer)
{
    struct reload_ctx *r = arg;
    struct json_object *o;
    struct ct_pbal after;
    const char *code = NULL;
    int64_t entry_id = 0;
    char id[24];
    enum ct_err err;

    err = ct_pbal_reload(req->db, &r->pb, r->amount, r->description, &entry_id, &code);
    if (err == CT_OK)
        err = ct_pbal_get(req->db, r->pb.partner_id, r->pb.id, &after);
    if (err != CT_OK)
        return ct_req_fail(req, err, code, "the reload could not be booked");
    (void)snprintf(id, sizeof(id), "%lld", (long long)entry_id);
    o = ct_pbal_json(&after);
    json_object_object_add(o, "transaction_id", json_object_new_string(id));
    json_object_object_add(o, "amount", ct_amount_json(r->amount, r->pb.currency));
    *status = 201;
    *answer = o;
    return CT_OK;
}

enum ct_err
admin_partner_balance_reload(struct ct_req *req)
{
    static const char *const fields[] = {"amount", "description", NULL};
    struct reload_ctx r;
    char scope[40];
    enum ct_err err;

    memset(&r, 0, sizeof(r));
    err = ct_pbal_get(req->db, req->ident.partner_id, ct_req_path_arg(req, "balanceId"), &r.pb);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "partner balance not found");
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_body_only(req, fields);
    (void)ct_body_amount(req, "amount", ct_currency_find(r.pb.currency), &r.amount);
    r.description = ct_body_str(req, "description", false, 255);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    (void)snprintf(scope, sizeof(scope), "admin:%lld", (long long)req->ident.partner_id);
    return ct_req_idempotent(req, scope, reload_fn, &r);
}
