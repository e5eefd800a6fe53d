/* oauth.c - the OAuth 2.0 authorization server: clients, consent grants, codes and tokens. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "ct/ct_log.h"
#include "ct/ct_oauth.h"
#include "ct/ct_password.h"
#include "internal.h"

#define SECRET_MAX 256

static bool scope_has(const char *list, const char *word, size_t n);
static bool unreserved(int c);
static void b64url_sha256(const char *in, char out[44]);
static enum ct_err family_revoke(struct ct_db *db, int64_t family_id);
static enum ct_err tokens_issue(struct ct_db *db, int64_t grant_id, int64_t family_id,
                                const struct ct_oauth_client *client, const char *customer_id,
                                int64_t partner_id, const char *scope, const char *refresh_expiry,
                                struct ct_oauth_tokens *out);
static void client_from_row(const struct ct_rows *rows, struct ct_oauth_client *out);

/* ---- pure checks ----------------------------------------------------------------------------- */

static bool
scope_has(const char *list, const char *word, size_t n)
{
    const char *p = list;

    while (*p != '\0') {
        size_t len = strcspn(p, " ");

        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len;
        while (*p == ' ')
            p++;
    }
    return false;
}

bool
ct_oauth_scope_valid(const char *scope)
{
    const char *p = scope;

    if (scope == NULL || *scope == '\0' || strlen(scope) > CT_OAUTH_SCOPE_MAX)
        return false;
    while (*p != '\0') {
        size_t len = strcspn(p, " ");

        if (len == 0 || !scope_has(CT_OAUTH_SCOPES, p, len))
            return false; /* empty word (double or edge space) or unknown scope */
        if (scope_has(p + len, p, len))
            return false; /* repeated */
        p += len;
        if (*p == ' ' && *++p == '\0')
            return false; /* trailing space */
    }
    return true;
}

bool
ct_oauth_scope_subset(const char *sub, const char *super)
{
    const char *p = sub;

    while (*p != '\0') {
        size_t len = strcspn(p, " ");

        if (len > 0 && !scope_has(super, p, len))
            return false;
        p += len;
        while (*p == ' ')
            p++;
    }
    return true;
}

static bool
unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool
ct_oauth_pkce_valid(const char *s)
{
    size_t i, n;

    if (s == NULL)
        return false;
    n = strlen(s);
    if (n < 43 || n > 128)
        return false;
    for (i = 0; i < n; i++)
        if (!unreserved((unsigned char)s[i]))
            return false;
    return true;
}

static void
b64url_sha256(const char *in, char out[44])
{
    unsigned char md[32], b64[48];
    int n, i;

    ct_sha256(in, strlen(in), md);
    n = EVP_EncodeBlock(b64, md, sizeof(md)); /* 44 characters, one '=' of padding */
    for (i = 0; i < n && b64[i] != '='; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
    out[i] = '\0';
}

bool
ct_oauth_pkce_s256_match(const char *verifier, const char *challenge)
{
    char want[44];

    if (!ct_oauth_pkce_valid(verifier) || challenge == NULL || strlen(challenge) != 43)
        return false;
    b64url_sha256(verifier, want);
    return strlen(want) == 43 && CRYPTO_memcmp(want, challenge, 43) == 0;
}

bool
ct_oauth_redirect_uri_valid(const char *uri)
{
    size_t n, i, scheme;
    const char *host;

    if (uri == NULL)
        return false;
    n = strlen(uri);
    if (n == 0 || n > CT_OAUTH_URI_MAX || strchr(uri, '#') != NULL)
        return false;
    for (i = 0; i < n; i++)
        if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f)
            return false;
    if (strncmp(uri, "https://", 8) == 0)
        return n > 8 && uri[8] != '/';
    if (strncmp(uri, "http://", 7) == 0) {
        host = uri + 7;
        return strncmp(host, "127.0.0.1", 9) == 0 || strncmp(host, "[::1]", 5) == 0 ||
               strncmp(host, "localhost", 9) == 0;
    }
    /* native apps: a private-use scheme in reverse domain notation (RFC 8252 7.1) */
    scheme = strcspn(uri, ":");
    if (scheme == n || memchr(uri, '.', scheme) == NULL || !isalpha((unsigned char)uri[0]))
        return false;
    for (i = 0; i < scheme; i++)
        if (!isalnum((unsigned char)uri[i]) && uri[i] != '.' && uri[i] != '-' && uri[i] != '+')
            return false;
    return uri[scheme + 1] != '\0';
}

bool
ct_oauth_basic_parse(const char *header, char *id, size_t idsz, char *secret, size_t secretsz)
{
    unsigned char raw[3 * (SECRET_MAX + CT_OAUTH_CLIENT_ID_MAX) + 8];
    char *colon;
    const char *b64;
    size_t len;
    int n;
    bool ok = false;

    if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
        return false;
    b64 = header + 6;
    len = strlen(b64);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 >= sizeof(raw))
        return false;
    n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
    if (n < 0)
        return false;
    /* EVP_DecodeBlock counts the padding as zero bytes */
    if (b64[len - 1] == '=')
        n--;
    if (b64[len - 2] == '=')
        n--;
    raw[n] = '\0';
    colon = memchr(raw, ':', (size_t)n);
    if (colon == NULL || memchr(raw, '\0', (size_t)n) != NULL)
        goto out;
    *colon = '\0';
    /* the parts are form-urlencoded first (RFC 6749 2.3.1); decoding never lengthens them */
    if (strlen((char *)raw) >= idsz || strlen(colon + 1) >= secretsz)
        goto out;
    ok = ct_url_decode((char *)raw, strlen((char *)raw), true, id) &&
         ct_url_decode(colon + 1, strlen(colon + 1), true, secret) && *id != '\0';
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    return ok;
}

bool
ct_oauth_query_escape(const char *s, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (o + 4 > outsz)
            return false;
        if (unreserved(c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (o >= outsz)
        return false;
    out[o] = '\0';
    return true;
}

/* ---- clients ----------------------------------------------------------------------------- */

/* columns: id, client_id, partner_id, name, active */
static void
client_from_row(const struct ct_rows *rows, struct ct_oauth_client *out)
{
    int64_t active = 0;

    memset(out, 0, sizeof(*out));
    (void)ct_rows_i64(rows, 0, 0, &out->id);
    (void)snprintf(out->client_id, sizeof(out->client_id), "%s", ct_rows_str(rows, 0, 1));
    (void)ct_rows_i64(rows, 0, 2, &out->partner_id);
    (void)snprintf(out->name, sizeof(out->name), "%s", ct_rows_str(rows, 0, 3));
    (void)ct_rows_i64(rows, 0, 4, &active);
    out->active = active == 1;
}

enum ct_err
ct_oauth_connect_client(struct ct_db *db, const char *client_id, const char *redirect_uri,
                        struct ct_oauth_client *out)
{
    static const char sql[] =
        "SELECT c.id, c.client_id, c.partner_id, c.name, 1 FROM oauth_client c "
        "JOIN partner p ON p.id = c.partner_id "
        "JOIN oauth_redirect_uri r ON r.client_id = c.id AND r.uri_hash = UNHEX(SHA2(?, 256)) "
        "WHERE c.client_id = ? AND c.status = 'active' AND p.status = 'active' AND r.uri = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (client_id == NULL || redirect_uri == NULL || strlen(client_id) > CT_OAUTH_CLIENT_ID_MAX ||
        strlen(redirect_uri) > CT_OAUTH_URI_MAX)
        return CT_E_NOTFOUND;
    err = ct_db_query(db, sql, &rows, "sss", redirect_uri, client_id, redirect_uri);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1) {
        ct_rows_free(rows);
        return CT_E_NOTFOUND;
    }
    client_from_row(rows, out);
    ct_rows_free(rows);
    return CT_OK;
}

enum ct_err
ct_oauth_client_auth(struct ct_db *db, const char *client_id, const char *secret,
                     struct ct_oauth_client *out)
{
    static const char sql[] =
        "SELECT c.id, c.client_id, c.partner_id, c.name, "
        "c.status = 'active' AND p.status = 'active', c.secret_hash FROM oauth_client c "
        "JOIN partner p ON p.id = c.partner_id WHERE c.client_id = ?";
    struct ct_rows *rows = NULL;
    struct ct_oauth_client c;
    enum ct_err err;

    if (client_id == NULL || secret == NULL || strlen(client_id) > CT_OAUTH_CLIENT_ID_MAX ||
        strlen(secret) > SECRET_MAX) {
        ct_password_burn(secret != NULL ? secret : "");
        return CT_E_UNAUTH;
    }
    err = ct_db_query(db, sql, &rows, "s", client_id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1 || ct_rows_str(rows, 0, 5) == NULL) {
        ct_rows_free(rows);
        ct_password_burn(secret);
        return CT_E_UNAUTH;
    }
    client_from_row(rows, &c);
    err = ct_password_verify(ct_rows_str(rows, 0, 5), secret) ? CT_OK : CT_E_UNAUTH;
    ct_rows_free(rows);
    if (err == CT_OK && !c.active)
        err = CT_E_FORBIDDEN;
    if (err == CT_OK)
        *out = c;
    return err;
}

enum ct_err
ct_oauth_client_insert(struct ct_db *db, int64_t partner_id, const char *client_id,
                       const char *name, const char *secret_hash)
{
    static const char sql[] = "INSERT INTO oauth_client (client_id, partner_id, name, secret_hash) "
                              "VALUES (?, ?, ?, ?)";

    return ct_db_exec(db, sql, NULL, "slss", client_id, partner_id, name, secret_hash);
}

enum ct_err
ct_oauth_redirect_add(struct ct_db *db, const char *client_id, const char *uri)
{
    static const char sql[] = "INSERT INTO oauth_redirect_uri (client_id, uri, uri_hash) "
                              "SELECT id, ?, UNHEX(SHA2(?, 256)) FROM oauth_client "
                              "WHERE client_id = ?";
    uint64_t n = 0;
    enum ct_err err;

    if (!ct_oauth_redirect_uri_valid(uri))
        return CT_E_RULE;
    err = ct_db_exec(db, sql, &n, "sss", uri, uri, client_id);
    if (err == CT_OK && n != 1)
        err = CT_E_NOTFOUND;
    return err;
}

enum ct_err
ct_oauth_client_set_active(struct ct_db *db, const char *client_id, bool active)
{
    static const char sql[] = "UPDATE oauth_client SET status = ? WHERE client_id = ?";
    static const char find[] = "SELECT 1 FROM oauth_client WHERE client_id = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;
    size_t n;

    err = ct_db_query(db, find, &rows, "s", client_id);
    if (err != CT_OK)
        return err;
    n = ct_rows_count(rows);
    ct_rows_free(rows);
    if (n != 1)
        return CT_E_NOTFOUND;
    return ct_db_exec(db, sql, NULL, "ss", active ? "active" : "disabled", client_id);
}

/* ---- consent ---------------------------------------------------------------------------- */

struct issue_ctx {
    const struct ct_oauth_client *client;
    const char *customer_id, *scope, *redirect_uri, *challenge;
    char code[CT_TOKEN_MAX];
};

static enum ct_err
issue_unit(struct ct_db *db, void *arg)
{
    static const char find[] = "SELECT id FROM oauth_grant WHERE customer_id = ? AND client_id = ? "
                               "AND revoked_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE";
    static const char upd[] = "UPDATE oauth_grant SET scope = ? WHERE id = ?";
    static const char ins[] = "INSERT INTO oauth_grant (partner_id, client_id, customer_id, scope) "
                              "VALUES (?, ?, ?, ?)";
    static const char code[] =
        "INSERT INTO oauth_code (code_hash, grant_id, client_id, redirect_uri, code_challenge, "
        "expires_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)";
    struct issue_ctx *c = arg;
    struct ct_rows *rows = NULL;
    unsigned char hash[32];
    int64_t grant_id = 0;
    enum ct_err err;

    err = ct_db_query(db, find, &rows, "sl", c->customer_id, c->client->id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) == 1 && ct_rows_i64(rows, 0, 0, &grant_id)) {
        ct_rows_free(rows);
        err = ct_db_exec(db, upd, NULL, "sl", c->scope, grant_id);
    } else {
        ct_rows_free(rows);
        err = ct_db_exec(db, ins, NULL, "llss", c->client->partner_id, c->client->id,
                         c->customer_id, c->scope);
        grant_id = ct_db_last_id(db);
    }
    if (err != CT_OK)
        return err;
    err = ct_token_new("ac", c->code, hash);
    if (err != CT_OK)
        return err;
    return ct_db_exec(db, code, NULL, "Sllssi", (const char *)hash, (size_t)32, grant_id,
                      c->client->id, c->redirect_uri, c->challenge, CT_OAUTH_CODE_TTL);
}

enum ct_err
ct_oauth_code_issue(struct ct_db *db, const struct ct_oauth_client *client, const char *customer_id,
                    const char *scope, const char *redirect_uri, const char *challenge,
                    char code[CT_TOKEN_MAX])
{
    struct issue_ctx c;
    enum ct_err err;

    memset(&c, 0, sizeof(c));
    c.client = client;
    c.customer_id = customer_id;
    c.scope = scope;
    c.redirect_uri = redirect_uri;
    c.challenge = challenge;
    err = ct_db_txn(db, issue_unit, &c);
    if (err == CT_OK)
        memcpy(code, c.code, CT_TOKEN_MAX);
    OPENSSL_cleanse(c.code, sizeof(c.code));
    return err;
}

/* ---- tokens ------------------------------------------------------------------------------- */

static enum ct_err
family_revoke(struct ct_db *db, int64_t family_id)
{
    static const char toks[] = "UPDATE oauth_token SET revoked_at = UTC_TIMESTAMP(6) "
                               "WHERE family_id = ? AND revoked_at IS NULL";
    static const char fam[] = "UPDATE oauth_family SET revoked_at = UTC_TIMESTAMP(6) "
                              "WHERE id = ? AND revoked_at IS NULL";
    enum ct_err err = ct_db_exec(db, toks, NULL, "l", family_id);

    return err != CT_OK ? err : ct_db_exec(db, fam, NULL, "l", family_id);
}

/* A new access + refresh pair of the family. refresh_expiry: DATETIME text of the family's
 * absolute end, NULL for a new family (now + CT_OAUTH_REFRESH_TTL). */
static enum ct_err
tokens_issue(struct ct_db *db, int64_t grant_id, int64_t family_id,
             const struct ct_oauth_client *client, const char *customer_id, int64_t partner_id,
             const char *scope, const char *refresh_expiry, struct ct_oauth_tokens *out)
{
    static const char at[] =
        "INSERT INTO oauth_token (token_hash, kind, grant_id, family_id, "
        "client_id, partner_id, customer_id, scope, expires_at) VALUES "
        "(?, 'access', ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)";
    static const char rt[] = "INSERT INTO oauth_token (token_hash, kind, grant_id, family_id, "
                             "client_id, partner_id, customer_id, scope, expires_at) VALUES "
                             "(?, 'refresh', ?, ?, ?, ?, ?, ?, "
                             "COALESCE(?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND))";
    unsigned char ha[32], hr[32];
    enum ct_err err;

    memset(out, 0, sizeof(*out));
    if (ct_token_new("at", out->access, ha) != CT_OK ||
        ct_token_new("rt", out->refresh, hr) != CT_OK)
        return CT_E_INTERNAL;
    err = ct_db_exec(db, at, NULL, "Sllllssi", (const char *)ha, (size_t)32, grant_id, family_id,
                     client->id, partner_id, customer_id, scope, CT_OAUTH_ACCESS_TTL);
    if (err == CT_OK)
        err = ct_db_exec(db, rt, NULL, "Sllllsssi", (const char *)hr, (size_t)32, grant_id,
                         family_id, client->id, partner_id, customer_id, scope, refresh_expiry,
                         CT_OAUTH_REFRESH_TTL);
    (void)snprintf(out->scope, sizeof(out->scope), "%s", scope);
    out->expires_in = CT_OAUTH_ACCESS_TTL;
    return err;
}

struct exchange_ctx {
    const struct ct_oauth_client *client;
    const char *presented, *redirect_uri, *verifier, *scope;
    unsigned char hash[32];
    struct ct_oauth_tokens tokens;
    const char *error, *why;
};

static enum ct_err
code_unit(struct ct_db *db, void *arg)
{
    static const char sel[] =
        "SELECT c.grant_id, c.client_id, c.redirect_uri, c.code_challenge, "
        "c.expires_at > UTC_TIMESTAMP(6), c.used_at IS NOT NULL, g.customer_id, g.partner_id, "
        "g.scope, g.revoked_at IS NULL, f.id FROM oauth_code c "
        "JOIN oauth_grant g ON g.id = c.grant_id "
        "LEFT JOIN oauth_family f ON f.code_hash = c.code_hash "
        "WHERE c.code_hash = ? FOR UPDATE";
    static const char used[] =
        "UPDATE oauth_code SET used_at = UTC_TIMESTAMP(6) WHERE code_hash = ?";
    static const char fam[] = "INSERT INTO oauth_family (grant_id, code_hash) VALUES (?, ?)";
    struct exchange_ctx *c = arg;
    struct ct_rows *rows = NULL;
    int64_t grant_id = 0, client_id = 0, live = 0, was_used = 0, partner_id = 0, grant_live = 0;
    int64_t family = 0;
    const char *challenge;
    char customer[CT_UUID_LEN + 1], scope[CT_OAUTH_SCOPE_MAX + 1];
    enum ct_err err;

    c->error = "invalid_grant";
    err = ct_db_query(db, sel, &rows, "S", (const char *)c->hash, (size_t)32);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1) {
        ct_rows_free(rows);
        c->why = "the code is not valid";
        return CT_OK;
    }
    (void)ct_rows_i64(rows, 0, 0, &grant_id);
    (void)ct_rows_i64(rows, 0, 1, &client_id);
    (void)ct_rows_i64(rows, 0, 4, &live);
    (void)ct_rows_i64(rows, 0, 5, &was_used);
    (void)ct_rows_i64(rows, 0, 7, &partner_id);
    (void)ct_rows_i64(rows, 0, 9, &grant_live);
    (void)ct_rows_i64(rows, 0, 10, &family);
    (void)snprintf(customer, sizeof(customer), "%s", ct_rows_str(rows, 0, 6));
    (void)snprintf(scope, sizeof(scope), "%s", ct_rows_str(rows, 0, 8));
    challenge = ct_rows_str(rows, 0, 3);
    if (was_used) {
        c->why = "the code was used already; the tokens issued for it are revoked";
        ct_log(LOG_WARNING, "oauth: authorization code replayed (client %s); family %lld revoked",
               c->client->client_id, (long long)family);
        ct_rows_free(rows);
        return family != 0 ? family_revoke(db, family) : CT_OK;
    }
    if (client_id != c->client->id)
        c->why = "the code was issued to another client";
    else if (strcmp(ct_rows_str(rows, 0, 2), c->redirect_uri) != 0)
        c->why = "redirect_uri differs from the authorization request's";
    else if (!live)
        c->why = "the code has expired";
    else if (!grant_live)
        c->why = "the consent was revoked";
    else if (challenge != NULL && c->verifier == NULL)
        c->why = "code_verifier is required (PKCE)";
    else if (challenge == NULL && c->verifier != NULL)
        c->why = "code_verifier given but the authorization request had no code_challenge";
    else if (challenge != NULL && !ct_oauth_pkce_s256_match(c->verifier, challenge))
        c->why = "code_verifier does not match the code_challenge";
    else
        c->error = NULL;
    ct_rows_free(rows);
    if (c->error != NULL)
        return CT_OK;
    err = ct_db_exec(db, used, NULL, "S", (const char *)c->hash, (size_t)32);
    if (err == CT_OK)
        err = ct_db_exec(db, fam, NULL, "lS", grant_id, (const char *)c->hash, (size_t)32);
    if (err != CT_OK)
        return err;
    family = ct_db_last_id(db);
    return tokens_issue(db, grant_id, family, c->client, customer, partner_id, scope, NULL,
                        &c->tokens);
}

static enum ct_err
refresh_unit(struct ct_db *db, void *arg)
{
    static const char sel[] =
        "SELECT t.grant_id, t.family_id, t.client_id, t.customer_id, t.partner_id, t.scope, "
        "t.used_at IS NOT NULL, t.revoked_at IS NULL AND t.expires_at > UTC_TIMESTAMP(6) "
        "AND g.revoked_at IS NULL, t.expires_at FROM oauth_token t "
        "JOIN oauth_grant g ON g.id = t.grant_id "
        "WHERE t.token_hash = ? AND t.kind = 'refresh' FOR UPDATE";
    static const char used[] = "UPDATE oauth_token SET used_at = UTC_TIMESTAMP(6) "
                               "WHERE token_hash = ?";
    struct exchange_ctx *c = arg;
    struct ct_rows *rows = NULL;
    int64_t grant_id = 0, family = 0, client_id = 0, partner_id = 0, was_used = 0, live = 0;
    char customer[CT_UUID_LEN + 1], scope[CT_OAUTH_SCOPE_MAX + 1], expiry[32];
    enum ct_err err;

    c->error = "invalid_grant";
    err = ct_db_query(db, sel, &rows, "S", (const char *)c->hash, (size_t)32);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1) {
        ct_rows_free(rows);
        c->why = "the refresh token is not valid";
        return CT_OK;
    }
    (void)ct_rows_i64(rows, 0, 0, &grant_id);
    (void)ct_rows_i64(rows, 0, 1, &family);
    (void)ct_rows_i64(rows, 0, 2, &client_id);
    (void)ct_rows_i64(rows, 0, 4, &partner_id);
    (void)ct_rows_i64(rows, 0, 6, &was_used);
    (void)ct_rows_i64(rows, 0, 7, &live);
    (void)snprintf(customer, sizeof(customer), "%s", ct_rows_str(rows, 0, 3));
    (void)snprintf(scope, sizeof(scope), "%s", ct_rows_str(rows, 0, 5));
    (void)snprintf(expiry, sizeof(expiry), "%s", ct_rows_str(rows, 0, 8));
    ct_rows_free(rows);
    if (client_id != c->client->id) {
        c->why = "the refresh token was issued to another client";
        return CT_OK;
    }
    if (was_used) {
        c->why = "the refresh token was used already; its family is revoked";
        ct_log(LOG_WARNING, "oauth: refresh token reused (client %s); family %lld revoked",
               c->client->client_id, (long long)family);
        return family_revoke(db, family);
    }
    if (!live) {
        c->why = "the refresh token has expired or was revoked";
        return CT_OK;
    }
    if (c->scope != NULL && !ct_oauth_scope_subset(c->scope, scope)) {
        c->error = "invalid_scope";
        c->why = "scope may only narrow the granted scope";
        return CT_OK;
    }
    c->error = NULL;
    err = ct_db_exec(db, used, NULL, "S", (const char *)c->hash, (size_t)32);
    if (err != CT_OK)
        return err;
    return tokens_issue(db, grant_id, family, c->client, customer, partner_id,
                        c->scope != NULL ? c->scope : scope, expiry, &c->tokens);
}

static enum ct_err
exchange(struct ct_db *db, ct_txn_fn fn, struct exchange_ctx *c, struct ct_oauth_tokens *out,
         const char **error, const char **why)
{
    enum ct_err err;

    ct_token_hash(c->presented, c->hash);
    err = ct_db_txn(db, fn, c);
    if (err == CT_OK && c->error != NULL) {
        *error = c->error;
        *why = c->why;
        err = CT_E_RULE;
    } else if (err == CT_OK) {
        *out = c->tokens;
    }
    OPENSSL_cleanse(&c->tokens, sizeof(c->tokens));
    return err;
}

enum ct_err
ct_oauth_exchange_code(struct ct_db *db, const struct ct_oauth_client *client, const char *code,
                       const char *redirect_uri, const char *verifier, struct ct_oauth_tokens *out,
                       const char **error, const char **why)
{
    struct exchange_ctx c;

    memset(&c, 0, sizeof(c));
    if (verifier != NULL && !ct_oauth_pkce_valid(verifier)) {
        *error = "invalid_grant";
        *why = "code_verifier must be 43 to 128 unreserved characters";
        return CT_E_RULE;
    }
    c.client = client;
    c.presented = code;
    c.redirect_uri = redirect_uri;
    c.verifier = verifier;
    return exchange(db, code_unit, &c, out, error, why);
}

enum ct_err
ct_oauth_exchange_refresh(struct ct_db *db, const struct ct_oauth_client *client,
                          const char *refresh, const char *scope, struct ct_oauth_tokens *out,
                          const char **error, const char **why)
{
    struct exchange_ctx c;

    memset(&c, 0, sizeof(c));
    if (scope != NULL && !ct_oauth_scope_valid(scope)) {
        *error = "invalid_scope";
        *why = "unknown scope";
        return CT_E_RULE;
    }
    c.client = client;
    c.presented = refresh;
    c.scope = scope;
    return exchange(db, refresh_unit, &c, out, error, why);
}

struct revoke_ctx {
    const struct ct_oauth_client *client;
    unsigned char hash[32];
};

static enum ct_err
revoke_unit(struct ct_db *db, void *arg)
{
    static const char sel[] = "SELECT kind, family_id FROM oauth_token "
                              "WHERE token_hash = ? AND client_id = ? FOR UPDATE";
    static const char one[] = "UPDATE oauth_token SET revoked_at = UTC_TIMESTAMP(6) "
                              "WHERE token_hash = ? AND revoked_at IS NULL";
    struct revoke_ctx *c = arg;
    struct ct_rows *rows = NULL;
    int64_t family = 0;
    bool refresh;
    enum ct_err err;

    err = ct_db_query(db, sel, &rows, "Sl", (const char *)c->hash, (size_t)32, c->client->id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1) {
        ct_rows_free(rows);
        return CT_OK; /* unknown or another client's: nothing to say (RFC 7009 2.2) */
    }
    refresh = strcmp(ct_rows_str(rows, 0, 0), "refresh") == 0;
    (void)ct_rows_i64(rows, 0, 1, &family);
    ct_rows_free(rows);
    if (refresh)
        return family_revoke(db, family);
    return ct_db_exec(db, one, NULL, "S", (const char *)c->hash, (size_t)32);
}

enum ct_err
ct_oauth_revoke(struct ct_db *db, const struct ct_oauth_client *client, const char *token)
{
    struct revoke_ctx c;

    if (!ct_token_shape(token, "at") && !ct_token_shape(token, "rt"))
        return CT_OK;
    memset(&c, 0, sizeof(c));
    c.client = client;
    ct_token_hash(token, c.hash);
    return ct_db_txn(db, revoke_unit, &c);
}

enum ct_err
ct_oauth_access_check(struct ct_db *db, const char *token, struct ct_oauth_access *out)
{
    static const char sql[] =
        "SELECT t.partner_id, t.customer_id, c.client_id, t.scope, "
        "TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), t.expires_at) FROM oauth_token t "
        "JOIN oauth_grant g ON g.id = t.grant_id JOIN oauth_client c ON c.id = t.client_id "
        "JOIN partner p ON p.id = t.partner_id "
        "WHERE t.token_hash = ? AND t.kind = 'access' AND t.revoked_at IS NULL "
        "AND t.expires_at > UTC_TIMESTAMP(6) AND g.revoked_at IS NULL "
        "AND c.status = 'active' AND p.status = 'active'";
    struct ct_rows *rows = NULL;
    struct ct_oauth_access a;
    unsigned char hash[32];
    enum ct_err err;

    if (!ct_token_shape(token, "at"))
        return CT_E_UNAUTH; /* no database round trip for garbage */
    ct_token_hash(token, hash);
    err = ct_db_query(db, sql, &rows, "S", (const char *)hash, (size_t)32);
    if (err != CT_OK)
        return err;
    memset(&a, 0, sizeof(a));
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &a.partner_id) ||
        !ct_rows_i64(rows, 0, 4, &a.expires_in)) {
        ct_rows_free(rows);
        return CT_E_UNAUTH;
    }
    (void)snprintf(a.customer_id, sizeof(a.customer_id), "%s", ct_rows_str(rows, 0, 1));
    (void)snprintf(a.client_id, sizeof(a.client_id), "%s", ct_rows_str(rows, 0, 2));
    (void)snprintf(a.scope, sizeof(a.scope), "%s", ct_rows_str(rows, 0, 3));
    ct_rows_free(rows);
    *out = a;
    return CT_OK;
}
