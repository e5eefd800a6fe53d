/* ct_oauth.h - the OAuth 2.0 authorization server (RFC 6749 with the RFC 9700 hardening):
 * clients, consent grants, authorization codes, access and refresh tokens. Shared by the auth
 * pool (connect pages, /oauth/token, /oauth/revoke, /_auth/oauth), the client tool and, later,
 * the admin and customer pools ("disconnect app"). Codes and tokens are ct_token values; only
 * their SHA-256 is stored. Client secrets are argon2id hashes (ct_password). */
#ifndef CT_OAUTH_H
#define CT_OAUTH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"
#include "ct/ct_token.h"
#include "ct/ct_util.h"

#define CT_OAUTH_CODE_TTL 60                 /* seconds; single use */
#define CT_OAUTH_ACCESS_TTL 3600             /* "at_" tokens */
#define CT_OAUTH_REFRESH_TTL (7 * 24 * 3600) /* "rt_" tokens: absolute per family */
#define CT_OAUTH_SCOPES "read write"         /* every scope there is, and the default */
#define CT_OAUTH_SCOPE_MAX 255
#define CT_OAUTH_CLIENT_ID_MAX 80
#define CT_OAUTH_URI_MAX 1024
#define CT_OAUTH_STATE_MAX 1024

struct ct_oauth_client {
    int64_t id; /* row id (oauth_client.id) */
    char client_id[CT_OAUTH_CLIENT_ID_MAX + 1];
    int64_t partner_id;
    char name[129];
    bool active; /* client active and its partner active */
};

/* The identity behind a live access token (what /_auth/oauth answers). */
struct ct_oauth_access {
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    char client_id[CT_OAUTH_CLIENT_ID_MAX + 1];
    char scope[CT_OAUTH_SCOPE_MAX + 1];
    int64_t expires_in; /* whole seconds until the token expires (rounded down) */
};

/* What a successful token request answers. */
struct ct_oauth_tokens {
    char access[CT_TOKEN_MAX];
    char refresh[CT_TOKEN_MAX];
    char scope[CT_OAUTH_SCOPE_MAX + 1];
    int expires_in;
};

/* ---- pure checks (no database) ----------------------------------------------------------- */

/* A space-separated list of known scopes (CT_OAUTH_SCOPES), each once, single spaces. */
bool ct_oauth_scope_valid(const char *scope);
/* Whether every scope of `sub` is in `super` (both valid lists). */
bool ct_oauth_scope_subset(const char *sub, const char *super);
/* RFC 7636: 43 to 128 characters of [A-Za-z0-9-._~]; the same syntax for challenge and
 * verifier (an S256 challenge is always 43). */
bool ct_oauth_pkce_valid(const char *s);
/* BASE64URL(SHA-256(verifier)) == challenge, compared in constant time. */
bool ct_oauth_pkce_s256_match(const char *verifier, const char *challenge);
/* A redirect URI a client may register: absolute https (or http on a loopback host, RFC 8252),
 * or a private-use scheme "x.y:/path" for native apps; no fragment, no spaces or controls, at
 * most CT_OAUTH_URI_MAX bytes. */
bool ct_oauth_redirect_uri_valid(const char *uri);
/* "Basic base64(urlenc(id):urlenc(secret))" (RFC 6749 2.3.1) into id and secret. false when the
 * header is not Basic or is malformed or a part does not fit. */
bool ct_oauth_basic_parse(const char *header, char *id, size_t idsz, char *secret, size_t secretsz);
/* Percent-encodes s for a query component (everything but unreserved characters) onto out,
 * which holds outsz bytes; false when it does not fit. */
bool ct_oauth_query_escape(const char *s, char *out, size_t outsz);

/* ---- clients ------------------------------------------------------------------------------ */

/* The client for a connect page: known, active (and its partner active) AND `redirect_uri`
 * registered for it by exact string match - one query. CT_E_NOTFOUND otherwise (the page says
 * 'Service not found' and never redirects). */
enum ct_err ct_oauth_connect_client(struct ct_db *db, const char *client_id,
                                    const char *redirect_uri, struct ct_oauth_client *out);
/* Client authentication at the token and revocation endpoints: CT_E_UNAUTH for an unknown
 * client or a wrong secret (an unknown client costs the same hashing time), CT_E_FORBIDDEN for
 * a right secret of a disabled client (or suspended partner). The secret is compared by
 * argon2id verification (constant time). */
enum ct_err ct_oauth_client_auth(struct ct_db *db, const char *client_id, const char *secret,
                                 struct ct_oauth_client *out);

/* Administration (tools/oauth_client.c), each inside a unit of work. secret_hash is a PHC string
 * from ct_password_hash. CT_E_CONFLICT when the client_id or the URI exists already. */
enum ct_err ct_oauth_client_insert(struct ct_db *db, int64_t partner_id, const char *client_id,
                                   const char *name, const char *secret_hash);
enum ct_err ct_oauth_redirect_add(struct ct_db *db, const char *client_id, const char *uri);
/* Sets the client's status; CT_E_NOTFOUND for an unknown client. */
enum ct_err ct_oauth_client_set_active(struct ct_db *db, const char *client_id, bool active);

/* ---- consent ------------------------------------------------------------------------------- */

/* The customer allowed the client: creates the consent grant (or updates the scope of the live
 * one) and a code (CT_OAUTH_CODE_TTL seconds, single use) bound to the client, redirect_uri and
 * PKCE challenge (NULL: none). Runs its own unit of work. */
enum ct_err ct_oauth_code_issue(struct ct_db *db, const struct ct_oauth_client *client,
                                const char *customer_id, const char *scope,
                                const char *redirect_uri, const char *challenge,
                                char code[CT_TOKEN_MAX]);

/* ---- tokens -------------------------------------------------------------------------------- */

/* grant_type=authorization_code for an authenticated client. Each runs its own unit of work,
 * which commits the revocations a refused request causes. CT_E_RULE with *error an RFC 6749
 * error code ("invalid_grant", "invalid_scope") and *why a description for the client; other
 * errors are database failures. A replayed code revokes the tokens of its first exchange; a
 * code of another client, another redirect_uri, an expired code, a missing or wrong PKCE
 * verifier, or a verifier without a challenge is invalid_grant. */
enum ct_err ct_oauth_exchange_code(struct ct_db *db, const struct ct_oauth_client *client,
                                   const char *code, const char *redirect_uri, const char *verifier,
                                   struct ct_oauth_tokens *out, const char **error,
                                   const char **why);
/* grant_type=refresh_token: rotates (the presented token is marked used and a new pair issued
 * with the family's absolute expiry); a used token presented again revokes the whole family.
 * `scope` (NULL: unchanged) may only narrow. */
enum ct_err ct_oauth_exchange_refresh(struct ct_db *db, const struct ct_oauth_client *client,
                                      const char *refresh, const char *scope,
                                      struct ct_oauth_tokens *out, const char **error,
                                      const char **why);
/* RFC 7009: revokes the client's token (a refresh token with its whole family). Unknown tokens
 * and other clients' tokens are left alone and still CT_OK. */
enum ct_err ct_oauth_revoke(struct ct_db *db, const struct ct_oauth_client *client,
                            const char *token);
/* The live access token (not revoked or expired, grant live, client and partner active): one
 * query, no write. CT_E_UNAUTH otherwise. */
enum ct_err ct_oauth_access_check(struct ct_db *db, const char *token, struct ct_oauth_access *out);

#endif /* CT_OAUTH_H */
