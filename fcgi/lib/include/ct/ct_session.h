/* ct_session.h - sessions of people who log in with a password: customers (customer channel) and
 * operators (admin channel). Opened by login, checked by the auth pool for every request of the
 * channel (nginx auth_request), ended by logout. 10 minutes sliding by default (conf
 * session_ttl). One code path for both kinds; each kind has its own table and token prefix. */
#ifndef CT_SESSION_H
#define CT_SESSION_H
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_token.h"
#include "ct/ct_util.h"

enum ct_session_kind {
    CT_SESSION_CUSTOMER, /* customer_session, tokens "cs_...", paired devices */
    CT_SESSION_OPERATOR, /* operator_session, tokens "os_...", the operator's role on every check */
};

struct ct_session {
    enum ct_session_kind kind;
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    char subject[CT_UUID_LEN + 1]; /* the customer's or the operator's id */
    char role[16];                 /* operator: EMPLOYEE, MANAGER or ADMIN, read at each check */
    int64_t expires_usec;
};

/* Inside a transaction: a new session for the customer or operator `subject` of the partner.
 * device_id: the customer's device (paired on first use: customer_device), required for a
 * customer, NULL for an operator. token gets the bearer token; only its hash is stored. */
enum ct_err ct_session_open(struct ct_db *db, enum ct_session_kind kind, int64_t partner_id,
                            const char *subject, const char *device_id, int ttl_seconds,
                            char token[CT_TOKEN_MAX], struct ct_session *out);
/* The live session of that kind behind a presented token; CT_E_UNAUTH when unknown, expired or
 * ended (and, for an operator, when the operator was disabled meanwhile). Slides the expiry
 * forward (written at most once a minute, so a busy session is not a write per request). */
enum ct_err ct_session_check(struct ct_db *db, enum ct_session_kind kind, const char *token,
                             int ttl_seconds, struct ct_session *out);
/* Ends a session (logout); CT_E_NOTFOUND when it is not the subject's or already ended. */
enum ct_err ct_session_end(struct ct_db *db, enum ct_session_kind kind, const char *session_id,
                           const char *subject);

#endif /* CT_SESSION_H */
