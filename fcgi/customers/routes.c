/* routes.c - the customers pool's route table. Registration and login are public (nginx limits
 * them per address); every other route needs a customer session, checked by the auth pool. */
#include "customers.h"
#include "third_parties.h"

#define ME_CARD "/customers/me/cards/{cardId}"

const struct ct_route customers_routes[] = {
    {"POST", "/customers/register", customers_register, CT_R_PUBLIC},
    {"POST", "/customers/sessions", customers_session_create, CT_R_PUBLIC},
    {"DELETE", "/customers/sessions/current", customers_session_end, CT_R_SESSION},
    {"GET", "/customers/me", customers_me_get, CT_R_SESSION},
    {"PUT", "/customers/me", customers_me_update, CT_R_SESSION},
    {"POST", "/customers/me/register", customers_kyc_register, CT_R_SESSION},
    /* balances, cards and third parties of /customers/me go below */
    {"POST", "/customers/me/balances", customers_balance_create, CT_R_SESSION},
    {"GET", "/customers/me/balances/{balanceId}/third-parties", customers_third_party_list,
     CT_R_SESSION},
    {"POST", "/customers/me/balances/{balanceId}/third-parties", customers_third_party_add,
     CT_R_SESSION},
    {"DELETE", "/customers/me/balances/{balanceId}/third-parties", customers_third_party_remove,
     CT_R_SESSION},
    {"DELETE", "/customers/me/balances/{balanceId}/third-parties/{customerId}",
     customers_third_party_remove, CT_R_SESSION},
    {"POST", "/customers/me/balances/{balanceId}/cards", customers_card_create,
     CT_R_SESSION | CT_R_JWE},
    {"POST", "/customers/me/balances/{balanceId}/cards/physical", customers_card_order,
     CT_R_SESSION | CT_R_JWE},
    {"GET", "/customers/me/cards", customers_card_list, CT_R_SESSION},
    {"GET", ME_CARD, customers_card_get, CT_R_SESSION},
    {"DELETE", ME_CARD, customers_card_remove, CT_R_SESSION},
    {"GET", ME_CARD "/full-data", customers_card_full, CT_R_SESSION | CT_R_JWE_RESP},
    {"POST", ME_CARD "/lock", customers_card_lock, CT_R_SESSION},
    {"POST", ME_CARD "/unlock", customers_card_unlock, CT_R_SESSION},
    {"POST", ME_CARD "/activate", customers_card_activate, CT_R_SESSION},
    {"POST", ME_CARD "/pin", customers_card_pin, CT_R_SESSION | CT_R_JWE},
    {"POST", ME_CARD "/cvv/reset", customers_card_cvv_reset, CT_R_SESSION | CT_R_JWE},
    {NULL, NULL, NULL, 0},
};
