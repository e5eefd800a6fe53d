/* document.c - uploaded documents: sniffing, safe names, files under files_dir, rows, operation
 * links; and the file helpers statements share. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_document.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"

#define DOC_DIR "documents"

static enum ct_err make_dirs(const char *dir);
static enum ct_err write_all(int fd, const void *data, size_t len);
static void row_to_doc(const struct ct_rows *r, size_t i, struct ct_document *d);
static enum ct_err one_doc(enum ct_err err, struct ct_rows *r, struct ct_document *out);

const char *
ct_doc_sniff(const void *data, size_t len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    const unsigned char *p = data;

    if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return "application/pdf";
    if (len >= sizeof(png) && memcmp(p, png, sizeof(png)) == 0)
        return "image/png";
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    return NULL;
}

bool
ct_doc_type_agrees(const char *declared, const char *sniffed)
{
    size_t n;

    if (declared == NULL || sniffed == NULL)
        return false;
    while (*declared == ' ')
        declared++;
    n = strcspn(declared, "; \t");
    if (n == strlen(sniffed) && strncasecmp(declared, sniffed, n) == 0)
        return true;
    return strcmp(sniffed, "image/jpeg") == 0 &&
           ((n == 9 && strncasecmp(declared, "image/jpg", 9) == 0) ||
            (n == 11 && strncasecmp(declared, "image/pjpeg", 11) == 0));
}

void
ct_doc_clean_filename(const char *in, const char *mime_type, char out[CT_DOC_FILENAME_MAX + 1])
{
    const char *base = in != NULL ? in : "", *s;
    size_t o = 0;

    for (s = base; *s != '\0'; s++)
        if (*s == '/' || *s == '\\')
            base = s + 1;
    while (*base == '.' || *base == ' ')
        base++;
    for (s = base; *s != '\0' && o < CT_DOC_FILENAME_MAX; s++) {
        unsigned char c = (unsigned char)*s;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == ' ';

        out[o++] = keep ? (char)c : '_';
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
        o--;
    out[o] = '\0';
    if (o == 0) {
        const char *ext = mime_type == NULL                           ? ""
                          : strcmp(mime_type, "application/pdf") == 0 ? ".pdf"
                          : strcmp(mime_type, "image/png") == 0       ? ".png"
                          : strcmp(mime_type, "image/jpeg") == 0      ? ".jpg"
                                                                      : "";

        (void)snprintf(out, CT_DOC_FILENAME_MAX + 1, "document%s", ext);
    }
}

/* mkdir -p for our own directories (under files_dir), 0700. */
static enum ct_err
make_dirs(const char *dir)
{
    char path[512];
    size_t i, n = strlen(dir);

    if (n == 0 || n >= sizeof(path))
        return CT_E_INTERNAL;
    memcpy(path, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            ct_log(LOG_ERR, "cannot create %s: %s", path, strerror(errno));
            return CT_E_INTERNAL;
        }
        path[i] = i < n ? '/' : '\0';
    }
    return CT_OK;
}

static enum ct_err
write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t w = write(fd, p, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return CT_E_INTERNAL;
        p += w;
        len -= (size_t)w;
    }
    return CT_OK;
}

enum ct_err
ct_file_write(const char *dir, const char *name, const void *data, size_t len)
{
    char tmp[600], path[600], id[CT_UUID_LEN + 1];
    int fd = -1, n1, n2;
    enum ct_err err;

    if (strchr(name, '/') != NULL || name[0] == '.' || ct_uuid_new(id) != CT_OK)
        return CT_E_INTERNAL;
    n1 = snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, id);
    n2 = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(tmp) || (size_t)n2 >= sizeof(path))
        return CT_E_INTERNAL;
    err = make_dirs(dir);
    if (err != CT_OK)
        return err;
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        ct_log(LOG_ERR, "cannot create %s: %s", tmp, strerror(errno));
        return CT_E_INTERNAL;
    }
    err = write_all(fd, data, len);
    if (err == CT_OK && fsync(fd) != 0)
        err = CT_E_INTERNAL;
    if (close(fd) != 0)
        err = CT_E_INTERNAL;
    if (err == CT_OK && rename(tmp, path) != 0)
        err = CT_E_INTERNAL;
    if (err != CT_OK) {
        ct_log(LOG_ERR, "cannot write %s: %s", path, strerror(errno));
        (void)unlink(tmp);
    }
    return err;
}

enum ct_err
ct_file_read(const char *path, size_t max, unsigned char **data, size_t *len)
{
    struct stat sb;
    unsigned char *buf = NULL;
    size_t got = 0;
    enum ct_err err = CT_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0)
        return errno == ENOENT ? CT_E_NOTFOUND : CT_E_INTERNAL;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        err = CT_E_INTERNAL;
        goto out;
    }
    if ((uint64_t)sb.st_size > max) {
        err = CT_E_TOOBIG;
        goto out;
    }
    buf = ct_malloc((size_t)sb.st_size + 1);
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            err = CT_E_INTERNAL; /* shrank under us, or an I/O error */
            goto out;
        }
        got += (size_t)r;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return err;
}

enum ct_err
ct_doc_store_file(const char *files_dir, const void *data, size_t len, struct ct_document *d)
{
    const char *type = ct_doc_sniff(data, len);
    unsigned char h[32];
    char dir[400];
    int n;

    if (type == NULL)
        return CT_E_RULE;
    if (len > CT_DOC_MAX_SIZE)
        return CT_E_TOOBIG;
    n = snprintf(dir, sizeof(dir), "%s/" DOC_DIR, files_dir);
    if (n < 0 || (size_t)n >= sizeof(dir) || ct_uuid_new(d->storage_name) != CT_OK)
        return CT_E_INTERNAL;
    (void)snprintf(d->mime_type, sizeof(d->mime_type), "%s", type);
    d->size = (int64_t)len;
    ct_sha256(data, len, h);
    ct_hex(h, 32, d->sha256);
    return ct_file_write(dir, d->storage_name, data, len);
}

void
ct_doc_unlink(const char *files_dir, const char *storage_name)
{
    char path[600];
    int n;

    if (!ct_uuid_valid(storage_name))
        return; /* only names we generated */
    n = snprintf(path, sizeof(path), "%s/" DOC_DIR "/%s", files_dir, storage_name);
    if (n > 0 && (size_t)n < sizeof(path) && unlink(path) != 0 && errno != ENOENT)
        ct_log(LOG_WARNING, "cannot remove document file %s: %s", storage_name, strerror(errno));
}

enum ct_err
ct_doc_read(const char *files_dir, const struct ct_document *d, unsigned char **data, size_t *len)
{
    char path[600], hex[65];
    unsigned char h[32], *buf = NULL;
    size_t n = 0;
    int k;
    enum ct_err err;

    if (!ct_uuid_valid(d->storage_name))
        return CT_E_INTERNAL;
    k = snprintf(path, sizeof(path), "%s/" DOC_DIR "/%s", files_dir, d->storage_name);
    if (k < 0 || (size_t)k >= sizeof(path))
        return CT_E_INTERNAL;
    err = ct_file_read(path, CT_DOC_MAX_SIZE, &buf, &n);
    if (err != CT_OK) {
        ct_log(LOG_ERR, "document %lld: file unreadable", (long long)d->id);
        return CT_E_INTERNAL;
    }
    ct_sha256(buf, n, h);
    ct_hex(h, 32, hex);
    if (strcmp(hex, d->sha256) != 0) {
        ct_log(LOG_ERR, "document %lld: file does not match its SHA-256", (long long)d->id);
        free(buf);
        return CT_E_INTERNAL;
    }
    *data = buf;
    *len = n;
    return CT_OK;
}

#define DOC_COLS                                                                                   \
    "d.id, d.partner_id, d.customer_id, d.type, d.filename, d.mime_type, d.size, d.sha256, "       \
    "d.storage_name, d.updated_at "

static void
row_to_doc(const struct ct_rows *r, size_t i, struct ct_document *d)
{
    memset(d, 0, sizeof(*d));
    (void)ct_rows_i64(r, i, 0, &d->id);
    (void)ct_rows_i64(r, i, 1, &d->partner_id);
    (void)snprintf(d->customer_id, sizeof(d->customer_id), "%s", ct_rows_str(r, i, 2));
    (void)snprintf(d->type, sizeof(d->type), "%s", ct_rows_str(r, i, 3));
    (void)snprintf(d->filename, sizeof(d->filename), "%s", ct_rows_str(r, i, 4));
    (void)snprintf(d->mime_type, sizeof(d->mime_type), "%s", ct_rows_str(r, i, 5));
    (void)ct_rows_i64(r, i, 6, &d->size);
    (void)snprintf(d->sha256, sizeof(d->sha256), "%s", ct_rows_str(r, i, 7));
    (void)snprintf(d->storage_name, sizeof(d->storage_name), "%s", ct_rows_str(r, i, 8));
    (void)snprintf(d->updated_at, sizeof(d->updated_at), "%s", ct_rows_str(r, i, 9));
}

/* The one document a query found (CT_E_NOTFOUND for none); frees the rows. */
static enum ct_err
one_doc(enum ct_err err, struct ct_rows *r, struct ct_document *out)
{
    if (err == CT_OK && ct_rows_count(r) != 1)
        err = CT_E_NOTFOUND;
    if (err == CT_OK)
        row_to_doc(r, 0, out);
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_doc_insert(struct ct_db *db, struct ct_document *d)
{
    static const char sql[] = "INSERT INTO document (partner_id, customer_id, type, filename, "
                              "mime_type, size, sha256, storage_name, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    enum ct_err err;

    ct_time_to_db(ct_now_usec(), d->updated_at);
    err = ct_db_exec(db, sql, NULL,
                     "lssssl"
                     "ssss",
                     d->partner_id, d->customer_id, d->type, d->filename, d->mime_type, d->size,
                     d->sha256, d->storage_name, d->updated_at, d->updated_at);
    if (err == CT_OK)
        d->id = ct_db_last_id(db);
    return err;
}

enum ct_err
ct_doc_get(struct ct_db *db, int64_t partner_id, const char *customer_id, int64_t id,
           struct ct_document *out)
{
    static const char sql[] = "SELECT " DOC_COLS "FROM document d WHERE d.id = ? "
                              "AND d.partner_id = ? AND d.customer_id = ?";
    struct ct_rows *r = NULL;
    enum ct_err err = ct_db_query(db, sql, &r, "lls", id, partner_id, customer_id);

    return one_doc(err, r, out);
}

enum ct_err
ct_doc_replace(struct ct_db *db, struct ct_document *d)
{
    static const char sql[] = "UPDATE document SET filename = ?, mime_type = ?, size = ?, "
                              "sha256 = ?, storage_name = ?, updated_at = ? WHERE id = ?";
    uint64_t n = 0;
    enum ct_err err;

    ct_time_to_db(ct_now_usec(), d->updated_at);
    err = ct_db_exec(db, sql, &n, "sslsssl", d->filename, d->mime_type, d->size, d->sha256,
                     d->storage_name, d->updated_at, d->id);
    return err == CT_OK && n != 1 ? CT_E_NOTFOUND : err;
}

enum ct_err
ct_doc_delete(struct ct_db *db, int64_t id)
{
    static const char sql_links[] = "SELECT posting_id, doc_type FROM operation_document "
                                    "WHERE document_id = ?";
    static const char sql_del[] = "DELETE FROM document WHERE id = ?";
    struct ct_rows *r = NULL;
    int64_t posting = 0;
    uint64_t n = 0;
    enum ct_err err = ct_db_query(db, sql_links, &r, "l", id);

    if (err == CT_OK && ct_rows_count(r) == 1 && ct_rows_i64(r, 0, 0, &posting))
        err = ct_doc_unlink_operation(db, posting, ct_rows_str(r, 0, 1));
    if (err == CT_OK)
        err = ct_db_exec(db, sql_del, &n, "l", id);
    ct_rows_free(r);
    return err == CT_OK && n != 1 ? CT_E_NOTFOUND : err;
}

enum ct_err
ct_doc_operation_visible(struct ct_db *db, int64_t partner_id, const char *customer_id,
                         int64_t posting_id)
{
    static const char sql[] = "SELECT 1 FROM ledger_posting p JOIN balance b "
                              "ON b.account_id = p.account_id WHERE p.id = ? AND b.partner_id = ? "
                              "AND b.status <> 'closed' AND (b.customer_id = ? OR EXISTS (SELECT 1 "
                              "FROM balance_third_party "
                              "t WHERE t.balance_id = b.id AND t.customer_id = ?))";
    struct ct_rows *r = NULL;
    enum ct_err err =
        ct_db_query(db, sql, &r, "llss", posting_id, partner_id, customer_id, customer_id);

    if (err == CT_OK && ct_rows_count(r) != 1)
        err = CT_E_NOTFOUND;
    ct_rows_free(r);
    return err;
}

bool
ct_doc_operation_owned(struct ct_db *db, const char *customer_id, int64_t posting_id)
{
    static const char sql[] = "SELECT 1 FROM ledger_posting p JOIN balance b "
                              "ON b.account_id = p.account_id WHERE p.id = ? AND b.customer_id = ?";
    struct ct_rows *r = NULL;
    bool owned =
        ct_db_query(db, sql, &r, "ls", posting_id, customer_id) == CT_OK && ct_rows_count(r) == 1;

    ct_rows_free(r);
    return owned;
}

enum ct_err
ct_doc_for_operation(struct ct_db *db, int64_t posting_id, const char *doc_type,
                     struct ct_document *out)
{
    static const char sql[] = "SELECT " DOC_COLS "FROM operation_document o "
                              "JOIN document d ON d.id = o.document_id "
                              "WHERE o.posting_id = ? AND o.doc_type = ?";
    struct ct_rows *r = NULL;
    enum ct_err err = ct_db_query(db, sql, &r, "ls", posting_id, doc_type);

    return one_doc(err, r, out);
}

enum ct_err
ct_doc_link(struct ct_db *db, int64_t posting_id, const char *doc_type, int64_t document_id,
            int64_t *old_id)
{
    static const char sql_old[] = "SELECT document_id FROM operation_document "
                                  "WHERE posting_id = ? AND doc_type = ? FOR UPDATE";
    static const char sql_set[] =
        "INSERT INTO operation_document (posting_id, doc_type, document_id) VALUES (?, ?, ?) "
        "ON DUPLICATE KEY UPDATE document_id = VALUES(document_id), created_at = NOW(6)";
    struct ct_rows *r = NULL;
    int64_t old = 0;
    enum ct_err err = ct_db_query(db, sql_old, &r, "ls", posting_id, doc_type);

    if (err == CT_OK && ct_rows_count(r) == 1)
        (void)ct_rows_i64(r, 0, 0, &old);
    ct_rows_free(r);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_set, NULL, "lsl", posting_id, doc_type, document_id);
    if (err == CT_OK)
        *old_id = old;
    return err;
}

enum ct_err
ct_doc_unlink_operation(struct ct_db *db, int64_t posting_id, const char *doc_type)
{
    static const char sql[] = "DELETE FROM operation_document WHERE posting_id = ? "
                              "AND doc_type = ?";
    uint64_t n = 0;
    enum ct_err err = ct_db_exec(db, sql, &n, "ls", posting_id, doc_type);

    return err == CT_OK && n != 1 ? CT_E_NOTFOUND : err;
}

int64_t
ct_db_time_unix(const char *db_text)
{
    struct tm tm;
    char *end;

    if (db_text == NULL)
        return 0;
    memset(&tm, 0, sizeof(tm));
    end = strptime(db_text, "%Y-%m-%d %H:%M:%S", &tm);
    if (end == NULL)
        return 0;
    return (int64_t)timegm(&tm);
}

struct json_object *
ct_doc_json(const struct ct_document *d, const char *url_path)
{
    struct json_object *o = json_object_new_object();
    char url[64];

    (void)snprintf(url, sizeof(url), "/documents/%lld", (long long)d->id);
    json_object_object_add(o, "id", json_object_new_int64(d->id));
    json_object_object_add(o, "updated_at", json_object_new_int64(ct_db_time_unix(d->updated_at)));
    json_object_object_add(o, "filename", json_object_new_string(d->filename));
    json_object_object_add(o, "mime_type", json_object_new_string(d->mime_type));
    json_object_object_add(o, "url", json_object_new_string(url_path != NULL ? url_path : url));
    return o;
}
