/* ct_card_route.h - the card route handlers, written once for every channel. A pool's handler
 * says who calls (ct_card_who_*) and which ids its path names, then calls one of these; the
 * route's flags (CT_R_JWE for create, physical, pin and CVV reset; CT_R_JWE_RESP for full data)
 * make the library open the request and seal the answer. An admin pool routes the same functions
 * with an operator's ct_card_who (channel CT_CARD_BY_OPERATOR): full data refuses it. */
#ifndef CT_CARD_ROUTE_H
#define CT_CARD_ROUTE_H
#include "ct/ct_card.h"
#include "ct/ct_req.h"

/* The customer of the session (partner and customer from the auth pool's answer). */
struct ct_card_who ct_card_who_customer(const struct ct_req *req);
/* The partner of the certificate, for its customer customer_id (the path's; not checked here: a
 * customer of another partner simply has no cards in scope). */
struct ct_card_who ct_card_who_partner(const struct ct_req *req, const char *customer_id);
/* The card processor of the certificate: the cards of the programs it processes. */
struct ct_card_who ct_card_who_processor(const struct ct_req *req);
/* The admin panel's operator of the session: any card of its partner (customer NULL; a caller
 * that creates a card sets customer_id to the balance's customer), the operator's id as actor.
 * Full data refuses it (FULL_DATA_FORBIDDEN). */
struct ct_card_who ct_card_who_operator(const struct ct_req *req);

/* POST .../balances/{balanceId}/cards (virtual: {cardholder_name?}) and .../cards/physical
 * ({delivery_address, cardholder_name?}): 201 with the masked card. */
enum ct_err ct_card_route_create(struct ct_req *req, const struct ct_card_who *who,
                                 const char *balance_id, enum ct_card_type type);
/* GET .../cards: who's customer's cards, masked, paginated (page, per_page). */
enum ct_err ct_card_route_list(struct ct_req *req, const struct ct_card_who *who);
/* GET .../cards/{cardId}: masked. */
enum ct_err ct_card_route_get(struct ct_req *req, const struct ct_card_who *who,
                              const char *card_id);
/* GET .../cards/{cardId}/full-data: {pan, expiry, cvc2, cardholder_name}, never for an operator. */
enum ct_err ct_card_route_full(struct ct_req *req, const struct ct_card_who *who,
                               const char *card_id);
/* POST .../lock {reason: 1-8}; .../unlock; .../activate: 200 with the masked card. */
enum ct_err ct_card_route_lock(struct ct_req *req, const struct ct_card_who *who,
                               const char *card_id);
enum ct_err ct_card_route_unlock(struct ct_req *req, const struct ct_card_who *who,
                                 const char *card_id);
enum ct_err ct_card_route_activate(struct ct_req *req, const struct ct_card_who *who,
                                   const char *card_id);
/* DELETE .../cards/{cardId}: 204; final. */
enum ct_err ct_card_route_remove(struct ct_req *req, const struct ct_card_who *who,
                                 const char *card_id);
/* POST .../pin {pin} (decrypted by the library): 204; the PIN is sealed, never kept in clear. */
enum ct_err ct_card_route_pin(struct ct_req *req, const struct ct_card_who *who,
                              const char *card_id);
/* POST .../cvv/reset (virtual): 200 with the masked card; the new CVC2 is in full data. */
enum ct_err ct_card_route_cvv_reset(struct ct_req *req, const struct ct_card_who *who,
                                    const char *card_id);
/* POST /processor/cards/link {reference, tracking_number}: 200 with the masked card. */
enum ct_err ct_card_route_link(struct ct_req *req, const struct ct_card_who *who);

#endif /* CT_CARD_ROUTE_H */
