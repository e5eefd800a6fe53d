/* ct_balance.h - user balances: a ledger account with an IBAN generated from the partner's base
 * IBAN for the currency. Shared by every channel that opens or reads balances. */
#ifndef CT_BALANCE_H
#define CT_BALANCE_H
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_iban.h"
#include "ct/ct_req.h"
#include "ct/ct_util.h"

struct ct_balance {
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    int64_t account_id;
    char currency[4];
    char iban[CT_IBAN_MAX + 1];
    char bic[12];
    char status[10];
    char created_at[32];
    int64_t balance;   /* posted, minor units */
    int64_t available; /* balance - held + overdraft */
};

/* Inside a transaction: checks the customer's KYC (ct_kyc_require_verified), takes the next
 * account number of the partner's base IBAN for the currency, generates the IBAN, opens the
 * ledger account and stores the balance. Refusals: CT_E_NOTFOUND (no such customer of the
 * partner), CT_E_RULE with *code KYC_NOT_VERIFIED (the customer is not VERIFIED), NO_BASE_IBAN
 * (the partner has no base IBAN for the currency) or IBAN_RANGE_EXHAUSTED. */
enum ct_err ct_balance_open(struct ct_db *db, int64_t partner_id, const char *customer_id,
                            const char *currency, struct ct_balance *out, const char **code);
/* POST .../balances of every channel, for the customer (of req->ident.partner_id) the caller has
 * identified: reads {"currency"} (an ISO 4217 code; other fields refused), opens the balance in
 * one retried transaction and replies 201 with it. Every refusal above, and 422
 * VALIDATION_ERROR, goes through ct_req_fail(), so each route's envelope renders it. */
enum ct_err ct_balance_reply_open(struct ct_req *req, const char *customer_id);
/* The customer's balance by id with only id, partner, customer, account, currency and status
 * filled: what moving money needs, read from one table. */
enum ct_err ct_balance_get_ref(struct ct_db *db, int64_t partner_id, const char *customer_id,
                               const char *id, struct ct_balance *out);
/* The partner's balance by id (and customer, when customer_id is not NULL). */
enum ct_err ct_balance_get(struct ct_db *db, int64_t partner_id, const char *customer_id,
                           const char *id, struct ct_balance *out);

/* Filters of a list; NULL fields do not filter. */
struct ct_balance_filter {
    int64_t partner_id;
    const char *customer_id;
    const char *currency;
    const char *iban;         /* exact electronic form */
    const char *created_from; /* DATETIME(6) text */
    const char *created_to;
};
/* One page (1-based) of balances, newest first; *total counts every match. On CT_OK *out is a
 * caller-owned array of *n items (free()). */
enum ct_err ct_balance_list(struct ct_db *db, const struct ct_balance_filter *f, int64_t page,
                            int64_t per_page, struct ct_balance **out, size_t *n, int64_t *total);

/* {id, customer_id, currency, balance, available, iban, iban_formatted, bic, status, created_at}
 * with amounts as decimal strings. */
struct json_object *ct_balance_json(const struct ct_balance *b);
/* {balance_id, customer_id, iban, iban_formatted, currency, bic, status, created_at}. */
struct json_object *ct_balance_iban_json(const struct ct_balance *b);
/* Decimal-string amount of the currency ("100.54"). */
struct json_object *ct_amount_json(int64_t minor, const char *currency);

/* Inside a transaction: books `amount` to the balance, charged to the partner's credit balance in
 * its currency (seed 003's reload: CT_E_RULE with *code PARTNER_INSUFFICIENT_FUNDS when that
 * cannot cover it, PARTNER_BALANCE_MISSING when there is none). *entry_id is the ledger entry,
 * *balance_after the balance's posted balance right after it. */
enum ct_err ct_balance_reload(struct ct_db *db, const struct ct_balance *b, int64_t amount,
                              const char *description, int64_t *entry_id, int64_t *balance_after,
                              const char **code);

#endif /* CT_BALANCE_H */
