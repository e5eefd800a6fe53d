/* cards.c - a partner's customers' cards (seed 003 on the server-to-server channel): each handler
 * names the certificate's partner, the path's customer and ids; card_route.c does the rest. A
 * customer or card of another partner is out of scope: 404. */
#include "ct/ct_card_route.h"
#include "secure.h"

#define WHO ct_card_who_partner(req, ct_req_path_arg(req, "customerId"))
#define CARD_ID ct_req_path_arg(req, "cardId")

enum ct_err
secure_card_create(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_create(req, &who, ct_req_path_arg(req, "balanceId"), CT_CARD_VIRTUAL);
}

enum ct_err
secure_card_order(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_create(req, &who, ct_req_path_arg(req, "balanceId"), CT_CARD_PHYSICAL);
}

enum ct_err
secure_card_list(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    if (secure_customer_check(req) != CT_OK)
        return CT_E_NOTFOUND;
    return ct_card_route_list(req, &who);
}

enum ct_err
secure_card_get(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_get(req, &who, CARD_ID);
}

enum ct_err
secure_card_full(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_full(req, &who, CARD_ID);
}

enum ct_err
secure_card_lock(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_lock(req, &who, CARD_ID);
}

enum ct_err
secure_card_unlock(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_unlock(req, &who, CARD_ID);
}

enum ct_err
secure_card_activate(struct ct_req *req)
{
    struct ct_card_who who = WHO;

    return ct_card_route_activate(req, &who, CARD_ID);
}
