/* ct_password.h - argon2id password hashing (libargon2; OpenSSL 3.0 has no Argon2). */
#ifndef CT_PASSWORD_H
#define CT_PASSWORD_H
#include <stdbool.h>
#include "ct/ct_err.h"

#define CT_PASSWORD_HASH_MAX 160 /* PHC string "$argon2id$v=19$m=...,t=...,p=...$salt$hash" */

/* The policy: 10 to 128 bytes of valid UTF-8 without control characters. *why (static) says
 * what is wrong for a 422. */
bool ct_password_acceptable(const char *password, const char **why);
/* argon2id with a random 16-byte salt and the configured cost, PHC-encoded into out. */
enum ct_err ct_password_hash(const char *password, char out[CT_PASSWORD_HASH_MAX]);
/* Constant-time verification against a stored PHC string; false for a malformed hash. */
bool ct_password_verify(const char *hash, const char *password);
/* Verification work against a fixed dummy hash, for unknown accounts: a login for an email that
 * does not exist costs as long as one with a wrong password (no account enumeration by timing). */
void ct_password_burn(const char *password);

#endif /* CT_PASSWORD_H */
