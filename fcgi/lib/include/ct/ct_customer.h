/* ct_customer.h - a partner's end users: fields, validation, storage, JSON. Shared by every
 * channel that creates or reads customers (secure, customers, admin). */
#ifndef CT_CUSTOMER_H
#define CT_CUSTOMER_H
#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_req.h"
#include "ct/ct_util.h"

struct ct_customer {
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    char email[255];
    char phone[21];
    char first_name[101];
    char last_name[101];
    char country[3];
    char birth_date[11];
    char kyc_status[10];
    char created_at[32];
    char updated_at[32];
};

/* Reads email, phone, first_name, last_name, country, birth_date from the JSON body into c,
 * validating each (syntax of email and E.164-style phone, ISO 3166 alpha-2 country, a real past
 * date of birth) and refusing unknown fields; `partial` (PUT) makes every field optional and
 * keeps c's value for an absent one. Field errors are recorded on req. */
void ct_customer_read(struct ct_req *req, struct ct_customer *c, bool partial);
/* The same, for a channel whose body carries more than the customer's fields: the members named
 * in `extra` (NULL-terminated, at most 8; NULL = none) are not refused as unknown, and the caller
 * reads them itself (the customer channel's registration reads "password"). */
void ct_customer_read_with(struct ct_req *req, struct ct_customer *c, bool partial,
                           const char *const *extra);

/* Insert (c->id and timestamps are filled); CT_E_CONFLICT when the partner has that email. */
enum ct_err ct_customer_insert(struct ct_db *db, struct ct_customer *c);
/* The partner's customer by id; CT_E_NOTFOUND for another partner's or an unknown id. */
enum ct_err ct_customer_get(struct ct_db *db, int64_t partner_id, const char *id,
                            struct ct_customer *out);
enum ct_err ct_customer_update(struct ct_db *db, struct ct_customer *c);

/* {id, email, phone, first_name, last_name, country, birth_date, kyc_status, created_at}. */
struct json_object *ct_customer_json(const struct ct_customer *c);

/* A source of query parameters and a sink for field errors, so the filter parser below runs on a
 * request (ct_req_query, ct_req_field_error) or on anything else (the fuzz target). */
struct ct_query_src {
    const char *(*get)(void *ctx, const char *name);
    void (*error)(void *ctx, const char *field, const char *message);
    void *ctx;
};

/* The admin channel's search of a partner's customers. Text filters match a case-insensitive
 * substring (name: first, last or "first last"); iban (a valid IBAN, spaces and case
 * as the client likes) is exact, on any of the customer's balances;
 * the created range is inclusive. Empty fields do not filter. */
#define CT_CUSTOMER_FILTER_TEXT 255 /* longest name or email filter, bytes */
struct ct_customer_filter {
    int64_t partner_id;
    char name_like[CT_CUSTOMER_FILTER_TEXT * 2 + 3]; /* LIKE patterns */
    char email_like[CT_CUSTOMER_FILTER_TEXT * 2 + 3];
    char phone_like[21 * 2 + 3];
    char iban[35];
    char kyc_status[10];
    char created_from[32]; /* DATETIME(6) text */
    char created_to[32];
};
/* Reads name, email, phone, iban, kyc_status, created_from, created_to (partner_id is the
 * caller's) into f; false after reporting each bad one through q->error. */
bool ct_customer_filter_parse(const struct ct_query_src *q, struct ct_customer_filter *f);
/* One page (1-based) of matching customers, newest first; *total counts every match. On CT_OK
 * *out is a caller-owned array of *n items (free()). */
enum ct_err ct_customer_search(struct ct_db *db, const struct ct_customer_filter *f, int64_t page,
                               int64_t per_page, struct ct_customer **out, size_t *n,
                               int64_t *total);

/* Checks usable by other modules. */
bool ct_country_valid(const char *cc);

#endif /* CT_CUSTOMER_H */
