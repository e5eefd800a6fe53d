/* accounts.c - GET /accounts (seed 001 Account, with the real-time balance and the RIB) and
 * GET /accounts/{id}; `?at=` answers the balance at that time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_ledger.h"
#include "ct/ct_money.h"
#include "ct/ct_util.h"
#include "banking.h"

#define PER_PAGE 50

static enum ct_err held_at(struct ct_db *db, int64_t account_id, int64_t at_usec, int64_t *held);
static enum ct_err balance_of(struct ct_req *req, const struct ct_visible *v, bool has_at,
                              int64_t at_usec, int64_t *balance, int64_t *posted);
static struct json_object *amount_number(int64_t minor, const char *currency);
static struct json_object *rib_json(const struct ct_visible *v);
static struct json_object *account_json(struct ct_req *req, const struct ct_visible *v, bool has_at,
                                        int64_t at_usec, enum ct_err *err);
static bool read_at(struct ct_req *req, bool *has_at, int64_t *at_usec);

/* Sum of the holds that were active at `at`: created at or before it and not closed by then. */
static enum ct_err
held_at(struct ct_db *db, int64_t account_id, int64_t at_usec, int64_t *held)
{
    static const char sql[] =
        "SELECT COALESCE(SUM(amount), 0) FROM ledger_hold WHERE account_id = ? "
        "AND created_at <= TIMESTAMP'1970-01-01 00:00:00' + INTERVAL ? MICROSECOND "
        "AND (closed_at IS NULL OR closed_at > TIMESTAMP'1970-01-01 00:00:00' + INTERVAL ? "
        "MICROSECOND)";
    struct ct_rows *r = NULL;
    enum ct_err err;

    err = ct_db_query(db, sql, &r, "lll", account_id, at_usec, at_usec);
    if (err == CT_OK && !ct_rows_i64(r, 0, 0, held))
        err = CT_E_INTERNAL;
    ct_rows_free(r);
    return err;
}

/* The balance: posted minus what active holds reserve (seed 000: the real-time balance that card
 * authorizations are issued against), now or at a past time. */
static enum ct_err
balance_of(struct ct_req *req, const struct ct_visible *v, bool has_at, int64_t at_usec,
           int64_t *balance, int64_t *posted)
{
    int64_t held = v->held;
    enum ct_err err = CT_OK;

    *posted = v->posted;
    if (has_at) {
        err = ct_ledger_balance_at(req->db, v->account_id, at_usec, posted);
        if (err == CT_OK)
            err = held_at(req->db, v->account_id, at_usec, &held);
    }
    if (err == CT_OK && __builtin_sub_overflow(*posted, held, balance))
        err = CT_E_INTERNAL;
    return err;
}

/* A JSON number in currency units written from the exact decimal text ("100.54"). */
static struct json_object *
amount_number(int64_t minor, const char *currency)
{
    const struct ct_currency *cur = ct_currency_find(currency);
    char text[CT_MONEY_TEXT_MAX];

    if (cur == NULL || ct_money_format(minor, cur, text, sizeof(text)) == 0)
        return NULL;
    return json_object_new_double_s(strtod(text, NULL), text);
}

static struct json_object *
rib_json(const struct ct_visible *v)
{
    struct json_object *o = json_object_new_object();
    const struct ct_iban_country *c = ct_iban_country_find(v->iban);
    struct ct_iban_rib rib;
    char part[CT_IBAN_MAX + 1], url[64];
    bool fr = ct_iban_rib_parts(v->iban, &rib) == CT_OK;

    json_object_object_add(o, "iban", json_object_new_string(v->iban));
    json_object_object_add(o, "bic", json_object_new_string(v->bic));
    if (fr) {
        json_object_object_add(o, "bank", json_object_new_string(rib.bank));
        json_object_object_add(o, "branch", json_object_new_string(rib.branch));
        json_object_object_add(o, "number", json_object_new_string(rib.number));
        json_object_object_add(o, "checksum", json_object_new_string(rib.key));
    } else {
        /* no RIB outside FR/MC: the registry's bank and branch codes, no number or key */
        if (c != NULL && c->bank_offset >= 0 && c->bank_length < (int)sizeof(part)) {
            (void)snprintf(part, sizeof(part), "%.*s", c->bank_length,
                           v->iban + 4 + c->bank_offset);
            json_object_object_add(o, "bank", json_object_new_string(part));
        } else
            json_object_object_add(o, "bank", NULL);
        if (c != NULL && c->branch_offset >= 0 && c->branch_length < (int)sizeof(part)) {
            (void)snprintf(part, sizeof(part), "%.*s", c->branch_length,
                           v->iban + 4 + c->branch_offset);
            json_object_object_add(o, "branch", json_object_new_string(part));
        } else
            json_object_object_add(o, "branch", NULL);
        json_object_object_add(o, "number", NULL);
        json_object_object_add(o, "checksum", NULL);
    }
    json_object_object_add(o, "establishment", json_object_new_string(v->establishment));
    (void)snprintf(url, sizeof(url), "/accounts/%lld/rib", (long long)v->account_id);
    json_object_object_add(o, "pdf_url", json_object_new_string(url));
    return o;
}

static struct json_object *
account_json(struct ct_req *req, const struct ct_visible *v, bool has_at, int64_t at_usec,
             enum ct_err *err)
{
    struct json_object *o, *owner, *rib;
    int64_t balance = 0, posted = 0;
    char label[32], holder[210], at[32];

    *err = balance_of(req, v, has_at, at_usec, &balance, &posted);
    if (*err != CT_OK)
        return NULL;
    o = json_object_new_object();
    (void)snprintf(label, sizeof(label), "Compte %s", v->currency);
    json_object_object_add(o, "id", json_object_new_int64(v->account_id));
    json_object_object_add(o, "balance_id", json_object_new_string(v->balance_id));
    json_object_object_add(o, "label", json_object_new_string(label));
    json_object_object_add(o, "balance", amount_number(balance, v->currency));
    json_object_object_add(o, "posted_balance", amount_number(posted, v->currency));
    json_object_object_add(o, "currency", json_object_new_string(v->currency));
    json_object_object_add(o, "company_name", NULL);
    owner = json_object_new_object();
    /* the customer record has no gender: the enum's neutral form */
    json_object_object_add(owner, "gender_label", json_object_new_string("Madame, Monsieur"));
    json_object_object_add(owner, "first_name", json_object_new_string(v->owner_first_name));
    json_object_object_add(owner, "last_name", json_object_new_string(v->owner_last_name));
    json_object_object_add(o, "owner", owner);
    rib = rib_json(v);
    (void)snprintf(holder, sizeof(holder), "%s %s", v->owner_first_name, v->owner_last_name);
    json_object_object_add(rib, "holder", json_object_new_string(holder));
    json_object_object_add(o, "rib", rib);
    json_object_object_add(o, "status", json_object_new_string(v->status));
    json_object_object_add(o, "shared", json_object_new_boolean(v->shared));
    if (has_at) {
        ct_time_iso(at_usec, at);
        json_object_object_add(o, "at", json_object_new_string(at));
    }
    return o;
}

static bool
read_at(struct ct_req *req, bool *has_at, int64_t *at_usec)
{
    const char *at = ct_req_query(req, "at");

    *has_at = at != NULL;
    if (at != NULL && !ct_time_parse(at, at_usec)) {
        ct_req_field_error(req, "at", "must be an ISO 8601 date or time");
        return false;
    }
    return true;
}

enum ct_err
banking_account_list(struct ct_req *req)
{
    struct ct_visible *vis = NULL;
    struct json_object *arr, *o;
    int64_t page, per_page, at_usec = 0, i;
    bool has_at = false;
    size_t n = 0;
    enum ct_err err;

    if (!read_at(req, &has_at, &at_usec) || !ct_req_page(req, PER_PAGE, PER_PAGE, &page, &per_page))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = banking_visible(req, &vis, &n);
    if (err != CT_OK)
        return err;
    arr = json_object_new_array();
    for (i = (page - 1) * per_page; i < (int64_t)n && i < page * per_page; i++) {
        o = account_json(req, &vis[i], has_at, at_usec, &err);
        if (err != CT_OK) {
            json_object_put(arr);
            return ct_req_fail(req, err, NULL, "the balance could not be computed");
        }
        json_object_array_add(arr, o);
    }
    ct_reply_pagination(req, (int64_t)n, page, per_page);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
banking_account_get(struct ct_req *req)
{
    struct ct_visible v;
    struct json_object *o;
    int64_t at_usec = 0;
    bool has_at = false;
    enum ct_err err;

    if (!read_at(req, &has_at, &at_usec))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = banking_visible_path(req, &v);
    if (err != CT_OK)
        return err;
    o = account_json(req, &v, has_at, at_usec, &err);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the balance could not be computed");
    return ct_reply_json(req, 200, o);
}
