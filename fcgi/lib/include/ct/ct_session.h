/* ct_session.h - customer sessions: opened by login, checked by the auth pool for every request
 * of the customer channel (nginx auth_request), ended by logout. 10 minutes sliding by default
 * (conf session_ttl). */
#ifndef CT_SESSION_H
#define CT_SESSION_H
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_token.h"
#include "ct/ct_util.h"

struct ct_session {
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    int64_t expires_usec;
};

/* Inside a transaction: a new session for the customer on that device (the device is paired on
 * first use: customer_device). token gets the bearer token ("cs_..."); only its hash is stored. */
enum ct_err ct_session_open(struct ct_db *db, int64_t partner_id, const char *customer_id,
                            const char *device_id, int ttl_seconds, char token[CT_TOKEN_MAX],
                            struct ct_session *out);
/* The live session behind a presented token; CT_E_UNAUTH when unknown, expired or ended. Slides
 * the expiry forward (written at most once a minute, so a busy session is not a write per
 * request). */
enum ct_err ct_session_check(struct ct_db *db, const char *token, int ttl_seconds,
                             struct ct_session *out);
/* Ends a session (logout); CT_E_NOTFOUND when it is not the customer's or already ended. */
enum ct_err ct_session_end(struct ct_db *db, const char *session_id, const char *customer_id);

#endif /* CT_SESSION_H */
