/* cards.c - a partner's customers' cards (seed 003 on the server-to-server channel): each handler
 * names the certificate's partner, the path's customer and ids; card_route.c does the rest. A
 * customer or card of another partner is out of scope: 404. */
#include "ct/ct_card_route.h"
#include "secure.h"

/* A handler that calls `call` (an expression of req and who) as the partner, for the path's
 * customer. */
#define PARTNER_CARDS(name, call)                                                                  \
    enum ct_err name(struct ct_req *req)                                                           \
    {                                                                                              \
        struct ct_card_who who = ct_card_who_partner(req, ct_req_path_arg(req, "customerId"));     \
                                                                                                   \
        return call;                                                                               \
    }
#define BALANCE ct_req_path_arg(req, "balanceId")
#define CARD ct_req_path_arg(req, "cardId")

PARTNER_CARDS(secure_card_create, ct_card_route_create(req, &who, BALANCE, CT_CARD_VIRTUAL))
PARTNER_CARDS(secure_card_order, ct_card_route_create(req, &who, BALANCE, CT_CARD_PHYSICAL))
/* an unknown customer is a 404, not an empty list */
PARTNER_CARDS(secure_card_list,
              secure_customer_check(req) != CT_OK ? CT_E_NOTFOUND : ct_card_route_list(req, &who))
PARTNER_CARDS(secure_card_get, ct_card_route_get(req, &who, CARD))
PARTNER_CARDS(secure_card_full, ct_card_route_full(req, &who, CARD))
PARTNER_CARDS(secure_card_lock, ct_card_route_lock(req, &who, CARD))
PARTNER_CARDS(secure_card_unlock, ct_card_route_unlock(req, &who, CARD))
PARTNER_CARDS(secure_card_activate, ct_card_route_activate(req, &who, CARD))
