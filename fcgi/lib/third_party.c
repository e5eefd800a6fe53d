/* third_party.c - trusted third parties: what a customer sees, declaring and removing access. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_third_party.h"

static void load_visible(const struct ct_rows *r, size_t row, bool shared, struct ct_visible *v);
static void append_sorted(const struct ct_rows *r, bool shared, struct ct_visible *items,
                          size_t *n);
static bool row_before(const struct ct_rows *r, size_t a, size_t b);
static bool one_seen(const struct ct_rows *r, size_t col, bool *owner);
static void load_tp(const struct ct_rows *r, size_t row, struct ct_tp *t);
static enum ct_err tp_unit_fn(struct ct_db *db, void *arg);
static enum ct_err find_customer(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                 const char *email, struct ct_tp *out);

/* The balance as ct_visible holds it: columns 0 to 13 of every statement below. */
#define VIS_COLS                                                                                   \
    "b.id, b.account_id, b.partner_id, b.currency, b.iban, bi.bic, b.status, b.customer_id, "      \
    "c.first_name, c.last_name, pt.name, a.balance, a.held, b.created_at "
#define VIS_JOINS                                                                                  \
    "JOIN base_iban bi ON bi.id = b.base_iban_id JOIN ledger_account a ON a.id = b.account_id "    \
    "JOIN customer c ON c.id = b.customer_id JOIN partner pt ON pt.id = b.partner_id "
/* One balance b (not closed, of the partner) found by a unique key: whether the customer owns it
 * and whether someone declared the customer a third party on it (a primary-key read). Parameters:
 * customer x2 (select list), then the key and the partner. */
#define ONE_ACCESS                                                                                 \
    "b.customer_id = ?, EXISTS (SELECT 1 FROM balance_third_party t WHERE t.balance_id = b.id "    \
    "AND t.customer_id = ?) "
#define ONE_WHERE "AND b.partner_id = ? AND b.status <> 'closed'"

static void
copy_text(char *dst, size_t dstsz, const char *src)
{
    (void)snprintf(dst, dstsz, "%s", src != NULL ? src : "");
}

static void
load_visible(const struct ct_rows *r, size_t row, bool shared, struct ct_visible *v)
{
    memset(v, 0, sizeof(*v));
    copy_text(v->balance_id, sizeof(v->balance_id), ct_rows_str(r, row, 0));
    (void)ct_rows_i64(r, row, 1, &v->account_id);
    (void)ct_rows_i64(r, row, 2, &v->partner_id);
    copy_text(v->currency, sizeof(v->currency), ct_rows_str(r, row, 3));
    copy_text(v->iban, sizeof(v->iban), ct_rows_str(r, row, 4));
    copy_text(v->bic, sizeof(v->bic), ct_rows_str(r, row, 5));
    copy_text(v->status, sizeof(v->status), ct_rows_str(r, row, 6));
    copy_text(v->owner_id, sizeof(v->owner_id), ct_rows_str(r, row, 7));
    copy_text(v->owner_first_name, sizeof(v->owner_first_name), ct_rows_str(r, row, 8));
    copy_text(v->owner_last_name, sizeof(v->owner_last_name), ct_rows_str(r, row, 9));
    copy_text(v->establishment, sizeof(v->establishment), ct_rows_str(r, row, 10));
    (void)ct_rows_i64(r, row, 11, &v->posted);
    (void)ct_rows_i64(r, row, 12, &v->held);
    v->shared = shared;
}

/* Oldest first: creation time (DATETIME(6) text, which sorts as it reads), then account id. */
static bool
row_before(const struct ct_rows *r, size_t a, size_t b)
{
    int c = strcmp(ct_rows_str(r, a, 13), ct_rows_str(r, b, 13));
    int64_t ia = 0, ib = 0;

    (void)ct_rows_i64(r, a, 1, &ia);
    (void)ct_rows_i64(r, b, 1, &ib);
    return c < 0 || (c == 0 && ia < ib);
}

/* Appends r's balances (rows whose balance id is NULL are none) to items[*n...], oldest first. A
 * customer has a handful: sorting here costs less than MariaDB's filesort set-up. */
static void
append_sorted(const struct ct_rows *r, bool shared, struct ct_visible *items, size_t *n)
{
    size_t count = ct_rows_count(r), *order = ct_calloc(count + 1, sizeof(*order));
    size_t i, j, k = 0, tmp;

    for (i = 0; i < count; i++)
        if (ct_rows_str(r, i, 0) != NULL)
            order[k++] = i;
    for (i = 1; i < k; i++)
        for (j = i; j > 0 && row_before(r, order[j], order[j - 1]); j--) {
            tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for (i = 0; i < k; i++)
        load_visible(r, order[i], shared, &items[(*n)++]);
    free(order);
}

enum ct_err
ct_tp_visible(struct ct_db *db, int64_t partner_id, const char *customer_id,
              struct ct_visible **out, size_t *n)
{
    /* Own balances: the customer and the partner are constant reads by primary key, the balances
     * one lookup on the customer's index, and the same statement says whether the customer is
     * anyone's third party at all (column 14). MariaDB plans every execution again, so fewer
     * tables and no UNION or sort is most of the cost saved. */
    static const char sql_own[] =
        "SELECT b.id, b.account_id, b.partner_id, b.currency, b.iban, bi.bic, b.status, "
        "b.customer_id, c.first_name, c.last_name, pt.name, a.balance, a.held, b.created_at, "
        "EXISTS (SELECT 1 FROM balance_third_party t WHERE t.customer_id = c.id) "
        "FROM customer c JOIN partner pt ON pt.id = ? "
        "LEFT JOIN balance b ON b.customer_id = c.id AND b.partner_id = pt.id "
        "AND b.status <> 'closed' "
        "LEFT JOIN base_iban bi ON bi.id = b.base_iban_id "
        "LEFT JOIN ledger_account a ON a.id = b.account_id WHERE c.id = ?";
    /* Shared ones, only for a customer who is someone's third party. */
    static const char sql_shared[] = "SELECT " VIS_COLS "FROM balance_third_party t "
                                     "JOIN balance b ON b.id = t.balance_id " VIS_JOINS
                                     "WHERE t.customer_id = ? AND b.partner_id = ? "
                                     "AND b.status <> 'closed' AND b.customer_id <> t.customer_id";
    struct ct_rows *own = NULL, *shared = NULL;
    struct ct_visible *items = NULL;
    int64_t is_tp = 0;
    size_t got = 0;
    enum ct_err err;

    if (customer_id == NULL || !ct_uuid_valid(customer_id)) {
        *out = NULL;
        *n = 0;
        return CT_OK;
    }
    err = ct_db_query(db, sql_own, &own, "ls", partner_id, customer_id);
    if (err == CT_OK && ct_rows_count(own) > 0 && ct_rows_i64(own, 0, 14, &is_tp) && is_tp != 0)
        err = ct_db_query(db, sql_shared, &shared, "sl", customer_id, partner_id);
    if (err != CT_OK)
        goto out;
    if (ct_rows_count(own) + ct_rows_count(shared) > 0)
        items = ct_calloc(ct_rows_count(own) + ct_rows_count(shared), sizeof(*items));
    append_sorted(own, false, items, &got);
    append_sorted(shared, true, items, &got);
    if (got == 0) {
        free(items);
        items = NULL;
    }
    *out = items;
    *n = got;
out:
    ct_rows_free(own);
    ct_rows_free(shared);
    return err;
}

/* Whether the single row of a ONE_ACCESS statement (its columns at col, col + 1) lets the customer
 * see the balance; *owner: as its owner rather than as a third party. */
static bool
one_seen(const struct ct_rows *r, size_t col, bool *owner)
{
    int64_t own = 0, third = 0;

    if (ct_rows_count(r) != 1 || !ct_rows_i64(r, 0, col, &own) ||
        !ct_rows_i64(r, 0, col + 1, &third))
        return false;
    *owner = own != 0;
    return own != 0 || third != 0;
}

enum ct_err
ct_tp_visible_one(struct ct_db *db, int64_t partner_id, const char *customer_id, int64_t account_id,
                  const char *balance_id, struct ct_visible *out)
{
    /* one balance by its ledger account or by its id: every table is a constant read by key */
    static const char sql_account[] = "SELECT " VIS_COLS ", " ONE_ACCESS "FROM balance b " VIS_JOINS
                                      "WHERE b.account_id = ? " ONE_WHERE;
    static const char sql_id[] =
        "SELECT " VIS_COLS ", " ONE_ACCESS "FROM balance b " VIS_JOINS "WHERE b.id = ? " ONE_WHERE;
    struct ct_rows *r = NULL;
    bool owner = false;
    enum ct_err err;

    if (customer_id == NULL || !ct_uuid_valid(customer_id) ||
        (account_id <= 0 && balance_id == NULL))
        return CT_E_NOTFOUND;
    if (account_id > 0)
        err = ct_db_query(db, sql_account, &r, "ssll", customer_id, customer_id, account_id,
                          partner_id);
    else
        err = ct_db_query(db, sql_id, &r, "sssl", customer_id, customer_id, balance_id, partner_id);
    if (err != CT_OK)
        return err;
    err = one_seen(r, 14, &owner) ? CT_OK : CT_E_NOTFOUND;
    if (err == CT_OK)
        load_visible(r, 0, !owner, out);
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_tp_visible_currency(struct ct_db *db, int64_t partner_id, const char *customer_id,
                       int64_t account_id, char currency[4])
{
    static const char sql[] =
        "SELECT b.currency, " ONE_ACCESS "FROM balance b WHERE b.account_id = ? " ONE_WHERE;
    struct ct_rows *r = NULL;
    bool owner = false;
    enum ct_err err;

    if (customer_id == NULL || !ct_uuid_valid(customer_id) || account_id <= 0)
        return CT_E_NOTFOUND;
    err = ct_db_query(db, sql, &r, "ssll", customer_id, customer_id, account_id, partner_id);
    if (err != CT_OK)
        return err;
    err = one_seen(r, 1, &owner) ? CT_OK : CT_E_NOTFOUND;
    if (err == CT_OK)
        copy_text(currency, 4, ct_rows_str(r, 0, 0));
    ct_rows_free(r);
    return err;
}

static void
load_tp(const struct ct_rows *r, size_t row, struct ct_tp *t)
{
    memset(t, 0, sizeof(*t));
    copy_text(t->customer_id, sizeof(t->customer_id), ct_rows_str(r, row, 0));
    copy_text(t->email, sizeof(t->email), ct_rows_str(r, row, 1));
    copy_text(t->first_name, sizeof(t->first_name), ct_rows_str(r, row, 2));
    copy_text(t->last_name, sizeof(t->last_name), ct_rows_str(r, row, 3));
    if (ct_rows_str(r, row, 4) != NULL)
        ct_time_from_db(ct_rows_str(r, row, 4), t->created_at);
}

enum ct_err
ct_tp_list(struct ct_db *db, const char *balance_id, struct ct_tp **out, size_t *n)
{
    static const char sql[] = "SELECT c.id, c.email, c.first_name, c.last_name, t.created_at "
                              "FROM balance_third_party t JOIN customer c ON c.id = t.customer_id "
                              "WHERE t.balance_id = ? ORDER BY t.created_at, c.id";
    struct ct_rows *r = NULL;
    struct ct_tp *items = NULL;
    size_t i, got;
    enum ct_err err;

    err = ct_db_query(db, sql, &r, "s", balance_id);
    if (err != CT_OK)
        return err;
    got = ct_rows_count(r);
    if (got > 0)
        items = ct_calloc(got, sizeof(*items));
    for (i = 0; i < got; i++)
        load_tp(r, i, &items[i]);
    ct_rows_free(r);
    *out = items;
    *n = got;
    return CT_OK;
}

void
ct_tp_read(struct ct_req *req, const char **customer_id, const char **email)
{
    static const char *const fields[] = {"customer_id", "email", NULL};

    ct_body_only(req, fields);
    *customer_id = ct_body_str(req, "customer_id", false, CT_UUID_LEN);
    *email = ct_body_str(req, "email", false, 254);
    if (ct_req_has_errors(req))
        return;
    if ((*customer_id == NULL) == (*email == NULL))
        ct_req_field_error(req, *customer_id == NULL ? "customer_id" : "email",
                           "give exactly one of customer_id and email");
    else if (*customer_id != NULL && !ct_uuid_valid(*customer_id))
        ct_req_field_error(req, "customer_id", "must be a customer id");
}

/* A customer of the partner by id or by email (exact, as registered). */
static enum ct_err
find_customer(struct ct_db *db, int64_t partner_id, const char *customer_id, const char *email,
              struct ct_tp *out)
{
    static const char sql_id[] = "SELECT id, email, first_name, last_name, NULL FROM customer "
                                 "WHERE id = ? AND partner_id = ?";
    static const char sql_email[] = "SELECT id, email, first_name, last_name, NULL FROM customer "
                                    "WHERE email = ? AND partner_id = ?";
    struct ct_rows *r = NULL;
    enum ct_err err;

    if (customer_id != NULL && !ct_uuid_valid(customer_id))
        return CT_E_NOTFOUND;
    err = ct_db_query(db, customer_id != NULL ? sql_id : sql_email, &r, "sl",
                      customer_id != NULL ? customer_id : email, partner_id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(r) == 1)
        load_tp(r, 0, out);
    else
        err = CT_E_NOTFOUND;
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_tp_add(struct ct_db *db, const struct ct_visible *v, const char *caller, const char *customer_id,
          const char *email, struct ct_tp *out, const char **code)
{
    static const char sql[] = "INSERT INTO balance_third_party (balance_id, customer_id, "
                              "granted_by, created_at) VALUES (?, ?, ?, NOW(6))";
    static const char sql_at[] = "SELECT created_at FROM balance_third_party "
                                 "WHERE balance_id = ? AND customer_id = ?";
    struct ct_rows *r = NULL;
    struct ct_tp t;
    enum ct_err err;

    if (v->shared || strcmp(v->owner_id, caller) != 0) {
        *code = "NOT_ACCOUNT_OWNER";
        return CT_E_FORBIDDEN;
    }
    err = find_customer(db, v->partner_id, customer_id, email, &t);
    if (err == CT_E_NOTFOUND) {
        *code = "THIRD_PARTY_NOT_FOUND";
        return CT_E_RULE;
    }
    if (err != CT_OK)
        return err;
    if (strcmp(t.customer_id, v->owner_id) == 0) {
        *code = "THIRD_PARTY_IS_OWNER";
        return CT_E_RULE;
    }
    err = ct_db_exec(db, sql, NULL, "sss", v->balance_id, t.customer_id, caller);
    if (err == CT_E_CONFLICT)
        *code = "THIRD_PARTY_EXISTS";
    if (err == CT_OK)
        err = ct_db_query(db, sql_at, &r, "ss", v->balance_id, t.customer_id);
    if (err == CT_OK && ct_rows_count(r) == 1)
        ct_time_from_db(ct_rows_str(r, 0, 0), t.created_at);
    ct_rows_free(r);
    if (err == CT_OK)
        *out = t;
    return err;
}

enum ct_err
ct_tp_remove(struct ct_db *db, const struct ct_visible *v, const char *caller,
             const char *customer_id, const char *email, const char **code)
{
    static const char sql[] = "DELETE FROM balance_third_party "
                              "WHERE balance_id = ? AND customer_id = ?";
    struct ct_tp t;
    uint64_t affected = 0;
    enum ct_err err;

    err = find_customer(db, v->partner_id, customer_id, email, &t);
    if (err != CT_OK)
        return err;
    if (strcmp(v->owner_id, caller) != 0 && strcmp(t.customer_id, caller) != 0) {
        *code = "NOT_ACCOUNT_OWNER";
        return CT_E_FORBIDDEN;
    }
    err = ct_db_exec(db, sql, &affected, "ss", v->balance_id, t.customer_id);
    if (err == CT_OK && affected == 0)
        err = CT_E_NOTFOUND;
    return err;
}

struct json_object *
ct_tp_json(const struct ct_tp *t)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "customer_id", json_object_new_string(t->customer_id));
    json_object_object_add(o, "email", json_object_new_string(t->email));
    json_object_object_add(o, "first_name", json_object_new_string(t->first_name));
    json_object_object_add(o, "last_name", json_object_new_string(t->last_name));
    json_object_object_add(o, "created_at",
                           t->created_at[0] != '\0' ? json_object_new_string(t->created_at) : NULL);
    return o;
}

/* ---- request helpers ------------------------------------------------------------------------ */

struct tp_unit {
    const struct ct_visible *v;
    const char *caller, *customer_id, *email;
    bool remove;
    struct ct_tp added;
    const char *code;
};

static enum ct_err
tp_unit_fn(struct ct_db *db, void *arg)
{
    struct tp_unit *u = arg;

    u->code = NULL;
    if (u->remove)
        return ct_tp_remove(db, u->v, u->caller, u->customer_id, u->email, &u->code);
    return ct_tp_add(db, u->v, u->caller, u->customer_id, u->email, &u->added, &u->code);
}

enum ct_err
ct_tp_reply_list(struct ct_req *req, const struct ct_visible *v)
{
    struct ct_tp *items = NULL;
    struct json_object *arr;
    int64_t page, per_page;
    size_t n = 0, i;
    enum ct_err err;

    if (!ct_req_page(req, 50, 50, &page, &per_page))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = ct_tp_list(req->db, v->balance_id, &items, &n);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "third parties could not be listed");
    arr = json_object_new_array();
    for (i = (size_t)((page - 1) * per_page);
         i < n && (int64_t)json_object_array_length(arr) < per_page; i++)
        json_object_array_add(arr, ct_tp_json(&items[i]));
    free(items);
    ct_reply_pagination(req, (int64_t)n, page, per_page);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
ct_tp_reply_add(struct ct_req *req, const struct ct_visible *v)
{
    struct tp_unit u;
    enum ct_err err;

    memset(&u, 0, sizeof(u));
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_tp_read(req, &u.customer_id, &u.email);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    u.v = v;
    u.caller = req->ident.subject;
    err = ct_db_txn(req->db, tp_unit_fn, &u);
    if (err == CT_E_RULE) {
        ct_req_field_error(req, u.customer_id != NULL ? "customer_id" : "email",
                           u.code != NULL && strcmp(u.code, "THIRD_PARTY_IS_OWNER") == 0
                               ? "the account owner cannot be a third party"
                               : "no customer of this bank has this identifier");
        return ct_req_fail(req, err, u.code, "the third party cannot be declared");
    }
    if (err == CT_E_FORBIDDEN)
        return ct_req_fail(req, err, u.code, "only the account owner may declare third parties");
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, u.code, "this third party is already declared");
    if (err != CT_OK)
        return ct_req_fail(req, err, u.code, "the third party could not be declared");
    return ct_reply_json(req, 201, ct_tp_json(&u.added));
}

enum ct_err
ct_tp_reply_remove(struct ct_req *req, const struct ct_visible *v, const char *customer_id)
{
    struct tp_unit u;
    enum ct_err err;

    memset(&u, 0, sizeof(u));
    u.customer_id = customer_id != NULL ? customer_id : ct_req_query(req, "customer_id");
    u.email = customer_id != NULL ? NULL : ct_req_query(req, "email");
    if ((u.customer_id == NULL) == (u.email == NULL)) {
        ct_req_field_error(req, "customer_id", "give exactly one of customer_id and email");
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    }
    u.v = v;
    u.caller = req->ident.subject;
    u.remove = true;
    err = ct_db_txn(req->db, tp_unit_fn, &u);
    if (err == CT_E_FORBIDDEN)
        return ct_req_fail(req, err, u.code, "only the account owner may remove third parties");
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, "THIRD_PARTY_NOT_FOUND",
                           "no such third party on this account");
    if (err != CT_OK)
        return ct_req_fail(req, err, u.code, "the third party could not be removed");
    return ct_reply_empty(req, 204);
}
