/* third_parties.c - /customers/me/balances/{balanceId}/third-parties: list, declare, remove, for
 * the session's customer. The rules live in fcgi/lib/third_party.c (shared with /accounts). */
#include "ct/ct_third_party.h"
#include "third_parties.h"

static enum ct_err load_balance(struct ct_req *req, struct ct_visible *v);

/* 404 unless the session's customer owns the balance or is a third party on it. */
static enum ct_err
load_balance(struct ct_req *req, struct ct_visible *v)
{
    enum ct_err err;

    err = ct_tp_visible_one(req->db, req->ident.partner_id, req->ident.subject, 0,
                            ct_req_path_arg(req, "balanceId"), v);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, "BALANCE_NOT_FOUND", "balance not found");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the balance could not be read");
    return CT_OK;
}

enum ct_err
customers_third_party_list(struct ct_req *req)
{
    struct ct_visible v;
    enum ct_err err = load_balance(req, &v);

    if (err != CT_OK)
        return err;
    return ct_tp_reply_list(req, &v);
}

enum ct_err
customers_third_party_add(struct ct_req *req)
{
    struct ct_visible v;
    enum ct_err err = load_balance(req, &v);

    if (err != CT_OK)
        return err;
    return ct_tp_reply_add(req, &v);
}

enum ct_err
customers_third_party_remove(struct ct_req *req)
{
    struct ct_visible v;
    enum ct_err err = load_balance(req, &v);

    if (err != CT_OK)
        return err;
    return ct_tp_reply_remove(req, &v, ct_req_path_arg(req, "customerId"));
}
