/* admin.h - the admin pool's handlers (admin channel, operator sessions). The role each route
 * admits is a flag of its row in routes.c, checked by the dispatcher with the Origin allow-list;
 * every request is audited there too. Every query is scoped by req->ident.partner_id, the
 * partner of the operator's session. Private to the pool. */
#ifndef ADMIN_H
#define ADMIN_H
#include "ct/ct_req.h"

extern const struct ct_route admin_routes[];

enum ct_err admin_session_create(struct ct_req *req);      /* POST /admin/sessions */
enum ct_err admin_session_end(struct ct_req *req);         /* DELETE /admin/sessions/current */
enum ct_err admin_user_list(struct ct_req *req);           /* GET /admin/users */
enum ct_err admin_user_get(struct ct_req *req);            /* GET /admin/users/{userId} */
enum ct_err admin_user_balance_list(struct ct_req *req);   /* GET .../balances */
enum ct_err admin_user_balance_create(struct ct_req *req); /* POST .../balances */
enum ct_err admin_balance_iban(struct ct_req *req);        /* GET /admin/balances/{id}/iban */
enum ct_err admin_summary(struct ct_req *req);             /* GET /admin/summary */
enum ct_err admin_partner_balance_list(struct ct_req *req);
enum ct_err admin_partner_balance_create(struct ct_req *req);
enum ct_err admin_partner_balance_reload(struct ct_req *req);
enum ct_err admin_operator_list(struct ct_req *req);
enum ct_err admin_operator_create(struct ct_req *req);
enum ct_err admin_operator_update(struct ct_req *req);
enum ct_err admin_fees_get(struct ct_req *req); /* GET /admin/fees */
enum ct_err admin_fees_put(struct ct_req *req); /* PUT /admin/fees */
/* cards.c: the shared card handlers (ct_card_route.h) as the operator (CT_CARD_BY_OPERATOR) */
enum ct_err admin_user_card_list(struct ct_req *req); /* GET /admin/users/{userId}/cards */
enum ct_err admin_card_create(struct ct_req *req);    /* POST /admin/balances/{id}/cards */
enum ct_err admin_card_order(struct ct_req *req);     /* POST .../cards/physical (order) */
enum ct_err admin_card_lock(struct ct_req *req);      /* POST /admin/cards/{cardId}/lock */
enum ct_err admin_card_unlock(struct ct_req *req);
enum ct_err admin_card_activate(struct ct_req *req);
enum ct_err admin_card_remove(struct ct_req *req); /* DELETE /admin/cards/{cardId} */
enum ct_err admin_card_cvv_reset(struct ct_req *req);

/* Page and per_page of a list (users.c), 422 on bad values; false when the request failed. */
bool admin_page(struct ct_req *req, int64_t *page, int64_t *per_page);
/* The path's {userId} of the operator's partner into c; the request fails (404) otherwise. */
struct ct_customer;
enum ct_err admin_path_user(struct ct_req *req, struct ct_customer *c);

#endif /* ADMIN_H */
