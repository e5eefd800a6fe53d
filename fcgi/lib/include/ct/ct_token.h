/* ct_token.h - bearer secrets: 256-bit random tokens, stored only as their SHA-256. */
#ifndef CT_TOKEN_H
#define CT_TOKEN_H
#include <stdbool.h>
#include <stddef.h>
#include "ct/ct_err.h"

/* "<prefix>_" + 43 base64url characters (32 random bytes). Prefixes say what a token is, so the
 * auth pool knows which table to look in: "cs" customer session, "os" operator session,
 * "at" OAuth access token, "rt" OAuth refresh token, "ac" authorization code. */
#define CT_TOKEN_MAX 64

/* A fresh token from the OpenSSL CSPRNG into out (CT_TOKEN_MAX bytes) and its SHA-256. */
enum ct_err ct_token_new(const char *prefix, char out[CT_TOKEN_MAX], unsigned char hash[32]);
/* SHA-256 of a presented token (whatever it looks like; the lookup decides). */
void ct_token_hash(const char *token, unsigned char hash[32]);
/* Whether a presented token has the prefix and the exact shape of ct_token_new's output. */
bool ct_token_shape(const char *token, const char *prefix);
/* Bearer token from an Authorization header value ("Bearer <token>", scheme case-insensitive,
 * one space); NULL when absent or malformed. Borrowed from header. */
const char *ct_token_bearer(const char *header);

#endif /* CT_TOKEN_H */
