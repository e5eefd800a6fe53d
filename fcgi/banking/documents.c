/* documents.c - customer documents (POST /documents, GET|POST|DELETE /documents/{id}) and files
 * attached to operations (GET|POST|DELETE /operations/{id}/document, GET /operations/{id}/bill).
 * Uploads are multipart/form-data with one "file" part; the bytes go under files_dir with a
 * generated name, the client's filename is kept only as sanitized metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_document.h"
#include "ct/ct_multipart.h"
#include "banking.h"

#define MAX_PARTS 4

struct upload {
    const struct ct_mp_part *file;
    struct ct_mp_part parts[MAX_PARTS];
    size_t nparts;
};

struct doc_ctx {
    struct ct_document doc;
    int64_t posting_id;     /* > 0: link the new document to this operation */
    int64_t old_id;         /* the document the link replaced, deleted in the same unit */
    struct ct_document old; /* whose file goes once the unit committed (storage_name "": none) */
    bool replace;
};

static enum ct_err read_upload(struct ct_req *req, struct upload *u);
static enum ct_err store_upload(struct ct_req *req, const struct upload *u, struct ct_document *d);
static enum ct_err doc_id(struct ct_req *req, int64_t *id);
static enum ct_err op_id(struct ct_req *req, const char *doc_type, int64_t *id);
static enum ct_err reply_file(struct ct_req *req, const struct ct_document *d);
static enum ct_err save_unit(struct ct_db *db, void *arg);
static enum ct_err upload_and_save(struct ct_req *req, struct doc_ctx *c, const char *failed);
static enum ct_err delete_unit(struct ct_db *db, void *arg);

/* The "file" part of a multipart/form-data body, nothing else. */
static enum ct_err
read_upload(struct ct_req *req, struct upload *u)
{
    const char *why = "malformed multipart body", *body;
    char boundary[CT_MP_BOUNDARY_MAX + 1];
    size_t len, i;
    enum ct_err err;

    err = ct_multipart_boundary(ct_req_content_type(req), boundary);
    if (err == CT_E_MEDIA)
        return ct_req_fail(req, err, NULL, "Content-Type must be multipart/form-data");
    body = ct_req_body(req, &len);
    if (err == CT_OK)
        err = ct_multipart_parse(body, len, boundary, u->parts, MAX_PARTS, &u->nparts, &why);
    if (err != CT_OK)
        return ct_req_fail(req, CT_E_BADREQ, NULL, why);
    for (i = 0; i < u->nparts; i++)
        if (strcmp(u->parts[i].name, "file") != 0)
            ct_req_field_error(req, strlen(u->parts[i].name) <= 64 ? u->parts[i].name : "(long)",
                               "unknown field");
    u->file = ct_multipart_find(u->parts, u->nparts, "file");
    if (u->file == NULL || !u->file->has_filename)
        ct_req_field_error(req, "file", "a file is required");
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    if (u->file->len > CT_DOC_MAX_SIZE)
        return ct_req_fail(req, CT_E_TOOBIG, NULL, "the file is larger than 10 MiB");
    return CT_OK;
}

/* Checks the content (PDF, PNG or JPEG, as declared) and writes the file. */
static enum ct_err
store_upload(struct ct_req *req, const struct upload *u, struct ct_document *d)
{
    const char *sniffed = ct_doc_sniff(u->file->data, u->file->len);
    enum ct_err err;

    if (sniffed == NULL)
        ct_req_field_error(req, "file", "must be a PDF, PNG or JPEG file");
    else if (!ct_doc_type_agrees(u->file->content_type, sniffed))
        ct_req_field_error(req, "file", "the declared Content-Type does not match the content");
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "the file is not accepted");
    d->partner_id = req->ident.partner_id;
    (void)snprintf(d->customer_id, sizeof(d->customer_id), "%.36s", req->ident.subject);
    ct_doc_clean_filename(u->file->filename, sniffed, d->filename);
    err = ct_doc_store_file(ct_req_conf(req)->files_dir, u->file->data, u->file->len, d);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the file could not be stored");
    return CT_OK;
}

static enum ct_err
doc_id(struct ct_req *req, int64_t *id)
{
    const char *s = ct_req_path_arg(req, "id");

    if (s == NULL || s[0] == '-' || !ct_parse_i64(s, 1, INT64_MAX, id))
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "The document doesn't exist");
    return CT_OK;
}

/* {id} of a posting the customer sees, and {documentType} in the seed's enum ("document"; the
 * bill route passes "bill"). */
static enum ct_err
op_id(struct ct_req *req, const char *doc_type, int64_t *id)
{
    const char *s = ct_req_path_arg(req, "id");
    enum ct_err err;

    if (doc_type == NULL || strcmp(doc_type, "document") != 0)
        if (doc_type == NULL || strcmp(doc_type, "bill") != 0)
            return ct_req_fail(req, CT_E_NOTFOUND, NULL, "Unknown document type");
    if (s == NULL || s[0] == '-' || !ct_parse_i64(s, 1, INT64_MAX, id))
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "The operation doesn't exist");
    err = ct_doc_operation_visible(req->db, req->ident.partner_id, req->ident.subject, *id);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The operation doesn't exist");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the operation could not be read");
    return CT_OK;
}

static enum ct_err
reply_file(struct ct_req *req, const struct ct_document *d)
{
    unsigned char *data = NULL;
    size_t len = 0;
    char disp[CT_DOC_FILENAME_MAX + 40];
    enum ct_err err = ct_doc_read(ct_req_conf(req)->files_dir, d, &data, &len);

    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the file is unavailable");
    /* the stored name holds only [A-Za-z0-9._ -]: safe inside the quotes */
    (void)snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", d->filename);
    ct_reply_header(req, "Content-Disposition", disp);
    ct_reply_header(req, "X-Content-Type-Options", "nosniff");
    err = ct_reply_bytes(req, 200, ct_req_strdup(req, d->mime_type), data, len);
    free(data);
    return err;
}

/* Insert (or replace) the row, link it to an operation when asked, and drop what it replaces. */
static enum ct_err
save_unit(struct ct_db *db, void *arg)
{
    struct doc_ctx *c = arg;
    enum ct_err err;

    c->old_id = 0;
    if (c->replace)
        return ct_doc_replace(db, &c->doc);
    memset(&c->old, 0, sizeof(c->old)); /* a re-run starts over */
    err = ct_doc_insert(db, &c->doc);
    if (err == CT_OK && c->posting_id > 0)
        err = ct_doc_link(db, c->posting_id, "document", c->doc.id, &c->old_id);
    if (err == CT_OK && c->old_id > 0)
        err = ct_doc_get(db, c->doc.partner_id, c->doc.customer_id, c->old_id, &c->old);
    if (err == CT_E_NOTFOUND) { /* another customer's file on a shared account: keep it whole */
        err = CT_OK;
        memset(&c->old, 0, sizeof(c->old));
        c->old_id = 0;
    }
    if (err == CT_OK && c->old_id > 0)
        err = ct_doc_delete(db, c->old_id);
    return err;
}

/* The upload of the request's "file" part into c->doc: the file is written, then the row saved;
 * the new file goes if the unit fails, the replaced one (c->old) once it committed. */
static enum ct_err
upload_and_save(struct ct_req *req, struct doc_ctx *c, const char *failed)
{
    const char *dir = ct_req_conf(req)->files_dir;
    struct upload u;
    enum ct_err err;

    if (read_upload(req, &u) != CT_OK || store_upload(req, &u, &c->doc) != CT_OK)
        return CT_E_BADREQ;
    if (!c->replace)
        (void)snprintf(c->doc.type, sizeof(c->doc.type), "document");
    err = ct_db_txn(req->db, save_unit, c);
    if (err != CT_OK) {
        ct_doc_unlink(dir, c->doc.storage_name);
        return ct_req_fail(req, err, NULL, failed);
    }
    if (c->old.storage_name[0] != '\0')
        ct_doc_unlink(dir, c->old.storage_name);
    return CT_OK;
}

static enum ct_err
delete_unit(struct ct_db *db, void *arg)
{
    struct doc_ctx *c = arg;

    return ct_doc_delete(db, c->doc.id);
}

enum ct_err
banking_document_upload(struct ct_req *req)
{
    const char *type = ct_req_query(req, "type");
    struct doc_ctx c;

    memset(&c, 0, sizeof(c));
    if (type != NULL && strcmp(type, "document") != 0) {
        ct_req_field_error(req, "type", "must be document");
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameter");
    }
    if (upload_and_save(req, &c, "the document could not be saved") != CT_OK)
        return CT_E_BADREQ;
    return ct_reply_json(req, 200, ct_doc_json(&c.doc, NULL));
}

enum ct_err
banking_document_get(struct ct_req *req)
{
    struct ct_document d;
    int64_t id;
    enum ct_err err;

    if (doc_id(req, &id) != CT_OK)
        return CT_E_NOTFOUND;
    err = ct_doc_get(req->db, req->ident.partner_id, req->ident.subject, id, &d);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "The document doesn't exist");
    return reply_file(req, &d);
}

enum ct_err
banking_document_replace(struct ct_req *req)
{
    struct doc_ctx c;
    int64_t id;
    enum ct_err err;

    memset(&c, 0, sizeof(c));
    if (doc_id(req, &id) != CT_OK)
        return CT_E_NOTFOUND;
    err = ct_doc_get(req->db, req->ident.partner_id, req->ident.subject, id, &c.doc);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "The document doesn't exist");
    c.old = c.doc; /* the row keeps its id; its old file goes */
    c.replace = true;
    if (upload_and_save(req, &c, "The document doesn't exist") != CT_OK)
        return CT_E_BADREQ;
    return ct_reply_json(req, 200, ct_doc_json(&c.doc, NULL));
}

enum ct_err
banking_document_delete(struct ct_req *req)
{
    struct doc_ctx c;
    int64_t id;
    enum ct_err err;

    memset(&c, 0, sizeof(c));
    if (doc_id(req, &id) != CT_OK)
        return CT_E_NOTFOUND;
    err = ct_doc_get(req->db, req->ident.partner_id, req->ident.subject, id, &c.doc);
    if (err == CT_OK)
        err = ct_db_txn(req->db, delete_unit, &c);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "The document doesn't exist");
    ct_doc_unlink(ct_req_conf(req)->files_dir, c.doc.storage_name);
    return ct_reply_bytes(req, 204, "application/json", "", 0);
}

/* GET /operations/{id}/{documentType} and GET /operations/{id}/bill. */
static enum ct_err
operation_file(struct ct_req *req, const char *doc_type)
{
    struct ct_document d;
    int64_t id;
    enum ct_err err;

    if (op_id(req, doc_type, &id) != CT_OK)
        return CT_E_NOTFOUND;
    err = ct_doc_for_operation(req->db, id, doc_type, &d);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The operation has no such file");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the file could not be read");
    return reply_file(req, &d);
}

enum ct_err
banking_operation_document_get(struct ct_req *req)
{
    return operation_file(req, ct_req_path_arg(req, "documentType"));
}

enum ct_err
banking_operation_bill(struct ct_req *req)
{
    return operation_file(req, "bill");
}

enum ct_err
banking_operation_document_attach(struct ct_req *req)
{
    const char *type = ct_req_path_arg(req, "documentType");
    struct doc_ctx c;
    char url[64];

    memset(&c, 0, sizeof(c));
    if (type == NULL || strcmp(type, "document") != 0) /* the bill is the bank's to attach */
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "Unknown document type");
    if (op_id(req, type, &c.posting_id) != CT_OK)
        return CT_E_NOTFOUND;
    if (upload_and_save(req, &c, "the document could not be attached") != CT_OK)
        return CT_E_BADREQ;
    (void)snprintf(url, sizeof(url), "/operations/%lld/document", (long long)c.posting_id);
    return ct_reply_json(req, 201, ct_doc_json(&c.doc, url));
}

enum ct_err
banking_operation_document_delete(struct ct_req *req)
{
    const char *type = ct_req_path_arg(req, "documentType");
    struct doc_ctx c;
    int64_t id;
    enum ct_err err;

    memset(&c, 0, sizeof(c));
    if (type == NULL || strcmp(type, "document") != 0)
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "Unknown document type");
    if (op_id(req, type, &id) != CT_OK)
        return CT_E_NOTFOUND;
    err = ct_doc_for_operation(req->db, id, type, &c.doc);
    /* a declared third party sees the operation; it removes only what it attached itself */
    if (err == CT_OK && strcmp(c.doc.customer_id, req->ident.subject) != 0 &&
        !ct_doc_operation_owned(req->db, req->ident.subject, id))
        return ct_req_fail(req, CT_E_FORBIDDEN, NULL,
                           "Only the account's owner or who attached the document may remove it");
    if (err == CT_OK)
        err = ct_db_txn(req->db, delete_unit, &c);
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, "The operation or the document does not exist");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the document could not be deleted");
    ct_doc_unlink(ct_req_conf(req)->files_dir, c.doc.storage_name);
    return ct_reply_bytes(req, 204, "application/json", "", 0);
}
