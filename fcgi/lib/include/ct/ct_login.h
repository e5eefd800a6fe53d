/* ct_login.h - a customer's password login: one policy for every place a customer types a
 * password (the customer channel's sessions, the OAuth consent page). */
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

#endif /* CT_LOGIN_H */
