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

/* Checks usable by other modules. */
bool ct_country_valid(const char *cc);

#endif /* CT_CUSTOMER_H */
