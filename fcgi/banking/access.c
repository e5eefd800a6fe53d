/* access.c - which accounts an OAuth token's customer may see: own ones and shared ones. */
#include <stdlib.h>
#include <string.h>
#include "banking.h"

enum ct_err
banking_visible(struct ct_req *req, struct ct_visible **out, size_t *n)
{
    struct ct_visible *all = NULL;
    size_t got = 0;
    enum ct_err err;

    err = ct_tp_visible(req->db, req->ident.partner_id, req->ident.subject, &all, &got);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "accounts could not be read");
    /* copied into the request arena so handlers need no cleanup */
    *out = ct_req_alloc(req, (got + 1) * sizeof(**out));
    if (got > 0)
        memcpy(*out, all, got * sizeof(**out));
    free(all);
    *n = got;
    return CT_OK;
}

enum ct_err
banking_visible_path(struct ct_req *req, struct ct_visible *out)
{
    const char *id = ct_req_path_arg(req, "id");
    int64_t account_id;
    enum ct_err err;

    if (id == NULL || !ct_parse_i64(id, 1, INT64_MAX, &account_id))
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "The account doesn't exist");
    err = ct_tp_visible_one(req->db, req->ident.partner_id, req->ident.subject, account_id, NULL,
                            out);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The account doesn't exist");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the account could not be read");
    return CT_OK;
}

enum ct_err
banking_visible_account(struct ct_req *req, int64_t account_id, struct ct_op_account *out)
{
    enum ct_err err;

    err = ct_tp_visible_currency(req->db, req->ident.partner_id, req->ident.subject, account_id,
                                 out->currency);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The account doesn't exist");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the account could not be read");
    out->id = account_id;
    return CT_OK;
}
