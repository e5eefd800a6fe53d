/* ident.c - the partner behind a client certificate that nginx verified against the partner CA.
 * Only params nginx sets itself are read (SSL_CLIENT_*); a client cannot produce them, since
 * nginx prefixes every client header with HTTP_. */
#include <stdio.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "ct/ct_log.h"
#include "ct/ct_util.h"
#include "internal.h"

static bool cert_fingerprint(struct ct_req *req, const char *escaped, char hex[65]);

/* SHA-256 over the DER certificate, as tools/pki registers it. */
static bool
cert_fingerprint(struct ct_req *req, const char *escaped, char hex[65])
{
    size_t len = strlen(escaped);
    char *pem = ct_req_alloc(req, len + 1);
    unsigned char *der = NULL, md[32];
    BIO *bio = NULL;
    X509 *x = NULL;
    int derlen;
    bool ok = false;

    if (!ct_url_decode(escaped, len, false, pem))
        goto out;
    bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL)
        goto out;
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (x == NULL)
        goto out;
    derlen = i2d_X509(x, &der);
    if (derlen <= 0)
        goto out;
    ct_sha256(der, (size_t)derlen, md);
    ct_hex(md, sizeof(md), hex);
    ok = true;
out:
    OPENSSL_free(der);
    X509_free(x);
    BIO_free(bio);
    return ok;
}

enum ct_err
ct_ident_x509(struct ct_req *req)
{
    static const char sql[] = "SELECT p.id, p.public_id, c.subject_dn FROM partner_cert c "
                              "JOIN partner p ON p.id = c.partner_id "
                              "WHERE c.fingerprint_sha256 = ? AND c.status = 'active' "
                              "AND p.status = 'active' AND c.not_after > UTC_TIMESTAMP()";
    const char *verify = ct_req_param(req, "SSL_CLIENT_VERIFY");
    const char *cert = ct_req_param(req, "SSL_CLIENT_CERT");
    struct ct_rows *rows = NULL;
    char fp[65];
    enum ct_err err;

    /* nginx already refused these; checked again so a misrouted location fails closed */
    if (verify == NULL || strcmp(verify, "SUCCESS") != 0 || cert == NULL || *cert == '\0')
        return ct_req_fail(req, CT_E_FORBIDDEN, "CLIENT_CERT_REQUIRED",
                           "a valid client certificate is required");
    if (!cert_fingerprint(req, cert, fp))
        return ct_req_fail(req, CT_E_FORBIDDEN, "CLIENT_CERT_INVALID",
                           "the client certificate could not be read");
    err = ct_db_query(req->db, sql, &rows, "s", fp);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "partner lookup failed");
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &req->ident.partner_id)) {
        ct_rows_free(rows);
        ct_log(LOG_NOTICE, "unregistered client certificate sha256=%.16s...", fp);
        return ct_req_fail(req, CT_E_FORBIDDEN, "CLIENT_CERT_UNKNOWN",
                           "the client certificate is not registered to a partner");
    }
    (void)snprintf(req->ident.partner_ref, sizeof(req->ident.partner_ref), "%s",
                   ct_rows_str(rows, 0, 1));
    (void)snprintf(req->ident.subject, sizeof(req->ident.subject), "%s",
                   ct_rows_str(rows, 0, 2));
    ct_rows_free(rows);
    return CT_OK;
}
