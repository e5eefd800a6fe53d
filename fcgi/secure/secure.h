/* secure.h - the secure pool's handlers (partner channel, x509). */
#ifndef SECURE_H
#define SECURE_H
#include "ct/ct_req.h"

extern const struct ct_route secure_routes[];

enum ct_err secure_customer_create(struct ct_req *req);
enum ct_err secure_customer_get(struct ct_req *req);
enum ct_err secure_customer_update(struct ct_req *req);
/* CT_OK when the path's {customerId} is the calling partner's customer; otherwise fails the
 * request (404) and returns the error. */
enum ct_err secure_customer_check(struct ct_req *req);
enum ct_err secure_kyc_register(struct ct_req *req);
enum ct_err secure_kyc_get(struct ct_req *req);
enum ct_err secure_kyc_set(struct ct_req *req);
enum ct_err secure_balance_create(struct ct_req *req);
enum ct_err secure_balance_list(struct ct_req *req);
enum ct_err secure_balance_get(struct ct_req *req);
enum ct_err secure_balance_reload(struct ct_req *req);
enum ct_err secure_balance_iban(struct ct_req *req);
enum ct_err secure_iban_list(struct ct_req *req);
enum ct_err secure_partner_balance_list(struct ct_req *req);
enum ct_err secure_jwe_public_key(struct ct_req *req);
/* cards.c */
enum ct_err secure_card_create(struct ct_req *req);
enum ct_err secure_card_order(struct ct_req *req);
enum ct_err secure_card_list(struct ct_req *req);
enum ct_err secure_card_get(struct ct_req *req);
enum ct_err secure_card_full(struct ct_req *req);
enum ct_err secure_card_lock(struct ct_req *req);
enum ct_err secure_card_unlock(struct ct_req *req);
enum ct_err secure_card_activate(struct ct_req *req);

#endif /* SECURE_H */
