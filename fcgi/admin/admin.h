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

/* Page and per_page of a list (users.c), 422 on bad values; false when the request failed. */
bool admin_page(struct ct_req *req, int64_t *page, int64_t *per_page);

#endif /* ADMIN_H */
