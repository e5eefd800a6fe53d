/* cards.c - the customer's own cards (seed 003 on the customer channel): each handler names the
 * session's customer and the path's ids, card_route.c does the rest. */
#include "ct/ct_card_route.h"
#include "customers.h"

/* A handler that calls `call` (an expression of req and who) as the session's customer. */
#define ME_CARDS(name, call)                                                                       \
    enum ct_err name(struct ct_req *req)                                                           \
    {                                                                                              \
        struct ct_card_who who = ct_card_who_customer(req);                                        \
                                                                                                   \
        return call;                                                                               \
    }
#define BALANCE ct_req_path_arg(req, "balanceId")
#define CARD ct_req_path_arg(req, "cardId")

ME_CARDS(customers_card_create, ct_card_route_create(req, &who, BALANCE, CT_CARD_VIRTUAL))
ME_CARDS(customers_card_order, ct_card_route_create(req, &who, BALANCE, CT_CARD_PHYSICAL))
ME_CARDS(customers_card_list, ct_card_route_list(req, &who))
ME_CARDS(customers_card_get, ct_card_route_get(req, &who, CARD))
ME_CARDS(customers_card_full, ct_card_route_full(req, &who, CARD))
ME_CARDS(customers_card_lock, ct_card_route_lock(req, &who, CARD))
ME_CARDS(customers_card_unlock, ct_card_route_unlock(req, &who, CARD))
ME_CARDS(customers_card_activate, ct_card_route_activate(req, &who, CARD))
ME_CARDS(customers_card_pin, ct_card_route_pin(req, &who, CARD))
ME_CARDS(customers_card_cvv_reset, ct_card_route_cvv_reset(req, &who, CARD))
ME_CARDS(customers_card_remove, ct_card_route_remove(req, &who, CARD))
