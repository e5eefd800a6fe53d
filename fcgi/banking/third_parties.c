/* third_parties.c - /accounts/{id}/third-parties: list, declare, remove (owner only; a third
 * party may remove itself). The rules live in fcgi/lib/third_party.c. */
#include "banking.h"

enum ct_err
banking_third_party_list(struct ct_req *req)
{
    struct ct_visible v;
    enum ct_err err = banking_visible_path(req, &v);

    if (err != CT_OK)
        return err;
    return ct_tp_reply_list(req, &v);
}

enum ct_err
banking_third_party_add(struct ct_req *req)
{
    struct ct_visible v;
    enum ct_err err = banking_visible_path(req, &v);

    if (err != CT_OK)
        return err;
    return ct_tp_reply_add(req, &v);
}

enum ct_err
banking_third_party_remove(struct ct_req *req)
{
    struct ct_visible v;
    enum ct_err err = banking_visible_path(req, &v);

    if (err != CT_OK)
        return err;
    return ct_tp_reply_remove(req, &v, ct_req_path_arg(req, "customerId"));
}
