/* partner_balances.c - the partner's own balances on the partner channel (seed 003 'Get Partner
 * Deposit Balance or Partner Credit Balance'): read only; money reaches them through an operator
 * (tools/partner_balance, the admin channel). */
#include "ct/ct_partner_balance.h"
#include "secure.h"

enum ct_err
secure_partner_balance_list(struct ct_req *req)
{
    return ct_pbal_reply_list(req);
}
