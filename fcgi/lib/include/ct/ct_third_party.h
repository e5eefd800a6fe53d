/* ct_third_party.h - trusted third parties (seed 000): the accounts a customer sees (own ones and
 * those another customer of the same partner declared them on), and declaring or removing a third
 * party. Shared by the banking pool (OAuth, /accounts) and the customers pool (session). */
#ifndef CT_THIRD_PARTY_H
#define CT_THIRD_PARTY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_iban.h"
#include "ct/ct_req.h"
#include "ct/ct_util.h"

/* A balance as one customer sees it. */
struct ct_visible {
    char balance_id[CT_UUID_LEN + 1];
    int64_t account_id; /* the ledger account: the manager.one account id */
    int64_t partner_id;
    char currency[4];
    char iban[CT_IBAN_MAX + 1];
    char bic[12];
    char status[10];
    char owner_id[CT_UUID_LEN + 1];
    char owner_first_name[101];
    char owner_last_name[101];
    char establishment[129]; /* the partner's name: the bank the customer sees */
    int64_t posted;          /* posted balance, minor units */
    int64_t held;            /* active holds */
    bool shared;             /* the caller is a declared third party, not the owner */
};

/* Every non-closed balance the customer owns or is a third party on, within the partner: own
 * ones first, then shared ones, each oldest first (creation time, then account id). Index
 * lookups only (balances by customer; third parties by customer, and only for a customer who is
 * one), never a scan of the partner's balances; one statement for a customer who is nobody's
 * third party, two otherwise. Declarations are read fresh on every call: a removal takes effect
 * on the caller's next request. On CT_OK *out is a caller-owned array of *n (free(); NULL when
 * 0). */
enum ct_err ct_tp_visible(struct ct_db *db, int64_t partner_id, const char *customer_id,
                          struct ct_visible **out, size_t *n);
/* One of them, by ledger account id (account_id > 0) or else by balance id (balance_id not
 * NULL), in one statement of reads by key; CT_E_NOTFOUND when the customer cannot see it
 * (unknown, closed, another partner's, or another customer's not shared with this one). */
enum ct_err ct_tp_visible_one(struct ct_db *db, int64_t partner_id, const char *customer_id,
                              int64_t account_id, const char *balance_id, struct ct_visible *out);
/* The access check alone, for a caller that needs only the currency (an operation list): whether
 * the customer sees ledger account account_id as ct_tp_visible_one would, without reading its
 * owner, bank or balances. CT_OK with currency set ("EUR"), or CT_E_NOTFOUND. */
enum ct_err ct_tp_visible_currency(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                   int64_t account_id, char currency[4]);

/* A declared third party. */
struct ct_tp {
    char customer_id[CT_UUID_LEN + 1];
    char email[255];
    char first_name[101];
    char last_name[101];
    char created_at[32]; /* ISO 8601 */
};
/* The balance's third parties, oldest first. *out caller-owned (free(); NULL when 0). */
enum ct_err ct_tp_list(struct ct_db *db, const char *balance_id, struct ct_tp **out, size_t *n);

/* Reads the body of a declaration: exactly one of "customer_id" (a customer id) or "email".
 * Field errors are recorded on req (the caller fails with CT_E_RULE when ct_req_has_errors()). */
void ct_tp_read(struct ct_req *req, const char **customer_id, const char **email);

/* Inside a transaction, `caller` declares a third party on v (identified by customer id or by
 * email, one of them NULL). Refusals (with *code):
 *   CT_E_FORBIDDEN NOT_ACCOUNT_OWNER   the caller is itself a third party on v
 *   CT_E_RULE THIRD_PARTY_NOT_FOUND    no customer of v's partner has that id / email
 *   CT_E_RULE THIRD_PARTY_IS_OWNER     the owner cannot be their own third party
 *   CT_E_CONFLICT THIRD_PARTY_EXISTS   already declared
 * On CT_OK *out is the new declaration. */
enum ct_err ct_tp_add(struct ct_db *db, const struct ct_visible *v, const char *caller,
                      const char *customer_id, const char *email, struct ct_tp *out,
                      const char **code);
/* Inside a transaction: removes the third party named by customer id or by email (one of them
 * NULL) from v. The owner removes anyone; a third party only itself (CT_E_FORBIDDEN
 * NOT_ACCOUNT_OWNER otherwise). CT_E_NOTFOUND when no such third party is declared on v. */
enum ct_err ct_tp_remove(struct ct_db *db, const struct ct_visible *v, const char *caller,
                         const char *customer_id, const char *email, const char **code);

/* {customer_id, email, first_name, last_name, created_at}. */
struct json_object *ct_tp_json(const struct ct_tp *t);

/* Request helpers both channels use once they have found v for the caller (req->ident.subject):
 * reply with the list (200, paginated like every list), declare from the JSON body (201 with
 * the declaration), or remove (204) the third party named by `customer_id` (a path parameter;
 * NULL: the `customer_id` or `email` query parameter). Failures go through ct_req_fail(), so each
 * route's own envelope renders them. */
enum ct_err ct_tp_reply_list(struct ct_req *req, const struct ct_visible *v);
enum ct_err ct_tp_reply_add(struct ct_req *req, const struct ct_visible *v);
enum ct_err ct_tp_reply_remove(struct ct_req *req, const struct ct_visible *v,
                               const char *customer_id);

#endif /* CT_THIRD_PARTY_H */
