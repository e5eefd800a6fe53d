/* routes.c - the customers pool's route table. Registration and login are public (nginx limits
 * them per address); every other route needs a customer session, checked by the auth pool. */
#include "customers.h"
#include "third_parties.h"

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
    {NULL, NULL, NULL, 0},
};
