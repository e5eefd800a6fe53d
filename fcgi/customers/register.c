/* register.c - POST /customers/register: the registration funnel creates a customer who logs in
 * with a password (kyc_status NONE until the customer submits KYC data). */
#include <string.h>
#include "ct/ct_customer.h"
#include "ct/ct_log.h"
#include "ct/ct_password.h"
#include "customers.h"

/* Far above the policy's 128 bytes: a longer value gets the policy's message, not a type error. */
#define PASSWORD_READ_MAX 1024

struct register_ctx {
    struct ct_customer c;
    char hash[CT_PASSWORD_HASH_MAX];
};

static enum ct_err register_unit(struct ct_db *db, void *arg);

static enum ct_err
register_unit(struct ct_db *db, void *arg)
{
    static const char sql[] = "UPDATE customer SET password_hash = ? "
                              "WHERE id = ? AND partner_id = ?";
    struct register_ctx *r = arg;
    enum ct_err err;

    err = ct_customer_insert(db, &r->c);
    if (err == CT_OK)
        err = ct_db_exec(db, sql, NULL, "ssl", r->hash, r->c.id, r->c.partner_id);
    return err;
}

enum ct_err
customers_register(struct ct_req *req)
{
    static const char *const extra[] = {"password", NULL};
    struct register_ctx r;
    const char *password, *why = NULL;
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&r, 0, sizeof(r));
    ct_customer_read_with(req, &r.c, false, extra);
    password = ct_body_str(req, "password", true, PASSWORD_READ_MAX);
    if (password != NULL && !ct_password_acceptable(password, &why))
        ct_req_field_error(req, "password", why);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    err = ct_req_front_partner(req, &r.c.partner_id);
    if (err == CT_OK)
        err = ct_password_hash(password, r.hash);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "registration is not available");
    err = ct_db_txn(req->db, register_unit, &r);
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, "CUSTOMER_EXISTS", "a customer with this email exists");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the customer could not be saved");
    ct_log(LOG_INFO, "customer %s registered", r.c.id);
    return ct_reply_json(req, 201, ct_customer_json(&r.c));
}
