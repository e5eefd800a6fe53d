/* ct_document.h - uploaded documents: content sniffing, safe names, files under files_dir, rows,
 * links to operations. Also the small file helpers statements use. */
#ifndef CT_DOCUMENT_H
#define CT_DOCUMENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"
#include "ct/ct_util.h"

#define CT_DOC_MAX_SIZE (10u * 1024 * 1024) /* 10 MiB per file */
#define CT_DOC_FILENAME_MAX 100

/* The MIME type the first bytes announce: "application/pdf" (%PDF-), "image/png" (the 8-byte
 * PNG signature) or "image/jpeg" (FF D8 FF); NULL for anything else. Static strings. */
const char *ct_doc_sniff(const void *data, size_t len);
/* Whether a declared Content-Type (parameters ignored, case-insensitive) names `sniffed`
 * ("image/jpg" and "image/pjpeg" count as image/jpeg). false for NULL or "". */
bool ct_doc_type_agrees(const char *declared, const char *sniffed);
/* A client's filename made harmless metadata: the last path component only (after '/' or '\\'),
 * characters outside [A-Za-z0-9._-] and space become '_', leading dots and spaces are dropped,
 * cut to CT_DOC_FILENAME_MAX bytes; "" or "." gives "document" + the extension of mime_type.
 * out holds CT_DOC_FILENAME_MAX + 1 bytes. Never used to build a path. */
void ct_doc_clean_filename(const char *in, const char *mime_type,
                           char out[CT_DOC_FILENAME_MAX + 1]);

/* Files. dir is created (0700, with its parents under files_dir) when missing; name must be a
 * plain file name we generated. The file appears whole or not at all (temporary file, fsync,
 * rename). CT_E_INTERNAL (logged) on any I/O failure. */
enum ct_err ct_file_write(const char *dir, const char *name, const void *data, size_t len);
/* Read a whole regular file of at most max bytes. On CT_OK *data (free()) holds *len bytes plus a
 * NUL. CT_E_NOTFOUND when it does not exist, CT_E_TOOBIG past max, CT_E_INTERNAL otherwise. */
enum ct_err ct_file_read(const char *path, size_t max, unsigned char **data, size_t *len);

struct ct_document {
    int64_t id;
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    char type[17];
    char filename[CT_DOC_FILENAME_MAX + 1];
    char mime_type[65];
    int64_t size;
    char sha256[65];
    char storage_name[CT_UUID_LEN + 1];
    char updated_at[32]; /* DATETIME(6) text */
};

/* Store the bytes under files_dir/documents/<new uuid> (d->storage_name), fill size, sha256 and
 * mime_type (sniffed; CT_E_RULE when not PDF/PNG/JPEG). Call before the row is written; on a
 * later failure ct_doc_unlink() the file. */
enum ct_err ct_doc_store_file(const char *files_dir, const void *data, size_t len,
                              struct ct_document *d);
void ct_doc_unlink(const char *files_dir, const char *storage_name); /* ignores a missing file */
/* The document's bytes, checked against its SHA-256 (CT_E_INTERNAL, logged, when altered). */
enum ct_err ct_doc_read(const char *files_dir, const struct ct_document *d, unsigned char **data,
                        size_t *len);

/* Rows. Insert fills d->id and updated_at. get: the customer's own document only (another
 * customer's or partner's is CT_E_NOTFOUND). replace: new file fields for d->id (the caller
 * unlinks the old file after the commit). delete: removes the row and any operation link. */
enum ct_err ct_doc_insert(struct ct_db *db, struct ct_document *d);
enum ct_err ct_doc_get(struct ct_db *db, int64_t partner_id, const char *customer_id, int64_t id,
                       struct ct_document *out);
enum ct_err ct_doc_replace(struct ct_db *db, struct ct_document *d);
enum ct_err ct_doc_delete(struct ct_db *db, int64_t id);

/* Operations (operation id = ledger_posting.id). Whether the customer may see the posting: it is
 * on a non-closed user balance of the partner that the customer owns or is a third party on (the
 * accounts GET /accounts lists). */
enum ct_err ct_doc_operation_visible(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                     int64_t posting_id);
/* Whether the customer owns the account of the operation (posting); a declared third party sees
 * the operation but does not own it. */
bool ct_doc_operation_owned(struct ct_db *db, const char *customer_id, int64_t posting_id);
/* The document linked to an operation as doc_type ("document" or "bill"); CT_E_NOTFOUND when
 * none. No ownership check: call ct_doc_operation_visible() first. */
enum ct_err ct_doc_for_operation(struct ct_db *db, int64_t posting_id, const char *doc_type,
                                 struct ct_document *out);
/* Link (replacing any previous link of that type: *old_id gets the unlinked document, 0 if
 * none) and unlink (CT_E_NOTFOUND when there was no link). */
enum ct_err ct_doc_link(struct ct_db *db, int64_t posting_id, const char *doc_type,
                        int64_t document_id, int64_t *old_id);
enum ct_err ct_doc_unlink_operation(struct ct_db *db, int64_t posting_id, const char *doc_type);

/* Seed 001 Document: {id, updated_at (Unix seconds), filename, mime_type, url}; url is
 * url_path when not NULL, else "/documents/{id}". */
struct json_object *ct_doc_json(const struct ct_document *d, const char *url_path);
/* Unix seconds of a DATETIME(6) text (UTC); 0 when unparsable. */
int64_t ct_db_time_unix(const char *db_text);

#endif /* CT_DOCUMENT_H */
