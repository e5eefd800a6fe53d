/* kyc.c - POST /customers/me/register: the customer submits its own KYC data. The answer shows
 * the status and the submission, not the history: its reasons are the bank's and the partner's. */
#include "ct/ct_kyc.h"
#include "customers.h"

enum ct_err
customers_kyc_register(struct ct_req *req)
{
    struct ct_kyc_actor by = {CT_KYC_BY_CUSTOMER, req->ident.subject};

    return ct_kyc_reply_submit(req, req->ident.subject, &by, false);
}
