/* ident.c - the partner behind a client certificate that nginx verified against the partner CA.
 * Only params nginx sets itself are read (SSL_CLIENT_*); a client cannot produce them, since
 * nginx prefixes every client header with HTTP_. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <openssl/evp.h>
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_util.h"
#include "internal.h"

#define CERT_BEGIN "-----BEGIN CERTIFICATE-----"
#define CERT_END "-----END CERTIFICATE-----"
#define IDENT_CACHE 8
#define IDENT_TTL_SECONDS 5

static bool cert_fingerprint(struct ct_req *req, const char *escaped, char hex[65]);
static struct ident_entry *cache_find(const char *escaped, time_t now);
static void cache_store(const char *escaped, const struct ct_ident *ident, time_t now);
static void copy_param(struct ct_req *req, const char *name, char *dst, size_t dstsz);
struct cert_kind;
static enum ct_err ident_cert(struct ct_req *req, const struct cert_kind *k);

/* A worker serves the same few partners over and over: it remembers the last certificates it
 * mapped, for a few seconds only, so a suspended partner or a revoked registration still takes
 * effect within IDENT_TTL_SECONDS (nginx refuses a revoked certificate at once, by its CRL). */
struct ident_entry {
    char *escaped; /* the certificate as nginx passed it */
    struct ct_ident ident;
    time_t checked;
};
static struct ident_entry ident_cache[IDENT_CACHE];
static unsigned ident_next;

static struct ident_entry *
cache_find(const char *escaped, time_t now)
{
    size_t i;

    for (i = 0; i < IDENT_CACHE; i++)
        if (ident_cache[i].escaped != NULL && now - ident_cache[i].checked < IDENT_TTL_SECONDS &&
            now >= ident_cache[i].checked && strcmp(ident_cache[i].escaped, escaped) == 0)
            return &ident_cache[i];
    return NULL;
}

static void
cache_store(const char *escaped, const struct ct_ident *ident, time_t now)
{
    struct ident_entry *e = &ident_cache[ident_next++ % IDENT_CACHE];

    free(e->escaped);
    e->escaped = ct_strdup(escaped);
    e->ident = *ident;
    e->checked = now;
}

/* SHA-256 over the DER certificate, as tools/pki registers it: the base64 between the PEM armour
 * lines, decoded, hashed. No X.509 parsing here: nginx has verified the certificate already, and
 * parsing costs more than the rest of a request. */
static bool
cert_fingerprint(struct ct_req *req, const char *escaped, char hex[65])
{
    size_t len = strlen(escaped), b64len = 0, i;
    char *pem = ct_req_alloc(req, len + 1), *b64, *begin, *end;
    unsigned char *der, md[32];
    int derlen;

    if (!ct_url_decode(escaped, len, false, pem))
        return false;
    begin = strstr(pem, CERT_BEGIN);
    end = begin != NULL ? strstr(begin, CERT_END) : NULL;
    if (begin == NULL || end == NULL)
        return false;
    begin += strlen(CERT_BEGIN);
    b64 = ct_req_alloc(req, (size_t)(end - begin) + 1);
    for (; begin < end; begin++) {
        if (*begin == '\n' || *begin == '\r' || *begin == ' ' || *begin == '\t')
            continue;
        b64[b64len++] = *begin;
    }
    if (b64len == 0 || b64len % 4 != 0 || b64len > INT32_MAX)
        return false;
    der = ct_req_alloc(req, b64len / 4 * 3);
    derlen = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)b64len);
    if (derlen < 0)
        return false;
    /* EVP_DecodeBlock counts the padding as zero bytes */
    for (i = b64len; i > 0 && b64[i - 1] == '='; i--)
        derlen--;
    ct_sha256(der, (size_t)derlen, md);
    ct_hex(md, sizeof(md), hex);
    return true;
}

/* Who a verified client certificate is: a partner (partner CA, main server) or a card processor
 * (processor CA, cards server), each registered by the certificate's fingerprint. */
static const struct cert_kind {
    enum ct_ident_kind kind;
    const char *sql;
    const char *unknown; /* the refusal's message */
} cert_kinds[] = {
    {CT_IDENT_PARTNER,
     "SELECT p.id, p.public_id, c.subject_dn FROM partner_cert c "
     "JOIN partner p ON p.id = c.partner_id "
     "WHERE c.fingerprint_sha256 = ? AND c.status = 'active' "
     "AND p.status = 'active' AND c.not_after > UTC_TIMESTAMP()",
     "the client certificate is not registered to a partner"},
    {CT_IDENT_PROCESSOR,
     "SELECT p.id, p.public_id, c.subject_dn FROM processor_cert c "
     "JOIN processor p ON p.id = c.processor_id "
     "WHERE c.fingerprint_sha256 = ? AND c.status = 'active' "
     "AND p.status = 'active' AND c.not_after > UTC_TIMESTAMP()",
     "the client certificate is not registered to a card processor"},
};

static enum ct_err
ident_cert(struct ct_req *req, const struct cert_kind *k)
{
    const char *verify = ct_req_param(req, "SSL_CLIENT_VERIFY");
    const char *cert = ct_req_param(req, "SSL_CLIENT_CERT");
    struct ct_rows *rows = NULL;
    struct ident_entry *hit;
    time_t now = time(NULL);
    int64_t id = 0;
    char fp[65];
    enum ct_err err;

    /* nginx already refused these; checked again so a misrouted location fails closed */
    if (verify == NULL || strcmp(verify, "SUCCESS") != 0 || cert == NULL || *cert == '\0')
        return ct_req_fail(req, CT_E_FORBIDDEN, "CLIENT_CERT_REQUIRED",
                           "a valid client certificate is required");
    hit = cache_find(cert, now);
    if (hit != NULL && hit->ident.kind == k->kind) {
        req->ident = hit->ident;
        return CT_OK;
    }
    if (!cert_fingerprint(req, cert, fp))
        return ct_req_fail(req, CT_E_FORBIDDEN, "CLIENT_CERT_INVALID",
                           "the client certificate could not be read");
    err = ct_db_query(req->db, k->sql, &rows, "s", fp);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "certificate lookup failed");
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &id)) {
        ct_rows_free(rows);
        ct_log(LOG_NOTICE, "unregistered client certificate sha256=%.16s...", fp);
        return ct_req_fail(req, CT_E_FORBIDDEN, "CLIENT_CERT_UNKNOWN", k->unknown);
    }
    if (k->kind == CT_IDENT_PROCESSOR)
        req->ident.processor_id = id;
    else
        req->ident.partner_id = id;
    (void)snprintf(req->ident.partner_ref, sizeof(req->ident.partner_ref), "%s",
                   ct_rows_str(rows, 0, 1));
    (void)snprintf(req->ident.subject, sizeof(req->ident.subject), "%s", ct_rows_str(rows, 0, 2));
    ct_rows_free(rows);
    req->ident.kind = k->kind;
    cache_store(cert, &req->ident, now);
    return CT_OK;
}

enum ct_err
ct_ident_x509(struct ct_req *req)
{
    return ident_cert(req, &cert_kinds[0]);
}

enum ct_err
ct_ident_processor(struct ct_req *req)
{
    return ident_cert(req, &cert_kinds[1]);
}

/* The auth pool answered nginx's auth_request with the identity in X-CT-Auth-* headers; nginx
 * copied them into these params with auth_request_set (conf/nginx/snippets/ct_fastcgi_params). */
static const struct {
    enum ct_ident_kind kind;
    const char *name;
} ident_kinds[] = {
    {CT_IDENT_CUSTOMER, "customer"},
    {CT_IDENT_OAUTH, "oauth"},
    {CT_IDENT_OPERATOR, "operator"},
};

static void
copy_param(struct ct_req *req, const char *name, char *dst, size_t dstsz)
{
    const char *v = ct_req_param(req, name);

    (void)snprintf(dst, dstsz, "%s", v != NULL ? v : "");
}

enum ct_err
ct_ident_auth(struct ct_req *req, enum ct_ident_kind want)
{
    const char *kind = ct_req_param(req, "CT_AUTH_KIND");
    const char *partner = ct_req_param(req, "CT_AUTH_PARTNER");
    size_t i;

    for (i = 0; i < sizeof(ident_kinds) / sizeof(ident_kinds[0]); i++)
        if (ident_kinds[i].kind == want)
            break;
    if (kind == NULL || i == sizeof(ident_kinds) / sizeof(ident_kinds[0]) ||
        strcmp(kind, ident_kinds[i].name) != 0 || partner == NULL ||
        !ct_parse_i64(partner, 1, INT64_MAX, &req->ident.partner_id))
        return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "authentication is required");
    req->ident.kind = want;
    copy_param(req, "CT_AUTH_SUBJECT", req->ident.subject, sizeof(req->ident.subject));
    copy_param(req, "CT_AUTH_SESSION", req->ident.session, sizeof(req->ident.session));
    copy_param(req, "CT_AUTH_CLIENT", req->ident.client_id, sizeof(req->ident.client_id));
    copy_param(req, "CT_AUTH_SCOPE", req->ident.scope, sizeof(req->ident.scope));
    copy_param(req, "CT_AUTH_ROLE", req->ident.role, sizeof(req->ident.role));
    if (req->ident.subject[0] == '\0')
        return ct_req_fail(req, CT_E_UNAUTH, "UNAUTHORIZED", "authentication is required");
    return CT_OK;
}

bool
ct_ident_has_scope(const struct ct_ident *ident, const char *scope)
{
    size_t n = strlen(scope);
    const char *p = ident->scope;

    while (*p != '\0') {
        size_t len = strcspn(p, " ");

        if (len == n && strncmp(p, scope, n) == 0)
            return true;
        p += len;
        while (*p == ' ')
            p++;
    }
    return false;
}
