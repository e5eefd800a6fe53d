/* third_parties.h - the customer channel's third-party handlers (third_parties.c). */
#ifndef CUSTOMERS_THIRD_PARTIES_H
#define CUSTOMERS_THIRD_PARTIES_H
#include "ct/ct_req.h"

enum ct_err customers_third_party_list(struct ct_req *req);
enum ct_err customers_third_party_add(struct ct_req *req);
enum ct_err customers_third_party_remove(struct ct_req *req);

#endif /* CUSTOMERS_THIRD_PARTIES_H */
