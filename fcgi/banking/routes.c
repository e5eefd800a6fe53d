/* routes.c - the banking pool's route table. Every route needs an OAuth access token (nginx asks
 * the auth pool) and answers errors in the manager.one envelope. */
#include "banking.h"

#define M1 (CT_R_OAUTH | CT_R_M1)

const struct ct_route banking_routes[] = {
    {"GET", "/accounts", banking_account_list, M1},
    {"GET", "/accounts/{id}", banking_account_get, M1},
    {"GET", "/accounts/{id}/third-parties", banking_third_party_list, M1},
    {"POST", "/accounts/{id}/third-parties", banking_third_party_add, M1},
    {"DELETE", "/accounts/{id}/third-parties", banking_third_party_remove, M1},
    {"DELETE", "/accounts/{id}/third-parties/{customerId}", banking_third_party_remove, M1},
    {"GET", "/operations", banking_operation_list, M1},
    {"GET", "/operations/{id}", banking_operation_get, M1},
    /* documents and statements (documents.c, statements.c, rib.c); uploads keep the body raw */
    {"GET", "/accounts/{id}/rib", banking_account_rib, M1},
    {"GET", "/operations/{id}/bill", banking_operation_bill, M1},
    {"GET", "/operations/{id}/{documentType}", banking_operation_document_get, M1},
    {"POST", "/operations/{id}/{documentType}", banking_operation_document_attach, M1 | CT_R_RAW},
    {"DELETE", "/operations/{id}/{documentType}", banking_operation_document_delete, M1},
    {"POST", "/documents", banking_document_upload, M1 | CT_R_RAW},
    {"GET", "/documents/{id}", banking_document_get, M1},
    {"POST", "/documents/{id}", banking_document_replace, M1 | CT_R_RAW},
    {"DELETE", "/documents/{id}", banking_document_delete, M1},
    {"GET", "/statements", banking_statement_list, M1},
    {"GET", "/statements/{id}/document", banking_statement_document, M1},
    {NULL, NULL, NULL, 0},
};
