/* cards.c - a partner's cards in the admin panel (API.md "Admin channel"): the shared card
 * handlers of card_route.c called as the session's operator (ct_card_who_operator: any card of
 * the operator's partner, the operator recorded as the actor of every card_event). Operators
 * never see full card data: no full-data route here, and card_route.c refuses an operator there
 * anyway. Each action is audited with the card id (creation: the balance id) as its target. */
#include "ct/ct_balance.h"
#include "ct/ct_card_route.h"
#include "ct/ct_customer.h"
#include "admin.h"

/* A card_route.c handler of one card: lock, unlock, activate, remove, CVV reset. */
typedef enum ct_err (*card_action_fn)(struct ct_req *req, const struct ct_card_who *who,
                                      const char *card_id);

static enum ct_err on_card(struct ct_req *req, const char *action, card_action_fn fn);
static enum ct_err on_balance(struct ct_req *req, const char *action, enum ct_card_type type);

/* Every role: the masked list a panel finds a user's cards with. */
enum ct_err
admin_user_card_list(struct ct_req *req)
{
    struct ct_card_who who = ct_card_who_operator(req);
    struct ct_customer c;

    if (admin_path_user(req, &c) != CT_OK)
        return CT_E_NOTFOUND;
    who.customer_id = c.id;
    return ct_card_route_list(req, &who);
}

/* A card on a balance of the operator's partner, for the balance's customer. A balance of
 * another partner (or none) leaves the customer NULL, which ct_card_create answers 404 after the
 * body is checked, as on the other channels. */
static enum ct_err
on_balance(struct ct_req *req, const char *action, enum ct_card_type type)
{
    const char *balance_id = ct_req_path_arg(req, "balanceId");
    struct ct_card_who who = ct_card_who_operator(req);
    struct ct_balance b;
    enum ct_err err;

    ct_req_audit(req, action, balance_id);
    err = ct_balance_get(req->db, req->ident.partner_id, NULL, balance_id, &b);
    if (err == CT_OK)
        who.customer_id = b.customer_id;
    else if (err != CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "the balance could not be read");
    return ct_card_route_create(req, &who, balance_id, type);
}

/* A virtual card: ADMIN and MANAGER (API.md). */
enum ct_err
admin_card_create(struct ct_req *req)
{
    return on_balance(req, "CARD_CREATE", CT_CARD_VIRTUAL);
}

/* A physical card ordered to a delivery address: every role (seed 003 "Order physical card"). */
enum ct_err
admin_card_order(struct ct_req *req)
{
    return on_balance(req, "CARD_ORDER", CT_CARD_PHYSICAL);
}

static enum ct_err
on_card(struct ct_req *req, const char *action, card_action_fn fn)
{
    const char *card_id = ct_req_path_arg(req, "cardId");
    struct ct_card_who who = ct_card_who_operator(req);

    ct_req_audit(req, action, card_id);
    return fn(req, &who, card_id);
}

/* One exported handler per action: audited as `action`, then card_route.c's `fn`. */
#define CARD_ACTION(name, action, fn)                                                              \
    enum ct_err name(struct ct_req *req)                                                           \
    {                                                                                              \
        return on_card(req, action, fn);                                                           \
    }

CARD_ACTION(admin_card_lock, "CARD_LOCK", ct_card_route_lock)
CARD_ACTION(admin_card_unlock, "CARD_UNLOCK", ct_card_route_unlock)
CARD_ACTION(admin_card_activate, "CARD_ACTIVATE", ct_card_route_activate)
CARD_ACTION(admin_card_remove, "CARD_REMOVE", ct_card_route_remove)
CARD_ACTION(admin_card_cvv_reset, "CARD_CVV_RESET", ct_card_route_cvv_reset)
