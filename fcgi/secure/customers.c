/* customers.c - a partner's customers: create, read, update. */
#include <string.h>
#include "ct/ct_customer.h"
#include "secure.h"

static enum ct_err insert_unit(struct ct_db *db, void *arg);
static enum ct_err update_unit(struct ct_db *db, void *arg);
static enum ct_err write_reply(struct ct_req *req, enum ct_err err, int status,
                               const struct ct_customer *c);
static enum ct_err load_path_customer(struct ct_req *req, struct ct_customer *c);

static enum ct_err
insert_unit(struct ct_db *db, void *arg)
{
    return ct_customer_insert(db, arg);
}

static enum ct_err
update_unit(struct ct_db *db, void *arg)
{
    return ct_customer_update(db, arg);
}

static enum ct_err
write_reply(struct ct_req *req, enum ct_err err, int status, const struct ct_customer *c)
{
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, "CUSTOMER_EXISTS", "a customer with this email exists");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the customer could not be saved");
    return ct_reply_json(req, status, ct_customer_json(c));
}

enum ct_err
secure_customer_create(struct ct_req *req)
{
    struct ct_customer c;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&c, 0, sizeof(c));
    ct_customer_read(req, &c, false);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    c.partner_id = req->ident.partner_id;
    return write_reply(req, ct_db_txn(req->db, insert_unit, &c), 201, &c);
}

/* The path's {customerId} of the calling partner into c; the request fails (404) otherwise. */
static enum ct_err
load_path_customer(struct ct_req *req, struct ct_customer *c)
{
    enum ct_err err;

    err = ct_customer_get(req->db, req->ident.partner_id, ct_req_path_arg(req, "customerId"), c);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "customer not found");
    return CT_OK;
}

enum ct_err
secure_customer_check(struct ct_req *req)
{
    struct ct_customer c;

    return load_path_customer(req, &c);
}

enum ct_err
secure_customer_get(struct ct_req *req)
{
    struct ct_customer c;

    if (load_path_customer(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_reply_json(req, 200, ct_customer_json(&c));
}

enum ct_err
secure_customer_update(struct ct_req *req)
{
    struct ct_customer c;

    if (load_path_customer(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_customer_read(req, &c, true);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    return write_reply(req, ct_db_txn(req->db, update_unit, &c), 200, &c);
}
