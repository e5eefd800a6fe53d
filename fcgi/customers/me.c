/* me.c - GET and PUT /customers/me: the profile of the customer whose session this is. The id
 * and partner come from the auth pool's answer (CT_AUTH_* params), never from the request. */
#include "ct/ct_customer.h"
#include "customers.h"

static enum ct_err update_unit(struct ct_db *db, void *arg);
static enum ct_err load_me(struct ct_req *req, struct ct_customer *c);

static enum ct_err
update_unit(struct ct_db *db, void *arg)
{
    return ct_customer_update(db, arg);
}

static enum ct_err
load_me(struct ct_req *req, struct ct_customer *c)
{
    enum ct_err err = ct_customer_get(req->db, req->ident.partner_id, req->ident.subject, c);

    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "customer not found");
    return CT_OK;
}

enum ct_err
customers_me_get(struct ct_req *req)
{
    struct ct_customer c;

    if (load_me(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_reply_json(req, 200, ct_customer_json(&c));
}

/* Any subset of the profile fields; the password is not changed here. */
enum ct_err
customers_me_update(struct ct_req *req)
{
    struct ct_customer c;
    enum ct_err err;

    if (load_me(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_customer_read(req, &c, true);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    err = ct_db_txn(req->db, update_unit, &c);
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, "CUSTOMER_EXISTS", "a customer with this email exists");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the customer could not be saved");
    return ct_reply_json(req, 200, ct_customer_json(&c));
}
