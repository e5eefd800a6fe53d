/* balance.c - user balances: IBAN allocation from the partner's base IBAN, ledger account, reads,
 * lists and reloads. Money moves only through ct_ledger_post. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_balance.h"
#include "ct/ct_fee.h"
#include "ct/ct_kyc.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_money.h"
#include "ct/ct_partner_balance.h"

struct open_unit {
    int64_t partner_id;
    const char *customer_id;
    const char *currency;
    struct ct_balance balance;
    const char *code;
};

static void load_row(const struct ct_rows *r, size_t row, struct ct_balance *b);
static enum ct_err open_unit_fn(struct ct_db *db, void *arg);
static const char *refusal_message(enum ct_err err, const char *code);

#define BALANCE_COLS                                                                               \
    "b.id, b.partner_id, b.customer_id, b.account_id, b.currency, b.iban, bi.bic, b.status, "      \
    "b.created_at, a.balance, a.balance - a.held + a.overdraft "
#define BALANCE_FROM                                                                               \
    "FROM balance b JOIN base_iban bi ON bi.id = b.base_iban_id "                                  \
    "JOIN ledger_account a ON a.id = b.account_id "

static void
load_row(const struct ct_rows *r, size_t row, struct ct_balance *b)
{
    memset(b, 0, sizeof(*b));
    (void)snprintf(b->id, sizeof(b->id), "%s", ct_rows_str(r, row, 0));
    (void)ct_rows_i64(r, row, 1, &b->partner_id);
    (void)snprintf(b->customer_id, sizeof(b->customer_id), "%s", ct_rows_str(r, row, 2));
    (void)ct_rows_i64(r, row, 3, &b->account_id);
    (void)snprintf(b->currency, sizeof(b->currency), "%s", ct_rows_str(r, row, 4));
    (void)snprintf(b->iban, sizeof(b->iban), "%s", ct_rows_str(r, row, 5));
    (void)snprintf(b->bic, sizeof(b->bic), "%s", ct_rows_str(r, row, 6));
    (void)snprintf(b->status, sizeof(b->status), "%s", ct_rows_str(r, row, 7));
    ct_time_from_db(ct_rows_str(r, row, 8), b->created_at);
    (void)ct_rows_i64(r, row, 9, &b->balance);
    (void)ct_rows_i64(r, row, 10, &b->available);
}

enum ct_err
ct_balance_open(struct ct_db *db, int64_t partner_id, const char *customer_id, const char *currency,
                struct ct_balance *out, const char **code)
{
    static const char sql_base[] = "SELECT id, base_iban, prefix_len, next_seq FROM base_iban "
                                   "WHERE partner_id = ? AND currency = ? FOR UPDATE";
    static const char sql_seq[] = "UPDATE base_iban SET next_seq = next_seq + 1 WHERE id = ?";
    static const char sql_ins[] =
        "INSERT INTO balance (id, partner_id, customer_id, account_id, currency, iban, "
        "base_iban_id, iban_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    struct ct_rows *rows = NULL;
    int64_t base_id, prefix_len, seq, account_id;
    char iban[CT_IBAN_MAX + 1], id[CT_UUID_LEN + 1];
    enum ct_err err;

    /* the one place every channel's balance passes: no balance without a verified customer */
    err = ct_kyc_require_verified(db, partner_id, customer_id, code);
    if (err != CT_OK)
        return err;
    err = ct_db_query(db, sql_base, &rows, "ls", partner_id, currency);
    if (err != CT_OK)
        goto out;
    if (ct_rows_count(rows) != 1) {
        *code = "NO_BASE_IBAN";
        err = CT_E_RULE;
        goto out;
    }
    if (!ct_rows_i64(rows, 0, 0, &base_id) || !ct_rows_i64(rows, 0, 2, &prefix_len) ||
        !ct_rows_i64(rows, 0, 3, &seq) || prefix_len < 0 || prefix_len > CT_IBAN_MAX) {
        err = CT_E_INTERNAL;
        goto out;
    }
    if (ct_iban_generate(ct_rows_str(rows, 0, 1), (int)prefix_len, (uint64_t)seq, iban) != CT_OK) {
        ct_log(LOG_ERR, "base IBAN %lld cannot give account number %lld", (long long)base_id,
               (long long)seq);
        *code = "IBAN_RANGE_EXHAUSTED";
        err = CT_E_RULE;
        goto out;
    }
    err = ct_db_exec(db, sql_seq, NULL, "l", base_id);
    if (err == CT_OK)
        err = ct_ledger_account_open(db, partner_id, CT_ACCT_USER_BALANCE, currency, false,
                                     &account_id);
    if (err == CT_OK)
        err = ct_uuid_new(id);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_ins, NULL, "slslssll", id, partner_id, customer_id, account_id,
                         currency, iban, base_id, seq);
    if (err == CT_OK) {
        /* the partner's account creation fee, in this unit: a new balance holds nothing yet, so
         * it is recorded as due and collected once money arrives (ct_fee_collect_due) */
        struct ct_fee_event_ref fee = {
            partner_id, CT_FEE_ACCOUNT_CREATION, account_id, currency, 0, NULL, NULL, id};
        struct ct_fee_result charged;

        err = ct_fee_charge_event(db, &fee, &charged);
    }
    if (err == CT_OK)
        err = ct_balance_get(db, partner_id, customer_id, id, out);
out:
    ct_rows_free(rows);
    return err;
}

static enum ct_err
open_unit_fn(struct ct_db *db, void *arg)
{
    struct open_unit *o = arg;

    o->code = NULL;
    return ct_balance_open(db, o->partner_id, o->customer_id, o->currency, &o->balance, &o->code);
}

static const char *
refusal_message(enum ct_err err, const char *code)
{
    static const struct {
        const char *code, *message;
    } messages[] = {
        {"KYC_NOT_VERIFIED", "the customer's KYC is not verified"},
        {"NO_BASE_IBAN", "no base IBAN is configured for this currency"},
        {"IBAN_RANGE_EXHAUSTED", "no account number is left for this currency"},
    };
    size_t i;

    for (i = 0; code != NULL && i < sizeof(messages) / sizeof(messages[0]); i++)
        if (strcmp(code, messages[i].code) == 0)
            return messages[i].message;
    return err == CT_E_NOTFOUND ? "customer not found" : "the balance could not be opened";
}

enum ct_err
ct_balance_reply_open(struct ct_req *req, const char *customer_id)
{
    static const char *const fields[] = {"currency", NULL};
    struct open_unit o;
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&o, 0, sizeof(o));
    ct_body_only(req, fields);
    o.currency = ct_body_str(req, "currency", true, 3);
    if (o.currency != NULL && ct_currency_find(o.currency) == NULL)
        ct_req_field_error(req, "currency", "must be an ISO 4217 currency code");
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    o.partner_id = req->ident.partner_id;
    o.customer_id = customer_id;
    err = ct_db_txn(req->db, open_unit_fn, &o);
    if (err != CT_OK)
        return ct_req_fail(req, err, o.code, refusal_message(err, o.code));
    return ct_reply_json(req, 201, ct_balance_json(&o.balance));
}

enum ct_err
ct_balance_get(struct ct_db *db, int64_t partner_id, const char *customer_id, const char *id,
               struct ct_balance *out)
{
    static const char sql[] =
        "SELECT " BALANCE_COLS BALANCE_FROM "WHERE b.id = ? AND b.partner_id = ? "
        "AND (? IS NULL OR b.customer_id = ?)";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (!ct_uuid_valid(id))
        return CT_E_NOTFOUND;
    err = ct_db_query_one(db, sql, &rows, "slss", id, partner_id, customer_id, customer_id);
    if (err == CT_OK)
        load_row(rows, 0, out);
    ct_rows_free(rows);
    return err;
}

/* The fields a money movement needs, from the balance table alone: a reload's lookup without the
 * joins a read answer needs (IBAN's BIC, the amounts). */
enum ct_err
ct_balance_get_ref(struct ct_db *db, int64_t partner_id, const char *customer_id, const char *id,
                   struct ct_balance *out)
{
    static const char sql[] = "SELECT id, partner_id, customer_id, account_id, currency, status "
                              "FROM balance WHERE id = ? AND partner_id = ? AND customer_id = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (!ct_uuid_valid(id) || customer_id == NULL)
        return CT_E_NOTFOUND;
    err = ct_db_query(db, sql, &rows, "sls", id, partner_id, customer_id);
    if (err != CT_OK)
        return err;
    memset(out, 0, sizeof(*out));
    if (ct_rows_count(rows) == 1 && ct_rows_i64(rows, 0, 1, &out->partner_id) &&
        ct_rows_i64(rows, 0, 3, &out->account_id)) {
        (void)snprintf(out->id, sizeof(out->id), "%s", ct_rows_str(rows, 0, 0));
        (void)snprintf(out->customer_id, sizeof(out->customer_id), "%s", ct_rows_str(rows, 0, 2));
        (void)snprintf(out->currency, sizeof(out->currency), "%s", ct_rows_str(rows, 0, 4));
        (void)snprintf(out->status, sizeof(out->status), "%s", ct_rows_str(rows, 0, 5));
    } else
        err = CT_E_NOTFOUND;
    ct_rows_free(rows);
    return err;
}

#define LIST_WHERE                                                                                 \
    "WHERE b.partner_id = ? AND (? IS NULL OR b.customer_id = ?) "                                 \
    "AND (? IS NULL OR b.currency = ?) AND (? IS NULL OR b.iban = ?) "                             \
    "AND (? IS NULL OR b.created_at >= ?) AND (? IS NULL OR b.created_at < ?) "

enum ct_err
ct_balance_list(struct ct_db *db, const struct ct_balance_filter *f, int64_t page, int64_t per_page,
                struct ct_balance **out, size_t *n, int64_t *total)
{
    static const char sql_count[] = "SELECT COUNT(*) FROM balance b " LIST_WHERE;
    static const char sql_page[] = "SELECT " BALANCE_COLS BALANCE_FROM LIST_WHERE
                                   "ORDER BY b.created_at DESC, b.id DESC LIMIT ? OFFSET ?";
    struct ct_rows *rows = NULL;
    struct ct_balance *items = NULL;
    int64_t count = 0, offset = (page - 1) * per_page;
    size_t i, got;
    enum ct_err err;

    err = ct_db_query(db, sql_count, &rows, "lssssssssss", f->partner_id, f->customer_id,
                      f->customer_id, f->currency, f->currency, f->iban, f->iban, f->created_from,
                      f->created_from, f->created_to, f->created_to);
    if (err != CT_OK)
        goto out;
    (void)ct_rows_i64(rows, 0, 0, &count);
    ct_rows_free(rows);
    rows = NULL;
    err = ct_db_query(db, sql_page, &rows, "lssssssssssll", f->partner_id, f->customer_id,
                      f->customer_id, f->currency, f->currency, f->iban, f->iban, f->created_from,
                      f->created_from, f->created_to, f->created_to, per_page, offset);
    if (err != CT_OK)
        goto out;
    got = ct_rows_count(rows);
    items = ct_calloc(got, sizeof(*items));
    for (i = 0; i < got; i++)
        load_row(rows, i, &items[i]);
    *out = items;
    *n = got;
    *total = count;
out:
    ct_rows_free(rows);
    return err;
}

struct json_object *
ct_amount_json(int64_t minor, const char *currency)
{
    const struct ct_currency *cur = ct_currency_find(currency);
    char text[CT_MONEY_TEXT_MAX];

    if (cur == NULL)
        return json_object_new_null();
    (void)ct_money_format(minor, cur, text, sizeof(text));
    return json_object_new_string(text);
}

struct json_object *
ct_balance_json(const struct ct_balance *b)
{
    struct json_object *o = json_object_new_object();
    char printed[CT_IBAN_PRINT_MAX + 1];

    ct_iban_print(b->iban, printed);
    json_object_object_add(o, "id", json_object_new_string(b->id));
    json_object_object_add(o, "customer_id", json_object_new_string(b->customer_id));
    json_object_object_add(o, "currency", json_object_new_string(b->currency));
    json_object_object_add(o, "balance", ct_amount_json(b->balance, b->currency));
    json_object_object_add(o, "available", ct_amount_json(b->available, b->currency));
    json_object_object_add(o, "iban", json_object_new_string(b->iban));
    json_object_object_add(o, "iban_formatted", json_object_new_string(printed));
    json_object_object_add(o, "bic", json_object_new_string(b->bic));
    json_object_object_add(o, "status", json_object_new_string(b->status));
    json_object_object_add(o, "created_at", json_object_new_string(b->created_at));
    return o;
}

struct json_object *
ct_balance_iban_json(const struct ct_balance *b)
{
    struct json_object *o = json_object_new_object();
    char printed[CT_IBAN_PRINT_MAX + 1];

    ct_iban_print(b->iban, printed);
    json_object_object_add(o, "balance_id", json_object_new_string(b->id));
    json_object_object_add(o, "customer_id", json_object_new_string(b->customer_id));
    json_object_object_add(o, "iban", json_object_new_string(b->iban));
    json_object_object_add(o, "iban_formatted", json_object_new_string(printed));
    json_object_object_add(o, "currency", json_object_new_string(b->currency));
    json_object_object_add(o, "bic", json_object_new_string(b->bic));
    json_object_object_add(o, "status", json_object_new_string(b->status));
    json_object_object_add(o, "created_at", json_object_new_string(b->created_at));
    return o;
}

enum ct_err
ct_balance_reload(struct ct_db *db, const struct ct_balance *b, int64_t amount,
                  const char *description, int64_t *entry_id, int64_t *balance_after,
                  const char **code)
{
    struct ct_pbal_charge c;

    memset(&c, 0, sizeof(c));
    c.partner_id = b->partner_id;
    c.type = CT_PBAL_CREDIT;
    c.currency = b->currency;
    c.key = b->account_id; /* a balance always draws on the same shard */
    c.to_account = b->account_id;
    c.amount = amount;
    c.kind = "reload";
    c.description = description;
    return ct_pbal_charge(db, &c, entry_id, balance_after, code);
}
