/* routes.c - the admin pool's route table (API.md "Admin channel"). The login is public (nginx
 * limits it per address) and audited; every other route needs an operator session, an allowed
 * Origin and one of the roles its row names, all checked by the dispatcher. */
#include "admin.h"

#define ANY (CT_R_ADMIN | CT_R_ROLE_ANY)
#define ADMIN_ONLY (CT_R_ADMIN | CT_R_ROLE_ADMIN)
#define USER "/admin/users/{userId}"
#define PBAL "/admin/partner-balances"
#define CARD "/admin/cards/{cardId}"
/* creating a virtual card: ADMIN and MANAGER (API.md); ordering a physical one (seed 003) and
 * acting on one: every role */
#define CARD_MAKERS (CT_R_ADMIN | CT_R_ROLE_ADMIN | CT_R_ROLE_MANAGER)

const struct ct_route admin_routes[] = {
    {"POST", "/admin/sessions", admin_session_create, CT_R_PUBLIC | CT_R_AUDIT},
    {"DELETE", "/admin/sessions/current", admin_session_end, ANY},
    {"GET", "/admin/users", admin_user_list, ANY},
    {"GET", USER, admin_user_get, ANY},
    {"GET", USER "/balances", admin_user_balance_list, ANY},
    {"POST", USER "/balances", admin_user_balance_create, ANY},
    {"GET", USER "/cards", admin_user_card_list, ANY},
    {"GET", "/admin/balances/{balanceId}/iban", admin_balance_iban, ANY},
    {"POST", "/admin/balances/{balanceId}/cards", admin_card_create, CARD_MAKERS | CT_R_JWE},
    {"POST", "/admin/balances/{balanceId}/cards/physical", admin_card_order, ANY | CT_R_JWE},
    {"POST", CARD "/lock", admin_card_lock, ANY},
    {"POST", CARD "/unlock", admin_card_unlock, ANY},
    {"POST", CARD "/activate", admin_card_activate, ANY},
    {"DELETE", CARD, admin_card_remove, ANY},
    {"POST", CARD "/cvv/reset", admin_card_cvv_reset, ANY | CT_R_JWE},
    {"GET", "/admin/summary", admin_summary, ANY},
    {"GET", PBAL, admin_partner_balance_list, ADMIN_ONLY},
    {"POST", PBAL, admin_partner_balance_create, ADMIN_ONLY},
    {"POST", PBAL "/{balanceId}/reload", admin_partner_balance_reload, ADMIN_ONLY},
    {"GET", "/admin/operators", admin_operator_list, ADMIN_ONLY},
    {"POST", "/admin/operators", admin_operator_create, ADMIN_ONLY},
    {"PUT", "/admin/operators/{operatorId}", admin_operator_update, ADMIN_ONLY},
    {"GET", "/admin/fees", admin_fees_get, ADMIN_ONLY},
    {"PUT", "/admin/fees", admin_fees_put, ADMIN_ONLY},
    {NULL, NULL, NULL, 0},
};
