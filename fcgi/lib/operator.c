/* operator.c - operators of the admin channel and their partners' admin origins. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "ct/ct_mem.h"
#include "ct/ct_operator.h"

#define OPERATOR_COLS                                                                              \
    "id, partner_id, email, name, CAST(role AS CHAR), CAST(status AS CHAR), created_at, "          \
    "last_login_at"

static void load_row(const struct ct_rows *r, size_t row, struct ct_operator *op);
static bool one_of(const char *s, const char *const *list);
static enum ct_err get_one(struct ct_db *db, const char *sql, const char *fmt, const char *key,
                           int64_t partner_id, struct ct_operator *out);

static bool
one_of(const char *s, const char *const *list)
{
    for (; s != NULL && *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

bool
ct_operator_role_valid(const char *role)
{
    static const char *const roles[] = {"EMPLOYEE", "MANAGER", "ADMIN", NULL};

    return one_of(role, roles);
}

bool
ct_operator_status_valid(const char *status)
{
    static const char *const statuses[] = {"active", "disabled", NULL};

    return one_of(status, statuses);
}

static void
load_row(const struct ct_rows *r, size_t row, struct ct_operator *op)
{
    const char *last = ct_rows_str(r, row, 7);

    memset(op, 0, sizeof(*op));
    (void)snprintf(op->id, sizeof(op->id), "%s", ct_rows_str(r, row, 0));
    (void)ct_rows_i64(r, row, 1, &op->partner_id);
    (void)snprintf(op->email, sizeof(op->email), "%s", ct_rows_str(r, row, 2));
    (void)snprintf(op->name, sizeof(op->name), "%s", ct_rows_str(r, row, 3));
    (void)snprintf(op->role, sizeof(op->role), "%s", ct_rows_str(r, row, 4));
    (void)snprintf(op->status, sizeof(op->status), "%s", ct_rows_str(r, row, 5));
    ct_time_from_db(ct_rows_str(r, row, 6), op->created_at);
    if (last != NULL)
        ct_time_from_db(last, op->last_login_at);
}

enum ct_err
ct_operator_insert(struct ct_db *db, struct ct_operator *op, const char *password_hash)
{
    static const char sql[] = "INSERT INTO operator (id, partner_id, email, name, role, "
                              "password_hash) VALUES (?, ?, ?, ?, ?, ?)";
    enum ct_err err;

    if (!ct_operator_role_valid(op->role) || password_hash == NULL || op->partner_id <= 0)
        return CT_E_INTERNAL; /* the caller validates */
    err = ct_uuid_new(op->id);
    if (err == CT_OK)
        err = ct_db_exec(db, sql, NULL, "slssss", op->id, op->partner_id, op->email, op->name,
                         op->role, password_hash);
    if (err == CT_OK)
        err = ct_operator_get(db, op->partner_id, op->id, op);
    return err;
}

/* One operator by a key (id or email) and, when fmt binds it, a partner (0: any). */
static enum ct_err
get_one(struct ct_db *db, const char *sql, const char *fmt, const char *key, int64_t partner_id,
        struct ct_operator *out)
{
    struct ct_rows *rows = NULL;
    enum ct_err err;

    err = ct_db_query_one(db, sql, &rows, fmt, key, partner_id, partner_id);
    if (err == CT_OK)
        load_row(rows, 0, out);
    ct_rows_free(rows);
    return err;
}

enum ct_err
ct_operator_get(struct ct_db *db, int64_t partner_id, const char *id, struct ct_operator *out)
{
    static const char sql[] = "SELECT " OPERATOR_COLS " FROM operator "
                              "WHERE id = ? AND (? = 0 OR partner_id = ?)";

    if (id == NULL || !ct_uuid_valid(id))
        return CT_E_NOTFOUND;
    return get_one(db, sql, "sll", id, partner_id, out);
}

enum ct_err
ct_operator_find(struct ct_db *db, const char *email, struct ct_operator *out)
{
    static const char sql[] = "SELECT " OPERATOR_COLS " FROM operator WHERE email = ?";

    if (email == NULL || strlen(email) > CT_OPERATOR_EMAIL_MAX)
        return CT_E_NOTFOUND;
    return get_one(db, sql, "s", email, 0, out);
}

enum ct_err
ct_operator_list(struct ct_db *db, int64_t partner_id, struct ct_operator **out, size_t *n)
{
    static const char sql[] = "SELECT " OPERATOR_COLS " FROM operator "
                              "WHERE ? = 0 OR partner_id = ? ORDER BY created_at, id";
    struct ct_rows *rows = NULL;
    struct ct_operator *items;
    size_t i, got;
    enum ct_err err;

    err = ct_db_query(db, sql, &rows, "ll", partner_id, partner_id);
    if (err != CT_OK)
        return err;
    got = ct_rows_count(rows);
    items = ct_calloc(got, sizeof(*items));
    for (i = 0; i < got; i++)
        load_row(rows, i, &items[i]);
    ct_rows_free(rows);
    *out = items;
    *n = got;
    return CT_OK;
}

enum ct_err
ct_operator_update(struct ct_db *db, struct ct_operator *op, const char *password_hash)
{
    static const char sql[] = "UPDATE operator SET name = ?, role = ?, status = ?, "
                              "password_hash = COALESCE(?, password_hash), "
                              "failed_logins = IF(? IS NULL, failed_logins, 0), "
                              "locked_until = IF(? IS NULL, locked_until, NULL), "
                              "updated_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND partner_id = ?";
    enum ct_err err;

    if (!ct_operator_role_valid(op->role) || !ct_operator_status_valid(op->status))
        return CT_E_INTERNAL;
    if (!ct_uuid_valid(op->id))
        return CT_E_NOTFOUND;
    /* no row of that id and partner: nothing written, and the read back is CT_E_NOTFOUND */
    err = ct_db_exec(db, sql, NULL, "sssssssl", op->name, op->role, op->status, password_hash,
                     password_hash, password_hash, op->id, op->partner_id);
    if (err == CT_OK)
        err = ct_operator_get(db, op->partner_id, op->id, op);
    return err;
}

struct json_object *
ct_operator_json(const struct ct_operator *op)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_string(op->id));
    json_object_object_add(o, "email", json_object_new_string(op->email));
    json_object_object_add(o, "name", json_object_new_string(op->name));
    json_object_object_add(o, "role", json_object_new_string(op->role));
    json_object_object_add(o, "status", json_object_new_string(op->status));
    json_object_object_add(o, "created_at", json_object_new_string(op->created_at));
    json_object_object_add(o, "last_login_at",
                           op->last_login_at[0] != '\0' ? json_object_new_string(op->last_login_at)
                                                        : json_object_new_null());
    return o;
}

bool
ct_admin_origin_valid(const char *origin)
{
    const char *host, *p;
    size_t hlen;
    bool tls;

    if (origin == NULL || strlen(origin) > CT_ADMIN_ORIGIN_MAX)
        return false;
    tls = strncmp(origin, "https://", 8) == 0;
    if (!tls && strncmp(origin, "http://", 7) != 0)
        return false;
    host = origin + (tls ? 8 : 7);
    hlen = strcspn(host, ":");
    if (hlen == 0)
        return false;
    for (p = host; p < host + hlen; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '.')
            return false;
    if (host[hlen] == ':') {
        int64_t port;

        if (!ct_parse_i64(host + hlen + 1, 1, 65535, &port) || host[hlen + 1] == '0')
            return false;
    }
    /* plain http only where a browser treats it as a secure context */
    return tls || (hlen == 9 && strncmp(host, "localhost", 9) == 0) ||
           (hlen == 9 && strncmp(host, "127.0.0.1", 9) == 0);
}

enum ct_err
ct_admin_origin_check(struct ct_db *db, int64_t partner_id, const char *origin)
{
    static const char sql[] = "SELECT 1 FROM admin_origin WHERE partner_id = ? AND origin = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (origin == NULL || !ct_admin_origin_valid(origin))
        return CT_E_FORBIDDEN;
    err = ct_db_query(db, sql, &rows, "ls", partner_id, origin);
    if (err == CT_OK && ct_rows_count(rows) != 1)
        err = CT_E_FORBIDDEN;
    ct_rows_free(rows);
    return err;
}

enum ct_err
ct_admin_origin_add(struct ct_db *db, int64_t partner_id, const char *origin)
{
    static const char sql[] = "INSERT INTO admin_origin (partner_id, origin) VALUES (?, ?)";

    return ct_db_exec(db, sql, NULL, "ls", partner_id, origin);
}

enum ct_err
ct_admin_origin_remove(struct ct_db *db, int64_t partner_id, const char *origin)
{
    static const char sql[] = "DELETE FROM admin_origin WHERE partner_id = ? AND origin = ?";
    uint64_t affected = 0;
    enum ct_err err = ct_db_exec(db, sql, &affected, "ls", partner_id, origin);

    return err == CT_OK && affected == 0 ? CT_E_NOTFOUND : err;
}
