/* cards.c - what the card processor tells about cards (seed 003): a personalised physical card
 * is linked to its order, and a card is locked from outside (scheme, acquirer) with a reason. The
 * processor sees the cards of the programs it processes only. */
#include "ct/ct_card_route.h"
#include "cardauth.h"

enum ct_err
cardauth_card_link(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_processor(req);

    return ct_card_route_link(req, &who);
}

enum ct_err
cardauth_card_lock(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_processor(req);

    return ct_card_route_lock(req, &who, ct_req_path_arg(req, "cardId"));
}
