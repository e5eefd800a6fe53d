/* cards.c - the customer's own cards (seed 003 on the customer channel): each handler names the
 * session's customer and the path's ids, card_route.c does the rest. */
#include "ct/ct_card_route.h"
#include "customers.h"

#define CARD_ID ct_req_path_arg(req, "cardId")

enum ct_err
customers_card_create(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_create(req, &who, ct_req_path_arg(req, "balanceId"), CT_CARD_VIRTUAL);
}

enum ct_err
customers_card_order(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_create(req, &who, ct_req_path_arg(req, "balanceId"), CT_CARD_PHYSICAL);
}

enum ct_err
customers_card_list(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_list(req, &who);
}

enum ct_err
customers_card_get(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_get(req, &who, CARD_ID);
}

enum ct_err
customers_card_full(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_full(req, &who, CARD_ID);
}

enum ct_err
customers_card_lock(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_lock(req, &who, CARD_ID);
}

enum ct_err
customers_card_unlock(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_unlock(req, &who, CARD_ID);
}

enum ct_err
customers_card_activate(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_activate(req, &who, CARD_ID);
}

enum ct_err
customers_card_pin(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_pin(req, &who, CARD_ID);
}

enum ct_err
customers_card_cvv_reset(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_cvv_reset(req, &who, CARD_ID);
}

enum ct_err
customers_card_remove(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_customer(req);

    return ct_card_route_remove(req, &who, CARD_ID);
}
