/* ct_kyc.h - KYC of a partner's customers (seed 003 "User registration & KYC"): the data a
 * customer or partner submits, the status (NONE, PENDING, VERIFIED, REJECTED), its history, and
 * the one check that every product needing a verified customer (balances, later cards) makes.
 * Shared by every channel (customers, secure, admin). */
#ifndef CT_KYC_H
#define CT_KYC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_req.h"
#include "ct/ct_util.h"

enum ct_kyc_status {
    CT_KYC_NONE = 0,
    CT_KYC_PENDING,
    CT_KYC_VERIFIED,
    CT_KYC_REJECTED,
};

/* Where a change comes from; `system` is a tool run by the bank (seeding, migrations of data). */
enum ct_kyc_channel {
    CT_KYC_BY_CUSTOMER = 0,
    CT_KYC_BY_PARTNER,
    CT_KYC_BY_ADMIN,
    CT_KYC_BY_SYSTEM,
};

/* Who makes a change: the channel and its actor (the customer id, the partner's public id, the
 * operator id, the tool's name). Borrowed; id at most 255 bytes (longer is cut). */
struct ct_kyc_actor {
    enum ct_kyc_channel channel;
    const char *id;
};

/* What a customer submits for verification. Optional members are "" when absent. */
struct ct_kyc_data {
    char document_type[17];   /* PASSPORT, ID_CARD, DRIVING_LICENCE, RESIDENCE_PERMIT */
    char document_number[31]; /* 4-30 letters, digits, inner hyphens */
    char document_country[3]; /* issuing country, ISO 3166 alpha-2 */
    char document_expiry[11]; /* YYYY-MM-DD, today or later (UTC), within 30 years */
    char nationality[3];      /* ISO 3166 alpha-2 */
    char address_line1[101];
    char address_line2[101]; /* optional */
    char city[101];
    char postal_code[11]; /* the country's format; optional where no postal codes are used */
    char country[3];      /* of the address, ISO 3166 alpha-2 */
};

/* "NONE", "PENDING", ... ; and back (false for anything else, case-sensitive). */
const char *ct_kyc_status_name(enum ct_kyc_status s);
bool ct_kyc_status_parse(const char *s, enum ct_kyc_status *out);

/* Reads the submission from the JSON body into d, validating every field and refusing unknown
 * ones. Field errors are recorded on req (the caller fails with CT_E_RULE when
 * ct_req_has_errors()). */
void ct_kyc_read_data(struct ct_req *req, struct ct_kyc_data *d);
/* Reads a KYC result {"status": "VERIFIED"|"REJECTED", "reason": optional text of at most 255
 * bytes}; unknown fields refused. *reason is NULL when absent (borrowed from the body). */
void ct_kyc_read_result(struct ct_req *req, enum ct_kyc_status *to, const char **reason);

/* Inside a transaction: stores the submission and moves the customer to PENDING, with its history
 * row. Allowed from NONE and REJECTED; refused with CT_E_CONFLICT and *code KYC_PENDING (a
 * submission is under review) or KYC_ALREADY_VERIFIED. CT_E_NOTFOUND for another partner's or an
 * unknown customer. */
enum ct_err ct_kyc_submit(struct ct_db *db, int64_t partner_id, const char *customer_id,
                          const struct ct_kyc_data *d, const struct ct_kyc_actor *by,
                          const char **code);
/* Inside a transaction: a KYC result, to = VERIFIED or REJECTED, reason optional (NULL). From
 * NONE (a partner that runs its own KYC), PENDING and REJECTED to VERIFIED; from NONE, PENDING
 * and VERIFIED (a revoked verification) to REJECTED. The status it already has changes nothing
 * (*changed false, no history row): a retried PUT answers the same. CT_E_RULE for any other `to`.
 * CT_E_NOTFOUND as above. */
enum ct_err ct_kyc_decide(struct ct_db *db, int64_t partner_id, const char *customer_id,
                          enum ct_kyc_status to, const char *reason, const struct ct_kyc_actor *by,
                          bool *changed);

/* Inside the transaction that creates what needs a verified customer (a balance, a card): CT_OK
 * when the partner's customer is VERIFIED, CT_E_RULE with *code KYC_NOT_VERIFIED otherwise,
 * CT_E_NOTFOUND when there is no such customer. The customer row stays share-locked until the
 * transaction ends, so a concurrent revocation waits for it (and the other way round). */
enum ct_err ct_kyc_require_verified(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                    const char **code);

/* One history row. */
struct ct_kyc_event {
    int64_t id;
    enum ct_kyc_status from, to;
    enum ct_kyc_channel channel;
    char actor[256];
    char reason[256];
    bool has_reason;
    int64_t submission_id; /* 0: none */
    char created_at[32];   /* ISO 8601 */
};

/* A customer's KYC as the channels show it. Members are read through the API; free with
 * ct_kyc_view_free. */
struct ct_kyc_view {
    char customer_id[CT_UUID_LEN + 1];
    enum ct_kyc_status status;
    bool has_submission; /* the latest submission, if any */
    int64_t submission_id;
    enum ct_kyc_channel submission_channel;
    char submission_at[32];
    struct ct_kyc_data submission;
    struct ct_kyc_event *events; /* oldest first; NULL unless loaded with history */
    size_t nevents;
};

/* The partner's customer's status, latest submission and, when `history`, every change. On CT_OK
 * the caller frees *out's members with ct_kyc_view_free (out itself is the caller's). */
enum ct_err ct_kyc_load(struct ct_db *db, int64_t partner_id, const char *customer_id, bool history,
                        struct ct_kyc_view *out);
void ct_kyc_view_free(struct ct_kyc_view *v); /* NULL-safe; leaves v empty */

/* {customer_id, kyc_status, submission: {...} | null[, history: [...]]}; the history (with its
 * reasons, which may name fraud checks) only when `history`. */
struct json_object *ct_kyc_json(const struct ct_kyc_view *v, bool history);

/* Request helpers each channel calls for the customer it has identified (within
 * req->ident.partner_id), acting as `by`: submit the body's data (201), record the body's result
 * (200), or answer the current view (200). `history` chooses the answer's shape as in
 * ct_kyc_json. Failures go through ct_req_fail(), so each route's envelope renders them. */
enum ct_err ct_kyc_reply_submit(struct ct_req *req, const char *customer_id,
                                const struct ct_kyc_actor *by, bool history);
enum ct_err ct_kyc_reply_decide(struct ct_req *req, const char *customer_id,
                                const struct ct_kyc_actor *by);
enum ct_err ct_kyc_reply_get(struct ct_req *req, const char *customer_id, bool history);

#endif /* CT_KYC_H */
