/* db.c - the worker's one MariaDB connection: statement cache, text row sets, retried units. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <openssl/crypto.h>

#include "ct/ct_buf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_util.h"

#define CT_DB_MAX_PARAMS 32       /* '?' per statement */
#define CT_DB_CACHE_SLOTS 64      /* initial statement cache size, a power of two */
#define CT_DB_CELL_BYTES 64       /* bytes bound per column; longer values use fetch_column */
#define CT_DB_LAST_MAX (1u << 20) /* a unit's last statement as text, parameters included */
#define CT_DB_CELL_MAX 65536      /* never pre-bind more than this per column */
#define CT_DB_PASSWORD_MAX 512
#define CT_DB_NO_CELL SIZE_MAX /* offset of an SQL NULL cell */

struct stmt_slot {
    const char *sql; /* the key: the address of a static const char[] */
    MYSQL_STMT *st;
};

struct ct_db {
    MYSQL *conn;
    struct ct_conf conf; /* copy of what the connection needs: socket, names, retries */
    struct stmt_slot *slots;
    size_t nslots; /* power of two */
    size_t used;
    int64_t last_id;
    unsigned last_errno;
    bool broken; /* connection lost: reconnect before the next unit of work */
    bool in_txn; /* inside ct_db_txn */
    bool doomed; /* the open transaction was aborted (deadlock, lock wait, lost connection) */
    bool start_pending;  /* in a unit whose START TRANSACTION is not sent yet */
    struct ct_buf last;  /* the unit's last statement as text, sent with its COMMIT; empty: none */
    struct ct_buf text;  /* the batch being sent; kept to spare an allocation per batch */
    struct ct_buf batch; /* statements of ct_db_batch_add, ';'-separated, not sent yet */
    int batch_n;         /* how many */
    uint32_t rng;        /* back-off jitter */
};

struct ct_rows {
    size_t nrows;
    size_t ncols;
    size_t *off; /* nrows * ncols offsets into text, CT_DB_NO_CELL for NULL */
    char *text;  /* NUL-terminated cells back to back */
    size_t len;
    size_t cap;
};

/* Bound parameters, converted from the variadic list once so a re-prepare can re-bind them. */
struct params {
    unsigned n;
    MYSQL_BIND b[CT_DB_MAX_PARAMS];
    int64_t l[CT_DB_MAX_PARAMS];
    int i[CT_DB_MAX_PARAMS];
    unsigned long len[CT_DB_MAX_PARAMS];
};

/* One fetched column while reading a result. */
struct col {
    char *buf;
    unsigned long cap;
    unsigned long len;
    my_bool is_null;
    my_bool error;
};

static enum ct_err db_connect(struct ct_db *db);
static void db_disconnect(struct ct_db *db);
static bool read_password(const char *path, char *pw, size_t pwsz);
static enum ct_err db_fail(struct ct_db *db, unsigned no, const char *msg, const char *sql);
static enum ct_err db_usable(struct ct_db *db);
static enum ct_err stmt_prepare(struct ct_db *db, const char *sql, MYSQL_STMT **out);
static enum ct_err stmt_get(struct ct_db *db, const char *sql, MYSQL_STMT **out);
static void stmt_evict(struct ct_db *db, const char *sql);
static void cache_grow(struct ct_db *db);
static size_t slot_of(const struct ct_db *db, const char *sql);
static enum ct_err params_bind(struct params *p, const char *fmt, va_list ap);
static enum ct_err run(struct ct_db *db, const char *sql, struct params *p, MYSQL_STMT **out);
static enum ct_err query_va(struct ct_db *db, const char *sql, struct ct_rows **out,
                            const char *fmt, va_list ap);
static enum ct_err run_va(struct ct_db *db, const char *sql, const char *fmt, va_list ap,
                          MYSQL_STMT **st);
static enum ct_err fetch_all(struct ct_db *db, MYSQL_STMT *st, const char *sql,
                             struct ct_rows **out);
static enum ct_err fetch_row(struct ct_db *db, MYSQL_STMT *st, const char *sql, struct col *cols,
                             struct ct_rows *r, size_t row);
static void rows_reserve(struct ct_rows *r, size_t more);
static enum ct_err txn_once(struct ct_db *db, ct_txn_fn fn, void *ctx);
static enum ct_err txn_commit(struct ct_db *db);
static void txn_rollback(struct ct_db *db);
static void backoff(struct ct_db *db, int attempt);
static bool lost_connection(unsigned no);
static enum ct_err render(struct ct_db *db, const char *sql, const struct params *p,
                          struct ct_buf *out);
static enum ct_err batch_results(struct ct_db *db, int rc, int n, int *failed,
                                 struct ct_rows *last);
static enum ct_err batch_begin(struct ct_db *db);
static enum ct_err batch_send(struct ct_db *db, int n, bool start, const char *what,
                              struct ct_rows *last);
static enum ct_err exec_with_start(struct ct_db *db, const char *sql, struct params *p,
                                   uint64_t *affected);
static enum ct_err commit_with_last(struct ct_db *db);
static void rows_from_result(MYSQL_RES *res, struct ct_rows *r);

/* ---- connection ---------------------------------------------------------------------------- */

enum ct_err
ct_db_open(const struct ct_conf *conf, struct ct_db **out)
{
    struct ct_db *db = NULL;
    enum ct_err err;

    if (conf == NULL || out == NULL)
        return CT_E_INTERNAL;
    db = ct_calloc(1, sizeof(*db));
    db->conf = *conf;
    db->nslots = CT_DB_CACHE_SLOTS;
    db->slots = ct_calloc(db->nslots, sizeof(*db->slots));
    db->rng = (uint32_t)getpid() ^ (uint32_t)time(NULL) ^ 0x9e3779b9u;
    ct_buf_init(&db->last, CT_DB_LAST_MAX);
    ct_buf_init(&db->text, CT_DB_LAST_MAX + 64);
    ct_buf_init(&db->batch, CT_DB_LAST_MAX);
    err = db_connect(db);
    if (err != CT_OK) {
        ct_db_close(db);
        return err;
    }
    *out = db;
    return CT_OK;
}

void
ct_db_close(struct ct_db *db)
{
    if (db == NULL)
        return;
    db_disconnect(db);
    ct_buf_free(&db->last);
    ct_buf_free(&db->text);
    ct_buf_free(&db->batch);
    free(db->slots);
    free(db);
}

static bool
read_password(const char *path, char *pw, size_t pwsz)
{
    FILE *f = fopen(path, "re");
    size_t n;
    bool ok = false;

    if (f == NULL) {
        ct_log(LOG_ERR, "db: cannot open password file %s: %s", path, strerror(errno));
        return false;
    }
    n = fread(pw, 1, pwsz - 1, f);
    if (ferror(f) || (n == pwsz - 1 && fgetc(f) != EOF)) {
        ct_log(LOG_ERR, "db: cannot read password file %s (error or too long)", path);
        goto out;
    }
    pw[n] = '\0';
    /* The first line is the password; a trailing newline is not part of it. */
    pw[strcspn(pw, "\r\n")] = '\0';
    ok = true;
out:
    if (fclose(f) != 0)
        ok = false;
    return ok;
}

static enum ct_err
db_connect(struct ct_db *db)
{
    static const char init_tz[] = "SET time_zone = '+00:00'";
    static const char init_iso[] = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    const struct ct_conf *c = &db->conf;
    unsigned int proto = MYSQL_PROTOCOL_SOCKET;
    unsigned int timeout = 5;
    char pw[CT_DB_PASSWORD_MAX];
    bool have_pw = c->db_password_file[0] != '\0';
    enum ct_err err = CT_E_BUSY;
    MYSQL *m = mysql_init(NULL);

    if (m == NULL) {
        ct_log(LOG_ERR, "db: mysql_init failed");
        return CT_E_INTERNAL;
    }
    if (have_pw && !read_password(c->db_password_file, pw, sizeof(pw))) {
        err = CT_E_INTERNAL;
        goto out;
    }
    if (mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0 ||
        mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto) != 0 ||
        mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) != 0 ||
        mysql_optionsv(m, MYSQL_INIT_COMMAND, init_tz) != 0 ||
        mysql_optionsv(m, MYSQL_INIT_COMMAND, init_iso) != 0) {
        ct_log(LOG_ERR, "db: cannot set connection options");
        err = CT_E_INTERNAL;
        goto out;
    }
    /* Multi-statements only for the batches of this file (a unit's START with its first write,
     * its last write with COMMIT); every other statement is prepared and cannot carry two. */
    if (mysql_real_connect(m, "localhost", c->db_user, have_pw ? pw : NULL, c->db_name, 0,
                           c->db_socket[0] != '\0' ? c->db_socket : NULL,
                           CLIENT_MULTI_STATEMENTS) == NULL) {
        ct_log(LOG_ERR, "db: cannot connect to %s as %s: %u %s", c->db_socket, c->db_user,
               mysql_errno(m), mysql_error(m));
        /* A refused login or unknown database will not heal by retrying. */
        err = lost_connection(mysql_errno(m)) || mysql_errno(m) == CR_CONNECTION_ERROR
                  ? CT_E_BUSY
                  : CT_E_INTERNAL;
        goto out;
    }
    /* Autocommit on: a read outside a unit of work is a transaction of its own, so an idle
     * worker holds no open transaction and no metadata lock that would stall a migration's DDL.
     * A unit of work starts its transaction explicitly (txn_once). */
    if (mysql_autocommit(m, 1) != 0) {
        ct_log(LOG_ERR, "db: cannot turn autocommit on: %s", mysql_error(m));
        err = CT_E_INTERNAL;
        goto out;
    }
    db->conn = m;
    m = NULL;
    db->broken = false;
    err = CT_OK;
out:
    OPENSSL_cleanse(pw, sizeof(pw));
    if (m != NULL)
        mysql_close(m);
    return err;
}

/* Closes every cached statement and the connection; the cache is empty afterwards. */
static void
db_disconnect(struct ct_db *db)
{
    size_t i;

    for (i = 0; i < db->nslots; i++) {
        if (db->slots[i].st != NULL)
            mysql_stmt_close(db->slots[i].st);
        db->slots[i].st = NULL;
        db->slots[i].sql = NULL;
    }
    db->used = 0;
    if (db->conn != NULL)
        mysql_close(db->conn);
    db->conn = NULL;
}

static bool
lost_connection(unsigned no)
{
    return no == CR_SERVER_GONE_ERROR || no == CR_SERVER_LOST || no == CR_SERVER_LOST_EXTENDED;
}

/* The one place server and client error numbers become enum ct_err. */
static enum ct_err
db_fail(struct ct_db *db, unsigned no, const char *msg, const char *sql)
{
    db->last_errno = no;
    if (no == ER_DUP_ENTRY)
        return CT_E_CONFLICT;
    if (no == ER_LOCK_DEADLOCK || no == ER_LOCK_WAIT_TIMEOUT) {
        /* A deadlock has rolled the whole transaction back; a lock wait timeout only the
         * statement, but the unit is re-run from the start either way. */
        ct_log(LOG_INFO, "db: %u %s (%.60s)", no, msg, sql);
        if (db->in_txn)
            db->doomed = true;
        return CT_E_BUSY;
    }
    if (lost_connection(no)) {
        ct_log(LOG_WARNING, "db: connection lost: %u %s (%.60s)", no, msg, sql);
        db->broken = true;
        if (db->in_txn)
            db->doomed = true;
        return CT_E_BUSY;
    }
    ct_log(LOG_ERR, "db: statement failed: %u %s (%.80s)", no, msg, sql);
    return CT_E_INTERNAL;
}

/* Before a statement: a statement of a doomed transaction must not run (it would start a new
 * implicit transaction that COMMIT would then make durable on its own); outside a unit of work a
 * lost connection is re-established here. */
static enum ct_err
db_usable(struct ct_db *db)
{
    if (db->in_txn && db->doomed)
        return CT_E_BUSY;
    if (db->broken || db->conn == NULL) {
        if (db->in_txn)
            return CT_E_BUSY;
        db_disconnect(db);
        return db_connect(db);
    }
    return CT_OK;
}

/* ---- statement cache ----------------------------------------------------------------------- */

static size_t
slot_of(const struct ct_db *db, const char *sql)
{
    uint64_t h = (uint64_t)(uintptr_t)sql * UINT64_C(0x9e3779b97f4a7c15);
    size_t i = (size_t)(h >> 32) & (db->nslots - 1);

    while (db->slots[i].sql != NULL && db->slots[i].sql != sql)
        i = (i + 1) & (db->nslots - 1);
    return i;
}

static void
cache_grow(struct ct_db *db)
{
    struct stmt_slot *old = db->slots;
    size_t oldn = db->nslots;
    size_t i;

    db->nslots = oldn * 2;
    db->slots = ct_calloc(db->nslots, sizeof(*db->slots));
    for (i = 0; i < oldn; i++) {
        if (old[i].sql != NULL)
            db->slots[slot_of(db, old[i].sql)] = old[i];
    }
    free(old);
}

static enum ct_err
stmt_prepare(struct ct_db *db, const char *sql, MYSQL_STMT **out)
{
    my_bool on = 1;
    MYSQL_STMT *st = mysql_stmt_init(db->conn);
    enum ct_err err;

    if (st == NULL)
        return db_fail(db, mysql_errno(db->conn), mysql_error(db->conn), sql);
    /* With max_length filled in by store_result most long values fit the first bind. */
    if (mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on) != 0 ||
        mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
        err = db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        mysql_stmt_close(st);
        return err;
    }
    *out = st;
    return CT_OK;
}

static enum ct_err
stmt_get(struct ct_db *db, const char *sql, MYSQL_STMT **out)
{
    size_t i = slot_of(db, sql);
    enum ct_err err;

    if (db->slots[i].sql == NULL) {
        err = stmt_prepare(db, sql, &db->slots[i].st);
        if (err != CT_OK)
            return err;
        db->slots[i].sql = sql;
        *out = db->slots[i].st;
        if (++db->used * 2 > db->nslots)
            cache_grow(db);
        return CT_OK;
    }
    *out = db->slots[i].st;
    return CT_OK;
}

/* Drops one statement (after ER_NEED_REPREPARE) by rebuilding the probe chain without it. */
static void
stmt_evict(struct ct_db *db, const char *sql)
{
    struct stmt_slot *old = db->slots;
    size_t i;

    db->slots = ct_calloc(db->nslots, sizeof(*db->slots));
    db->used = 0;
    for (i = 0; i < db->nslots; i++) {
        if (old[i].sql == NULL)
            continue;
        if (old[i].sql == sql) {
            mysql_stmt_close(old[i].st);
            continue;
        }
        db->slots[slot_of(db, old[i].sql)] = old[i];
        db->used++;
    }
    free(old);
}

/* ---- running statements -------------------------------------------------------------------- */

static enum ct_err
params_bind(struct params *p, const char *fmt, va_list ap)
{
    const char *s;
    unsigned k;

    memset(p, 0, sizeof(*p));
    for (k = 0; fmt[k] != '\0'; k++) {
        MYSQL_BIND *b;

        if (k >= CT_DB_MAX_PARAMS) {
            ct_log(LOG_ERR, "db: more than %d parameters", CT_DB_MAX_PARAMS);
            return CT_E_INTERNAL;
        }
        b = &p->b[k];
        switch (fmt[k]) {
        case 's':
            s = va_arg(ap, const char *);
            if (s == NULL) {
                b->buffer_type = MYSQL_TYPE_NULL;
                break;
            }
            p->len[k] = (unsigned long)strlen(s);
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = (void *)(uintptr_t)s; /* the API is not const-correct; never written */
            b->buffer_length = p->len[k];
            b->length = &p->len[k];
            break;
        case 'S':
            s = va_arg(ap, const char *);
            p->len[k] = (unsigned long)va_arg(ap, size_t);
            /* BLOB parameters travel as binary: no charset conversion of hashes and such. */
            b->buffer_type = s == NULL ? MYSQL_TYPE_NULL : MYSQL_TYPE_BLOB;
            b->buffer = (void *)(uintptr_t)s;
            b->buffer_length = p->len[k];
            b->length = &p->len[k];
            break;
        case 'l':
            p->l[k] = va_arg(ap, int64_t);
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &p->l[k];
            break;
        case 'i':
            p->i[k] = va_arg(ap, int);
            b->buffer_type = MYSQL_TYPE_LONG;
            b->buffer = &p->i[k];
            break;
        default:
            ct_log(LOG_ERR, "db: bad parameter format letter '%c'", fmt[k]);
            return CT_E_INTERNAL;
        }
    }
    p->n = k;
    return CT_OK;
}

/* Prepares (once), binds and executes; *out is the cached statement, owned by the cache. */
static enum ct_err
run(struct ct_db *db, const char *sql, struct params *p, MYSQL_STMT **out)
{
    static const char start[] = "START TRANSACTION";
    MYSQL_STMT *st = NULL;
    enum ct_err err;
    int attempt;

    if (db->in_txn && db->start_pending) {
        /* a read first in the unit: the transaction starts on its own round trip */
        err = db_usable(db);
        if (err != CT_OK)
            return err;
        if (mysql_real_query(db->conn, start, sizeof(start) - 1) != 0)
            return db_fail(db, mysql_errno(db->conn), mysql_error(db->conn), start);
        db->start_pending = false;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        err = db_usable(db);
        if (err != CT_OK)
            return err;
        err = stmt_get(db, sql, &st);
        if (err != CT_OK && attempt == 0 && !db->in_txn && db->broken)
            continue; /* gone before the statement was even prepared: nothing ran */
        if (err != CT_OK)
            return err;
        if (mysql_stmt_param_count(st) != p->n) {
            ct_log(LOG_ERR, "db: statement wants %lu parameters, got %u (%.60s)",
                   mysql_stmt_param_count(st), p->n, sql);
            return CT_E_INTERNAL;
        }
        if (mysql_stmt_bind_param(st, p->b) == 0 && mysql_stmt_execute(st) == 0) {
            *out = st;
            return CT_OK;
        }
        if (attempt > 0)
            break;
        /* A table changed under a cached statement: prepare it again, once. */
        if (mysql_stmt_errno(st) == ER_NEED_REPREPARE) {
            stmt_evict(db, sql);
            continue;
        }
        /* The server went away while this worker sat idle (restart, KILL, wait_timeout): outside
         * a unit of work, a read (or a statement that was never sent) runs again, once, on a new
         * connection, rather than every worker answering one 503. */
        if (!db->in_txn && lost_connection(mysql_stmt_errno(st)) &&
            (mysql_stmt_errno(st) == CR_SERVER_GONE_ERROR || strncmp(sql, "SELECT ", 7) == 0)) {
            (void)db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
            continue;
        }
        break;
    }
    return db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
}

/* Binds the parameters of fmt and runs the statement: what ct_db_exec and ct_db_query share. */
static enum ct_err
run_va(struct ct_db *db, const char *sql, const char *fmt, va_list ap, MYSQL_STMT **st)
{
    struct params p;
    enum ct_err err = params_bind(&p, fmt, ap);

    if (err != CT_OK)
        return err;
    return run(db, sql, &p, st);
}

enum ct_err
ct_db_exec(struct ct_db *db, const char *sql, uint64_t *affected, const char *fmt, ...)
{
    MYSQL_STMT *st = NULL;
    enum ct_err err;
    va_list ap;

    if (db->in_txn && db->start_pending) {
        struct params p;

        va_start(ap, fmt);
        err = params_bind(&p, fmt, ap);
        va_end(ap);
        return err != CT_OK ? err : exec_with_start(db, sql, &p, affected);
    }
    va_start(ap, fmt);
    err = run_va(db, sql, fmt, ap, &st);
    va_end(ap);
    if (err != CT_OK)
        return err;
    /* Kept from the last statement that generated an id, like LAST_INSERT_ID(). */
    if (mysql_stmt_insert_id(st) != 0)
        db->last_id = (int64_t)mysql_stmt_insert_id(st);
    if (affected != NULL)
        *affected = (uint64_t)mysql_stmt_affected_rows(st);
    /* A statement that produced rows anyway must not leave them pending on the connection. */
    if (mysql_stmt_field_count(st) > 0)
        mysql_stmt_free_result(st);
    return CT_OK;
}

int64_t
ct_db_last_id(const struct ct_db *db)
{
    return db == NULL ? 0 : db->last_id;
}

unsigned
ct_db_errno(const struct ct_db *db)
{
    return db == NULL ? 0 : db->last_errno;
}

/* Runs a query and fetches all its rows: what ct_db_query and ct_db_query_one share. */
static enum ct_err
query_va(struct ct_db *db, const char *sql, struct ct_rows **out, const char *fmt, va_list ap)
{
    MYSQL_STMT *st = NULL;
    enum ct_err err = run_va(db, sql, fmt, ap, &st);

    return err != CT_OK ? err : fetch_all(db, st, sql, out);
}

enum ct_err
ct_db_query(struct ct_db *db, const char *sql, struct ct_rows **out, const char *fmt, ...)
{
    enum ct_err err;
    va_list ap;

    va_start(ap, fmt);
    err = query_va(db, sql, out, fmt, ap);
    va_end(ap);
    return err;
}

enum ct_err
ct_db_query_one(struct ct_db *db, const char *sql, struct ct_rows **out, const char *fmt, ...)
{
    enum ct_err err;
    va_list ap;

    *out = NULL;
    va_start(ap, fmt);
    err = query_va(db, sql, out, fmt, ap);
    va_end(ap);
    if (err == CT_OK && ct_rows_count(*out) != 1) {
        ct_rows_free(*out);
        *out = NULL;
        err = CT_E_NOTFOUND;
    }
    return err;
}

/* ---- results ------------------------------------------------------------------------------- */

static void
rows_reserve(struct ct_rows *r, size_t more)
{
    size_t cap = r->cap == 0 ? 256 : r->cap;

    if (r->cap - r->len > more)
        return;
    while (cap - r->len <= more) {
        if (cap > SIZE_MAX / 2) {
            ct_log(LOG_ERR, "db: result too large");
            abort();
        }
        cap *= 2;
    }
    r->text = ct_realloc(r->text, cap);
    r->cap = cap;
}

static enum ct_err
fetch_all(struct ct_db *db, MYSQL_STMT *st, const char *sql, struct ct_rows **out)
{
    struct ct_rows *r = ct_calloc(1, sizeof(*r));
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    MYSQL_FIELD *fields;
    MYSQL_BIND *b = NULL;
    struct col *cols = NULL;
    enum ct_err err = CT_E_INTERNAL;
    size_t c, row;

    if (meta == NULL) {
        ct_log(LOG_ERR, "db: query returns no result set (%.60s)", sql);
        goto out;
    }
    if (mysql_stmt_store_result(st) != 0) {
        err = db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    r->ncols = mysql_num_fields(meta);
    r->nrows = (size_t)mysql_stmt_num_rows(st);
    fields = mysql_fetch_fields(meta);
    r->off = ct_calloc(r->nrows * r->ncols + 1, sizeof(*r->off));
    b = ct_calloc(r->ncols + 1, sizeof(*b));
    cols = ct_calloc(r->ncols + 1, sizeof(*cols));
    for (c = 0; c < r->ncols; c++) {
        unsigned long want = fields[c].max_length;

        cols[c].cap = want < CT_DB_CELL_BYTES ? CT_DB_CELL_BYTES
                      : want > CT_DB_CELL_MAX ? CT_DB_CELL_MAX
                                              : want;
        cols[c].buf = ct_malloc(cols[c].cap);
        b[c].buffer_type = MYSQL_TYPE_STRING;
        b[c].buffer = cols[c].buf;
        b[c].buffer_length = cols[c].cap;
        b[c].length = &cols[c].len;
        b[c].is_null = &cols[c].is_null;
        b[c].error = &cols[c].error;
    }
    if (r->ncols > 0 && mysql_stmt_bind_result(st, b) != 0) {
        err = db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    for (row = 0; row < r->nrows; row++) {
        err = fetch_row(db, st, sql, cols, r, row);
        if (err != CT_OK)
            goto out;
    }
    err = CT_OK;
out:
    if (meta != NULL) {
        mysql_free_result(meta);
        if (!db->broken)
            mysql_stmt_free_result(st);
    }
    for (c = 0; cols != NULL && c < r->ncols; c++)
        free(cols[c].buf);
    free(cols);
    free(b);
    if (err == CT_OK)
        *out = r;
    else
        ct_rows_free(r);
    return err;
}

/* One row into r: short cells are copied from the bound buffers, a cell longer than its buffer
 * is fetched again, whole, straight into the text block. */
static enum ct_err
fetch_row(struct ct_db *db, MYSQL_STMT *st, const char *sql, struct col *cols, struct ct_rows *r,
          size_t row)
{
    int rc = mysql_stmt_fetch(st);
    size_t c;

    if (rc == 1 || rc == MYSQL_NO_DATA) {
        if (rc == MYSQL_NO_DATA)
            ct_log(LOG_ERR, "db: result ended early (%.60s)", sql);
        return rc == 1 ? db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql)
                       : CT_E_INTERNAL;
    }
    for (c = 0; c < r->ncols; c++) {
        size_t *off = &r->off[row * r->ncols + c];
        unsigned long len = cols[c].len;

        if (cols[c].is_null) {
            *off = CT_DB_NO_CELL;
            continue;
        }
        rows_reserve(r, len + 1);
        *off = r->len;
        if (len <= cols[c].cap) {
            memcpy(r->text + r->len, cols[c].buf, len);
        } else {
            MYSQL_BIND one;
            unsigned long got = 0;

            memset(&one, 0, sizeof(one));
            one.buffer_type = MYSQL_TYPE_STRING;
            one.buffer = r->text + r->len;
            one.buffer_length = len;
            one.length = &got;
            if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0) != 0 || got != len)
                return db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        }
        r->len += len;
        r->text[r->len++] = '\0';
    }
    return CT_OK;
}

size_t
ct_rows_count(const struct ct_rows *r)
{
    return r == NULL ? 0 : r->nrows;
}

size_t
ct_rows_cols(const struct ct_rows *r)
{
    return r == NULL ? 0 : r->ncols;
}

const char *
ct_rows_str(const struct ct_rows *r, size_t row, size_t col)
{
    size_t off;

    if (r == NULL || row >= r->nrows || col >= r->ncols)
        return NULL;
    off = r->off[row * r->ncols + col];
    return off == CT_DB_NO_CELL ? NULL : r->text + off;
}

bool
ct_rows_i64(const struct ct_rows *r, size_t row, size_t col, int64_t *out)
{
    const char *s = ct_rows_str(r, row, col);

    return s != NULL && ct_parse_i64(s, INT64_MIN, INT64_MAX, out);
}

void
ct_rows_free(struct ct_rows *r)
{
    if (r == NULL)
        return;
    free(r->off);
    free(r->text);
    free(r);
}

/* ---- units of work ------------------------------------------------------------------------- */

static void
backoff(struct ct_db *db, int attempt)
{
    struct timespec ts;
    long max_us = 2000L << (attempt < 5 ? attempt : 5); /* 2, 4, 8 ... 64 ms */

    /* xorshift32: jitter only, no need for a strong generator */
    db->rng ^= db->rng << 13;
    db->rng ^= db->rng >> 17;
    db->rng ^= db->rng << 5;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)(db->rng % (uint32_t)max_us) * 1000L + 100000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void
txn_rollback(struct ct_db *db)
{
    /* After a lost connection the server has rolled back already. */
    if (db->broken || db->conn == NULL)
        return;
    if (mysql_rollback(db->conn) != 0)
        (void)db_fail(db, mysql_errno(db->conn), mysql_error(db->conn), "ROLLBACK");
}

static enum ct_err
txn_commit(struct ct_db *db)
{
    enum ct_err err;
    unsigned no;

    if (db->start_pending)
        return CT_OK; /* the unit sent nothing: there is nothing to commit */
    if (mysql_commit(db->conn) == 0)
        return CT_OK;
    no = mysql_errno(db->conn);
    if (lost_connection(no)) {
        (void)db_fail(db, no, mysql_error(db->conn), "COMMIT");
        ct_log(LOG_ERR, "db: connection lost during COMMIT: outcome unknown");
        return CT_E_INTERNAL;
    }
    err = db_fail(db, no, mysql_error(db->conn), "COMMIT");
    txn_rollback(db);
    return err;
}

static enum ct_err
txn_once(struct ct_db *db, ct_txn_fn fn, void *ctx)
{
    unsigned int status = 0;
    enum ct_err err;

    db->doomed = false;
    err = db_usable(db);
    if (err != CT_OK)
        return err;
    /* With autocommit on nothing should be open here; if something is, it is not ours to keep. */
    if (mariadb_get_infov(db->conn, MARIADB_CONNECTION_SERVER_STATUS, &status) != 0 ||
        (status & SERVER_STATUS_IN_TRANS) != 0)
        txn_rollback(db);
    /* START TRANSACTION goes out with the unit's first statement (run, exec_with_start) */
    db->start_pending = true;
    ct_buf_reset(&db->last);
    ct_buf_reset(&db->batch);
    db->batch_n = 0;
    db->in_txn = true;
    err = fn(db, ctx);
    /* fn may have swallowed a deadlock: the transaction is gone, so the unit must run again. */
    if (db->doomed)
        err = CT_E_BUSY;
    if (err == CT_OK)
        err = ct_buf_len(&db->last) > 0 ? commit_with_last(db) : txn_commit(db);
    else if (!db->start_pending)
        txn_rollback(db);
    db->in_txn = false;
    db->doomed = false;
    db->start_pending = false;
    ct_buf_reset(&db->last);
    return err;
}

enum ct_err
ct_db_txn(struct ct_db *db, ct_txn_fn fn, void *ctx)
{
    enum ct_err err;
    int attempt;

    if (db == NULL || fn == NULL)
        return CT_E_INTERNAL;
    if (db->in_txn) {
        ct_log(LOG_ERR, "db: nested ct_db_txn");
        return CT_E_INTERNAL;
    }
    for (attempt = 0;; attempt++) {
        err = txn_once(db, fn, ctx);
        if (err != CT_E_BUSY || attempt >= db->conf.db_retries)
            break;
        backoff(db, attempt);
    }
    if (err == CT_E_BUSY)
        ct_log(LOG_WARNING, "db: unit of work still busy after %d attempts", attempt + 1);
    return err;
}

/* ---- round trips saved: START with the unit's first write, its last write with COMMIT -------
 * A reload is a handful of statements; each round trip costs both processes a context switch,
 * which is most of the pool's CPU. So the unit's first statement, when it is a write, goes out in
 * one text batch behind START TRANSACTION, and a statement the caller marks as the last
 * (ct_db_exec_last) goes out in one batch with COMMIT. Batches use the text protocol, with every
 * parameter rendered as a literal by the client library's own escaping for the connection's
 * character set; no other statement runs as text. */

/* sql with each '?' outside quotes replaced by the literal of the matching parameter. */
static enum ct_err
render(struct ct_db *db, const char *sql, const struct params *p, struct ct_buf *out)
{
    enum ct_err err = CT_OK;
    char quote = 0, *esc = NULL;
    unsigned k = 0;
    const char *c;

    for (c = sql; *c != '\0' && err == CT_OK; c++) {
        const MYSQL_BIND *b;

        if (quote != 0 || *c != '?') {
            if (quote == 0 && (*c == '\'' || *c == '"' || *c == '`'))
                quote = *c;
            else if (quote != 0 && *c == quote)
                quote = 0;
            err = ct_buf_append(out, c, 1);
            continue;
        }
        if (k >= p->n) {
            ct_log(LOG_ERR, "db: statement wants more parameters than given (%.60s)", sql);
            return CT_E_INTERNAL;
        }
        b = &p->b[k];
        if (b->buffer_type == MYSQL_TYPE_NULL)
            err = ct_buf_puts(out, "NULL");
        else if (b->buffer_type == MYSQL_TYPE_LONGLONG)
            err = ct_buf_printf(out, "%lld", (long long)p->l[k]);
        else if (b->buffer_type == MYSQL_TYPE_LONG)
            err = ct_buf_printf(out, "%d", p->i[k]);
        else if (b->buffer_type == MYSQL_TYPE_BLOB) {
            size_t i;

            err = ct_buf_puts(out, "X'");
            for (i = 0; i < p->len[k] && err == CT_OK; i++)
                err = ct_buf_printf(out, "%02x", ((const unsigned char *)b->buffer)[i]);
            if (err == CT_OK)
                err = ct_buf_puts(out, "'");
        } else {
            unsigned long n;

            esc = ct_malloc((size_t)p->len[k] * 2 + 1);
            n = mysql_real_escape_string(db->conn, esc, b->buffer, p->len[k]);
            if (n == (unsigned long)-1) {
                ct_log(LOG_ERR, "db: a parameter cannot be escaped (%.60s)", sql);
                err = CT_E_INTERNAL;
            } else if ((err = ct_buf_puts(out, "'")) == CT_OK &&
                       (err = ct_buf_append(out, esc, n)) == CT_OK)
                err = ct_buf_puts(out, "'");
            free(esc);
            esc = NULL;
        }
        k++;
    }
    if (err == CT_OK && k != p->n) {
        ct_log(LOG_ERR, "db: statement wants %u parameters, got %u (%.60s)", k, p->n, sql);
        err = CT_E_INTERNAL;
    }
    return err;
}

/* Reads the n results of a batch whose send returned rc; *failed gets the index of the statement
 * that failed (the server runs none after it), n when all ran. `last` (may be NULL) gets the rows
 * of the last statement. */
static enum ct_err
batch_results(struct ct_db *db, int rc, int n, int *failed, struct ct_rows *last)
{
    int i = 0;

    for (; rc == 0; i++) {
        MYSQL_RES *res = mysql_store_result(db->conn);

        if (res != NULL) {
            if (i == n - 1 && last != NULL)
                rows_from_result(res, last);
            mysql_free_result(res);
        } else if (mysql_field_count(db->conn) > 0) {
            break; /* rows were due and could not be read: the statement's error */
        }
        if (i == n - 1) {
            *failed = n;
            return CT_OK;
        }
        rc = mysql_next_result(db->conn);
        if (rc < 0) {
            ct_log(LOG_ERR, "db: a batch answered %d results of %d", i + 1, n);
            *failed = n;
            return CT_E_INTERNAL;
        }
    }
    *failed = i;
    return CT_E_INTERNAL;
}

/* A text result into rows, the shape ct_db_query gives. */
static void
rows_from_result(MYSQL_RES *res, struct ct_rows *r)
{
    MYSQL_ROW row;
    size_t c, i = 0;

    r->ncols = mysql_num_fields(res);
    r->nrows = (size_t)mysql_num_rows(res);
    r->off = ct_calloc(r->nrows * r->ncols + 1, sizeof(*r->off));
    while (i < r->nrows && (row = mysql_fetch_row(res)) != NULL) {
        unsigned long *len = mysql_fetch_lengths(res);

        for (c = 0; c < r->ncols; c++) {
            size_t *off = &r->off[i * r->ncols + c];

            if (row[c] == NULL) {
                *off = CT_DB_NO_CELL;
                continue;
            }
            rows_reserve(r, len[c] + 1);
            *off = r->len;
            memcpy(r->text + r->len, row[c], len[c]);
            r->len += len[c];
            r->text[r->len++] = '\0';
        }
        i++;
    }
    r->nrows = i;
}

/* Starts the text of a batch in db->text: START TRANSACTION first when the unit has sent nothing
 * yet (db->start_pending). */
static enum ct_err
batch_begin(struct ct_db *db)
{
    ct_buf_reset(&db->text);
    return db->start_pending ? ct_buf_puts(&db->text, "START TRANSACTION;") : CT_OK;
}

/* Sends db->text, n statements (START included when `start`), and reads their results (`last`,
 * may be NULL, gets the rows of the last one). `what` names the statements in an error. Once
 * START has run the unit counts as started, whatever follows. */
static enum ct_err
batch_send(struct ct_db *db, int n, bool start, const char *what, struct ct_rows *last)
{
    const struct ct_buf *text = &db->text;
    enum ct_err err;
    int failed = 0;

    err = batch_results(db, mysql_real_query(db->conn, ct_buf_str(text), ct_buf_len(text)), n,
                        &failed, last);
    if (start && failed >= 1)
        db->start_pending = false;
    if (err != CT_OK)
        return db_fail(db, mysql_errno(db->conn), mysql_error(db->conn),
                       start && failed == 0 ? "START TRANSACTION" : what);
    if (mysql_insert_id(db->conn) != 0)
        db->last_id = (int64_t)mysql_insert_id(db->conn);
    return CT_OK;
}

static enum ct_err
exec_with_start(struct ct_db *db, const char *sql, struct params *p, uint64_t *affected)
{
    bool start = db->start_pending;
    enum ct_err err = db_usable(db);

    if (err == CT_OK)
        err = batch_begin(db);
    if (err == CT_OK)
        err = render(db, sql, p, &db->text);
    /* the statement's result is read last, so the connection's counts are its own */
    if (err == CT_OK)
        err = batch_send(db, start ? 2 : 1, start, sql, NULL);
    if (err == CT_OK && affected != NULL)
        *affected = (uint64_t)mysql_affected_rows(db->conn);
    return err;
}

enum ct_err
ct_db_exec_last(struct ct_db *db, const char *sql, const char *fmt, ...)
{
    struct params p;
    enum ct_err err;
    va_list ap;

    if (db == NULL || !db->in_txn || ct_buf_len(&db->last) > 0) {
        ct_log(LOG_ERR, "db: a last statement outside a unit of work, or a second one");
        return CT_E_INTERNAL;
    }
    va_start(ap, fmt);
    err = params_bind(&p, fmt, ap);
    va_end(ap);
    if (err == CT_OK)
        err = render(db, sql, &p, &db->last);
    if (err != CT_OK)
        ct_buf_reset(&db->last);
    return err;
}

/* [START TRANSACTION;] last; COMMIT in one round trip. When `last` fails, the server runs no
 * COMMIT after it: the transaction is rolled back here and last's error returned (1062 is
 * CT_E_CONFLICT, as for any statement). */
static enum ct_err
commit_with_last(struct ct_db *db)
{
    struct ct_buf *text = &db->text;
    enum ct_err err;
    int n = db->start_pending ? 3 : 2, failed = 0;
    unsigned no;

    err = batch_begin(db);
    if (err == CT_OK)
        err = ct_buf_append(text, ct_buf_str(&db->last), ct_buf_len(&db->last));
    if (err == CT_OK)
        err = ct_buf_puts(text, ";COMMIT");
    if (err != CT_OK) {
        if (!db->start_pending)
            txn_rollback(db);
        return err;
    }
    err = batch_results(db, mysql_real_query(db->conn, ct_buf_str(text), ct_buf_len(text)), n,
                        &failed, NULL);
    if (err == CT_OK)
        return CT_OK;
    no = mysql_errno(db->conn);
    if (failed == n - 1 && lost_connection(no)) {
        (void)db_fail(db, no, mysql_error(db->conn), "COMMIT");
        ct_log(LOG_ERR, "db: connection lost during COMMIT: outcome unknown");
        return CT_E_INTERNAL;
    }
    err = db_fail(db, no, mysql_error(db->conn), failed == n - 1 ? "COMMIT" : "the last statement");
    if (failed > 0 || !db->start_pending)
        txn_rollback(db);
    return err;
}

/* ---- batches of a unit's statements: one round trip for several --------------------------- */

enum ct_err
ct_db_batch_add(struct ct_db *db, const char *sql, const char *fmt, ...)
{
    struct params p;
    enum ct_err err;
    va_list ap;

    if (db == NULL || !db->in_txn) {
        ct_log(LOG_ERR, "db: a batch outside a unit of work");
        return CT_E_INTERNAL;
    }
    va_start(ap, fmt);
    err = params_bind(&p, fmt, ap);
    va_end(ap);
    if (err == CT_OK && db->batch_n > 0)
        err = ct_buf_puts(&db->batch, ";");
    if (err == CT_OK)
        err = render(db, sql, &p, &db->batch);
    if (err == CT_OK)
        db->batch_n++;
    else {
        ct_buf_reset(&db->batch);
        db->batch_n = 0;
    }
    return err;
}

enum ct_err
ct_db_batch_query(struct ct_db *db, struct ct_rows **out)
{
    struct ct_rows *r;
    int n = db->batch_n;
    bool start = db->start_pending;
    enum ct_err err;

    if (!db->in_txn || n == 0) {
        ct_log(LOG_ERR, "db: an empty batch, or one outside a unit of work");
        return CT_E_INTERNAL;
    }
    err = db_usable(db);
    if (err == CT_OK)
        err = batch_begin(db);
    if (err == CT_OK)
        err = ct_buf_append(&db->text, ct_buf_str(&db->batch), ct_buf_len(&db->batch));
    ct_buf_reset(&db->batch);
    db->batch_n = 0;
    if (err != CT_OK)
        return err;
    r = ct_calloc(1, sizeof(*r));
    err = batch_send(db, n + (start ? 1 : 0), start, "a batched statement", r);
    if (err != CT_OK) {
        ct_rows_free(r);
        return err;
    }
    *out = r;
    return CT_OK;
}
