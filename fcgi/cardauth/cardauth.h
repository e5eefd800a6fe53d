/* cardauth.h - the cardauth pool's handlers (cards server, the card processor's x509). */
#ifndef CARDAUTH_H
#define CARDAUTH_H
#include "ct/ct_req.h"

extern const struct ct_route cardauth_routes[];

/* cards.c */
enum ct_err cardauth_card_link(struct ct_req *req);
enum ct_err cardauth_card_lock(struct ct_req *req);

#endif /* CARDAUTH_H */
