/* balances.c - POST /customers/me/balances: the customer opens a balance of its own (KYC
 * VERIFIED required, checked where every balance is opened). */
#include "ct/ct_balance.h"
#include "customers.h"

enum ct_err
customers_balance_create(struct ct_req *req)
{
    return ct_balance_reply_open(req, req->ident.subject);
}
