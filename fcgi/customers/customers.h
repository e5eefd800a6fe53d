/* customers.h - the customers pool's handlers (customer channel, session tokens). */
#ifndef CUSTOMERS_H
#define CUSTOMERS_H
#include <stdint.h>
#include "ct/ct_conf.h"
#include "ct/ct_req.h"

extern const struct ct_route customers_routes[];

/* conf.c: the pool's configuration, read once before the workers fork (read-only after), and
 * the partner whose customers this front serves (conf `partner`, its public id). */
/* The configured partner's row id, looked up once per worker; CT_E_INTERNAL (logged) when the
 * configuration names no active partner. */

/* register.c */
enum ct_err customers_register(struct ct_req *req);
/* sessions.c */
enum ct_err customers_session_create(struct ct_req *req);
enum ct_err customers_session_end(struct ct_req *req);
/* me.c */
enum ct_err customers_me_get(struct ct_req *req);
enum ct_err customers_me_update(struct ct_req *req);
/* kyc.c */
enum ct_err customers_kyc_register(struct ct_req *req);
/* balances.c */
enum ct_err customers_balance_create(struct ct_req *req);
/* cards.c */
enum ct_err customers_card_create(struct ct_req *req);
enum ct_err customers_card_order(struct ct_req *req);
enum ct_err customers_card_list(struct ct_req *req);
enum ct_err customers_card_get(struct ct_req *req);
enum ct_err customers_card_full(struct ct_req *req);
enum ct_err customers_card_lock(struct ct_req *req);
enum ct_err customers_card_unlock(struct ct_req *req);
enum ct_err customers_card_activate(struct ct_req *req);
enum ct_err customers_card_pin(struct ct_req *req);
enum ct_err customers_card_cvv_reset(struct ct_req *req);
enum ct_err customers_card_remove(struct ct_req *req);

#endif /* CUSTOMERS_H */
