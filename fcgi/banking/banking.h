/* banking.h - the banking pool's handlers (manager.one read API, OAuth bearer). */
#ifndef BANKING_H
#define BANKING_H
#include <stddef.h>
#include "ct/ct_operation.h"
#include "ct/ct_req.h"
#include "ct/ct_third_party.h"

extern const struct ct_route banking_routes[];

/* accounts.c */
enum ct_err banking_account_list(struct ct_req *req);
enum ct_err banking_account_get(struct ct_req *req);
/* operations.c */
enum ct_err banking_operation_list(struct ct_req *req);
enum ct_err banking_operation_get(struct ct_req *req);
/* third_parties.c */
enum ct_err banking_third_party_list(struct ct_req *req);
enum ct_err banking_third_party_add(struct ct_req *req);
enum ct_err banking_third_party_remove(struct ct_req *req);

/* documents.c */
enum ct_err banking_document_upload(struct ct_req *req);
enum ct_err banking_document_get(struct ct_req *req);
enum ct_err banking_document_replace(struct ct_req *req);
enum ct_err banking_document_delete(struct ct_req *req);
enum ct_err banking_operation_bill(struct ct_req *req);
enum ct_err banking_operation_document_get(struct ct_req *req);
enum ct_err banking_operation_document_attach(struct ct_req *req);
enum ct_err banking_operation_document_delete(struct ct_req *req);
/* statements.c */
enum ct_err banking_statement_list(struct ct_req *req);
enum ct_err banking_statement_document(struct ct_req *req);
/* rib.c */
enum ct_err banking_account_rib(struct ct_req *req);

/* access.c: the accounts the token's customer sees (own and shared), and one of them by the
 * {id} path parameter (the ledger account id); both fail the request (404 for an account the
 * customer cannot see) and return its error. *out is request memory. */
enum ct_err banking_visible(struct ct_req *req, struct ct_visible **out, size_t *n);
enum ct_err banking_visible_path(struct ct_req *req, struct ct_visible *out);
/* The one account a list is asked for (ledger account id), when the customer sees it: only the
 * access check, no balance or owner read. Fails the request with 404 otherwise. */
enum ct_err banking_visible_account(struct ct_req *req, int64_t account_id,
                                    struct ct_op_account *out);

#endif /* BANKING_H */
