/* partner_balances.c - the partner's own balances on the partner channel (seed 003 'Get Partner
 * Deposit Balance or Partner Credit Balance'): read only; money reaches them through an operator
 * (tools/partner_balance, the admin channel). */
#include <stdlib.h>
#include "ct/ct_partner_balance.h"
#include "secure.h"

enum ct_err
secure_partner_balance_list(struct ct_req *req)
{
    struct ct_pbal *items = NULL;
    struct json_object *arr;
    size_t n = 0, i;
    enum ct_err err;

    err = ct_pbal_list(req->db, req->ident.partner_id, &items, &n);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "partner balances could not be read");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_pbal_json(&items[i]));
    free(items);
    return ct_reply_json(req, 200, arr);
}
