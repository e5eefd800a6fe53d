/* ct_login.h - password logins: one policy for every place a customer types a password (the
 * customer channel's sessions, the OAuth consent page) and for operators (the admin channel). */
#ifndef CT_LOGIN_H
#define CT_LOGIN_H
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_util.h"

/* After this many consecutive failures the account refuses every login, the right password
 * included, for CT_LOGIN_LOCK_SECONDS; a success resets the count, and a lock that ran out
 * starts a new one. (nginx limits attempts per address on top of this.) */
#define CT_LOGIN_LOCK_AFTER 5
#define CT_LOGIN_LOCK_SECONDS (15 * 60)

/* The customer of `partner_id` with that email and password, counted under the account row's
 * lock so concurrent failures are counted exactly. Every path costs one argon2 verification, so
 * timing tells nothing about which emails exist. Runs its own units of work (a failure is
 * committed: the count is the point), so it must not be called inside ct_db_txn.
 * CT_OK: customer_id is set. CT_E_UNAUTH: unknown email, no password or wrong password (one
 * answer for all). CT_E_TOOMANY: the account is locked; *retry_after gets the seconds left. */
enum ct_err ct_customer_login(struct ct_db *db, int64_t partner_id, const char *email,
                              const char *password, char customer_id[CT_UUID_LEN + 1],
                              int64_t *retry_after);

/* An operator's login (the admin channel): the active operator with that email (emails are unique
 * over the platform), under the same lockout as customers. CT_OK, CT_E_UNAUTH and CT_E_TOOMANY
 * as above. out->operator_id, partner_id and role are filled whenever the email named an active
 * operator, a refused attempt included (the audit records who was tried); retry_after on
 * CT_E_TOOMANY. Runs its own units of work. */
struct ct_operator_login {
    char operator_id[CT_UUID_LEN + 1]; /* "" when the email named no active operator */
    int64_t partner_id;
    char role[16];
    int64_t retry_after;
};
enum ct_err ct_operator_login(struct ct_db *db, const char *email, const char *password,
                              struct ct_operator_login *out);

#endif /* CT_LOGIN_H */
