/* statements.c - GET /statements (seed 001 Statement), the statement PDF, several as a ZIP, and
 * camt.053 (?format=camt053). Statements are made by comptoir-statements; these only read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_buf.h"
#include "ct/ct_conf.h"
#include "ct/ct_document.h"
#include "ct/ct_statement.h"
#include "ct/ct_zip.h"
#include "banking.h"

#define STMT_PAGE 50
#define STMT_PAGE_MAX 200
#define STMT_MAX_IDS 100
#define ZIP_CAP (256u << 20)

static bool parse_ids(const char *text, int64_t *ids, size_t max, size_t *n);
static enum ct_err format_of(struct ct_req *req, const char **kind, const char **type);
static enum ct_err reply_one(struct ct_req *req, const struct ct_stmt *st, const char *kind,
                             const char *type);
static enum ct_err reply_zip(struct ct_req *req, const struct ct_stmt *sts, size_t n,
                             const char *kind);

/* "12" or "12,13,40": positive integers, no spaces, no empty items; duplicates dropped. */
static bool
parse_ids(const char *text, int64_t *ids, size_t max, size_t *n)
{
    const char *p = text;
    size_t count = 0, i;

    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char item[24];
        int64_t v;
        bool dup = false;

        if (len == 0 || len >= sizeof(item))
            return false;
        memcpy(item, p, len);
        item[len] = '\0';
        if (item[0] == '-' || !ct_parse_i64(item, 1, INT64_MAX, &v))
            return false;
        for (i = 0; i < count; i++)
            dup = dup || ids[i] == v;
        if (!dup) {
            if (count == max)
                return false;
            ids[count++] = v;
        }
        p = comma != NULL ? comma + 1 : NULL;
        if (p != NULL && *p == '\0')
            return false; /* trailing comma */
    }
    *n = count;
    return count > 0;
}

/* ?format= absent or "pdf": the PDF; "camt053": the camt.053.001.08 XML. */
static enum ct_err
format_of(struct ct_req *req, const char **kind, const char **type)
{
    const char *f = ct_req_query(req, "format");

    if (f == NULL || strcmp(f, "pdf") == 0) {
        *kind = "pdf";
        *type = "application/pdf";
        return CT_OK;
    }
    if (strcmp(f, "camt053") == 0 || strcmp(f, "camt.053") == 0) {
        *kind = "xml";
        *type = "application/xml";
        return CT_OK;
    }
    ct_req_field_error(req, "format", "must be pdf or camt053");
    return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameter");
}

enum ct_err
banking_statement_list(struct ct_req *req)
{
    const char *y = ct_req_query(req, "year");
    struct ct_stmt *items = NULL;
    struct json_object *arr;
    int64_t year = 0, page, per_page, total = 0;
    size_t n = 0, i;
    enum ct_err err;

    if (y != NULL && !ct_parse_i64(y, 1970, 9999, &year))
        ct_req_field_error(req, "year", "must be a year such as 2026");
    if (!ct_req_page(req, STMT_PAGE, STMT_PAGE_MAX, &page, &per_page) || ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = ct_stmt_list(req->db, req->ident.partner_id, req->ident.subject, (int)year, page,
                       per_page, &items, &n, &total);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "statements could not be listed");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_stmt_json(&items[i]));
    free(items);
    ct_reply_pagination(req, total, page, per_page);
    return ct_reply_json(req, 200, arr);
}

static enum ct_err
reply_one(struct ct_req *req, const struct ct_stmt *st, const char *kind, const char *type)
{
    unsigned char *data = NULL;
    size_t len = 0;
    char name[64], disp[96];
    enum ct_err err = ct_stmt_read_file(ct_req_conf(req)->files_dir, st, kind, &data, &len);

    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the statement file is unavailable");
    ct_stmt_filename(st, kind, name);
    (void)snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
    ct_reply_header(req, "Content-Disposition", disp);
    err = ct_reply_bytes(req, 200, type, data, len);
    free(data);
    return err;
}

static enum ct_err
reply_zip(struct ct_req *req, const struct ct_stmt *sts, size_t n, const char *kind)
{
    struct ct_buf out;
    struct ct_zip z;
    char name[64];
    size_t i;
    enum ct_err err = CT_OK;

    ct_buf_init(&out, ZIP_CAP);
    ct_zip_init(&z, &out);
    for (i = 0; i < n && err == CT_OK; i++) {
        unsigned char *data = NULL;
        size_t len = 0;

        err = ct_stmt_read_file(ct_req_conf(req)->files_dir, &sts[i], kind, &data, &len);
        ct_stmt_filename(&sts[i], kind, name);
        if (err == CT_OK)
            err = ct_zip_add(&z, name, data, len, ct_db_time_unix(sts[i].generated_at));
        free(data);
    }
    if (err == CT_OK)
        err = ct_zip_finish(&z);
    ct_zip_free(&z);
    if (err == CT_OK) {
        ct_reply_header(req, "Content-Disposition", "attachment; filename=\"statements.zip\"");
        err = ct_reply_bytes(req, 200, "application/zip", ct_buf_str(&out), ct_buf_len(&out));
    } else {
        err = ct_req_fail(req, err == CT_E_TOOBIG ? CT_E_INTERNAL : err, NULL,
                          "the statements could not be packed");
    }
    ct_buf_free(&out);
    return err;
}

/* GET /statements/{id}/document and /statements/{id},{id}.../document. */
enum ct_err
banking_statement_document(struct ct_req *req)
{
    int64_t ids[STMT_MAX_IDS];
    struct ct_stmt *sts;
    const char *kind = NULL, *type = NULL;
    size_t n = 0, i;
    enum ct_err err;

    if (!parse_ids(ct_req_path_arg(req, "id"), ids, STMT_MAX_IDS, &n))
        return ct_req_fail(req, CT_E_NOTFOUND, NULL, "Not Found");
    if (format_of(req, &kind, &type) != CT_OK)
        return CT_E_RULE;
    sts = ct_req_alloc(req, n * sizeof(*sts));
    for (i = 0; i < n; i++) {
        err = ct_stmt_get(req->db, req->ident.partner_id, req->ident.subject, ids[i], &sts[i]);
        if (err == CT_E_NOTFOUND)
            return ct_req_fail(req, err, NULL, "Not Found");
        if (err != CT_OK)
            return ct_req_fail(req, err, NULL, "the statement could not be read");
    }
    if (n == 1 && strchr(ct_req_path_arg(req, "id"), ',') == NULL)
        return reply_one(req, &sts[0], kind, type);
    return reply_zip(req, sts, n, kind);
}
