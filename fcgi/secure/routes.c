/* routes.c - the secure pool's route table. Every /secure route needs a partner certificate;
 * the server's JWE key is public. */
#include "secure.h"

#define CUST "/secure/customers/{customerId}"
#define CARD CUST "/cards/{cardId}"

const struct ct_route secure_routes[] = {
    {"POST", "/secure/customers", secure_customer_create, CT_R_X509},
    {"GET", CUST, secure_customer_get, CT_R_X509},
    {"PUT", CUST, secure_customer_update, CT_R_X509},
    {"POST", CUST "/register", secure_kyc_register, CT_R_X509},
    {"GET", CUST "/kyc", secure_kyc_get, CT_R_X509},
    {"PUT", CUST "/kyc", secure_kyc_set, CT_R_X509},
    {"GET", CUST "/balances", secure_balance_list, CT_R_X509},
    {"POST", CUST "/balances", secure_balance_create, CT_R_X509},
    {"GET", CUST "/balances/{balanceId}", secure_balance_get, CT_R_X509},
    {"POST", CUST "/balances/{balanceId}/reload", secure_balance_reload, CT_R_X509},
    {"POST", CUST "/balances/{balanceId}/cards", secure_card_create, CT_R_X509 | CT_R_JWE},
    {"POST", CUST "/balances/{balanceId}/cards/physical", secure_card_order, CT_R_X509 | CT_R_JWE},
    {"GET", CUST "/cards", secure_card_list, CT_R_X509},
    {"GET", CARD, secure_card_get, CT_R_X509},
    {"GET", CARD "/full-data", secure_card_full, CT_R_X509 | CT_R_JWE_RESP},
    {"POST", CARD "/lock", secure_card_lock, CT_R_X509},
    {"POST", CARD "/unlock", secure_card_unlock, CT_R_X509},
    {"POST", CARD "/activate", secure_card_activate, CT_R_X509},
    {"GET", "/secure/balances/{balanceId}/iban", secure_balance_iban, CT_R_X509},
    {"GET", "/secure/ibans", secure_iban_list, CT_R_X509},
    {"GET", "/secure/partner-balances", secure_partner_balance_list, CT_R_X509},
    {"GET", "/jwe/public-key", secure_jwe_public_key, CT_R_PUBLIC},
    {NULL, NULL, NULL, 0},
};
