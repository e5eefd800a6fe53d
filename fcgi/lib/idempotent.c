/* idempotent.c - the HTTP side of idempotency: the Idempotency-Key header, the request hash, one
 * transaction holding the effects and the recorded answer, and the replay after a refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "ct/ct_ledger.h"
#include "ct/ct_mem.h"
#include "internal.h"

#define IDEM_KEY_MAX 255

struct idem_run {
    struct ct_req *req;
    const char *scope;
    const char *key;
    unsigned char hash[32];
    ct_idem_fn fn;
    void *ctx;
    int status;
    char *body; /* heap */
};

static bool key_valid(const char *key);
static void request_hash(const struct ct_req *req, unsigned char out[32]);
static enum ct_err idem_unit(struct ct_db *db, void *arg);
static bool replay(struct idem_run *r);

static bool
key_valid(const char *key)
{
    size_t n = strlen(key), i;

    if (n == 0 || n > IDEM_KEY_MAX)
        return false;
    for (i = 0; i < n; i++)
        if (key[i] < 0x21 || key[i] > 0x7e)
            return false;
    return true;
}

/* Method, path and body, separated by NUL bytes so no two requests can collide by shifting text
 * from one part into another. */
static void
request_hash(const struct ct_req *req, unsigned char out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const char *path = req->in->path != NULL ? req->in->path : "";
    size_t blen;
    const char *body = ct_req_body(req, &blen);
    unsigned int len = 32;

    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, req->in->method, strlen(req->in->method) + 1) != 1 ||
        EVP_DigestUpdate(md, path, strlen(path) + 1) != 1 ||
        EVP_DigestUpdate(md, body, blen) != 1 || EVP_DigestFinal_ex(md, out, &len) != 1)
        abort(); /* only on allocation failure inside OpenSSL: treated like out of memory */
    EVP_MD_CTX_free(md);
}

static enum ct_err
idem_unit(struct ct_db *db, void *arg)
{
    struct idem_run *r = arg;
    struct json_object *answer = NULL;
    enum ct_err err;

    /* a re-run after a deadlock starts from a clean slate */
    r->req->in->err = CT_OK;
    free(r->body);
    r->body = NULL;
    err = r->fn(r->req, r->ctx, &r->status, &answer);
    if (err != CT_OK)
        return err;
    r->body = ct_strdup(json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(answer);
    /* last, with the COMMIT: a twin that committed first makes ct_db_txn fail with a conflict */
    return ct_idem_record(db, r->scope, r->key, r->hash, r->status, r->body);
}

/* After a refused attempt: a first attempt with this key may have committed meanwhile (a twin,
 * or a retry of a request that succeeded). Its answer wins; else the refusal stands. */
static bool
replay(struct idem_run *r)
{
    struct ct_idem_replay rep = {false, 0, NULL};
    const char *code = NULL;
    enum ct_err err;

    err = ct_idem_find(r->req->db, r->scope, r->key, r->hash, &rep, &code);
    if (err == CT_E_CONFLICT) {
        ct_req_fail(r->req, err, code, "this Idempotency-Key was used for another request");
        return true;
    }
    if (err != CT_OK || !rep.found) {
        free(rep.body);
        return false;
    }
    r->req->in->err = CT_OK;
    ct_reply_raw(r->req, rep.status, rep.body != NULL ? rep.body : "");
    ct_reply_header(r->req, "Idempotent-Replayed", "true");
    free(rep.body);
    return true;
}

enum ct_err
ct_req_idempotent(struct ct_req *req, const char *scope, ct_idem_fn fn, void *ctx)
{
    struct idem_run r;
    const char *key = ct_req_header(req, "Idempotency-Key");
    enum ct_err err;

    if (key == NULL)
        return ct_req_fail(req, CT_E_BADREQ, "IDEMPOTENCY_KEY_REQUIRED",
                           "an Idempotency-Key header is required for this request");
    if (!key_valid(key))
        return ct_req_fail(req, CT_E_BADREQ, "IDEMPOTENCY_KEY_INVALID",
                           "Idempotency-Key must be 1 to 255 printable ASCII characters");
    memset(&r, 0, sizeof(r));
    r.req = req;
    r.scope = scope;
    r.key = key;
    r.fn = fn;
    r.ctx = ctx;
    request_hash(req, r.hash);
    err = ct_db_txn(req->db, idem_unit, &r);
    if (err == CT_OK) {
        ct_reply_raw(req, r.status, r.body);
        free(r.body);
        return CT_OK;
    }
    free(r.body);
    /* a server-side failure is not a refusal: it answers as it is */
    if (err != CT_E_INTERNAL && err != CT_E_BUSY && replay(&r))
        return req->in->err;
    if (req->in->err == CT_OK)
        ct_req_fail(req, err, NULL, "the request could not be completed");
    return err;
}
