/* kyc.c - KYC on the partner channel: initiate it with the customer's data, record the result of
 * the partner's own KYC, read the status with its history. A partner acts as its public id. */
#include "ct/ct_kyc.h"
#include "secure.h"

static struct ct_kyc_actor partner_actor(const struct ct_req *req);

static struct ct_kyc_actor
partner_actor(const struct ct_req *req)
{
    struct ct_kyc_actor by = {CT_KYC_BY_PARTNER, req->ident.partner_ref};

    return by;
}

enum ct_err
secure_kyc_register(struct ct_req *req)
{
    struct ct_kyc_actor by = partner_actor(req);

    if (secure_customer_check(req) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_kyc_reply_submit(req, ct_req_path_arg(req, "customerId"), &by, true);
}

enum ct_err
secure_kyc_set(struct ct_req *req)
{
    struct ct_kyc_actor by = partner_actor(req);

    if (secure_customer_check(req) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_kyc_reply_decide(req, ct_req_path_arg(req, "customerId"), &by);
}

enum ct_err
secure_kyc_get(struct ct_req *req)
{
    return ct_kyc_reply_get(req, ct_req_path_arg(req, "customerId"), true);
}
