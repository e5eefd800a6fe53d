/* fee.c - a partner's fee schedule: events, the computation of a fee, the strict JSON reader and
 * the writer of GET/PUT /admin/fees, and its storage (replaced whole, in one unit of work). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_balance.h"
#include "ct/ct_fee.h"
#include "ct/ct_money.h"
#include "ct/ct_util.h"
#include "internal.h"

static bool read_amount(struct json_object *o, const char *key, const char *cur, const char *base,
                        int64_t *out, ct_fee_report_fn report, void *arg);
static bool read_rate(struct json_object *o, const char *base, int32_t *out,
                      ct_fee_report_fn report, void *arg);
static bool read_rule(struct json_object *o, const char *base, struct ct_fee_rule *r,
                      ct_fee_report_fn report, void *arg);
static bool read_rules(struct json_object *rules, struct ct_fee_schedule *out,
                       ct_fee_report_fn report, void *arg);
static bool only_known(struct json_object *o, const char *const *known, const char *base,
                       ct_fee_report_fn report, void *arg);
static void req_report(void *arg, const char *field, const char *message);
static void no_report(void *arg, const char *field, const char *message);
static enum ct_err set_unit(struct ct_db *db, void *arg);

static const char *const event_names[] = {
    NULL,
    "account_creation",
    "card_creation",
    "monthly_card",
    "monthly_account",
    "transfer",
    "fx",
    "pos",
    "ecom",
    "atm",
};

const char *
ct_fee_event_name(enum ct_fee_event event)
{
    return event >= CT_FEE_ACCOUNT_CREATION && event <= CT_FEE_EVENT_LAST ? event_names[event]
                                                                          : NULL;
}

enum ct_fee_event
ct_fee_event_from_name(const char *name)
{
    int e;

    for (e = CT_FEE_ACCOUNT_CREATION; name != NULL && e <= CT_FEE_EVENT_LAST; e++)
        if (strcmp(event_names[e], name) == 0)
            return (enum ct_fee_event)e;
    return 0;
}

bool
ct_fee_event_has_rate(enum ct_fee_event event)
{
    return event >= CT_FEE_TRANSFER && event <= CT_FEE_EVENT_LAST;
}

const struct ct_fee_rule *
ct_fee_rule_find(const struct ct_fee_schedule *s, enum ct_fee_event event, const char *currency)
{
    size_t i;

    for (i = 0; currency != NULL && i < s->n; i++)
        if (s->rules[i].event == event && strcmp(s->rules[i].currency, currency) == 0)
            return &s->rules[i];
    return NULL;
}

/* ---- computation ------------------------------------------------------------------------ */

enum ct_err
ct_fee_compute(const struct ct_fee_rule *r, int64_t amount, int64_t *fee)
{
    int64_t q, rem, part, total;

    if (amount < 0 || r->fixed < 0 || r->min < 0 || r->max < 0 || r->rate_bp < 0 ||
        r->rate_bp > CT_FEE_RATE_MAX || (r->max > 0 && r->min > r->max))
        return CT_E_BADREQ;
    /* amount * rate / 10000 as (q * 10000 + rem) * rate / 10000 = q * rate + rem * rate / 10000:
     * q * rate stays under 10^16 for any amount ct_money_parse accepts, rem * rate under 10^8,
     * and adding 5000 before the division rounds the remainder half up */
    q = amount / 10000;
    rem = amount % 10000;
    if (__builtin_mul_overflow(q, (int64_t)r->rate_bp, &part) ||
        __builtin_add_overflow(part, (rem * r->rate_bp + 5000) / 10000, &part) ||
        __builtin_add_overflow(part, r->fixed, &total))
        return CT_E_BADREQ;
    if (total < r->min)
        total = r->min;
    if (r->max > 0 && total > r->max)
        total = r->max;
    *fee = total;
    return CT_OK;
}

/* ---- JSON in ---------------------------------------------------------------------------- */

/* An optional amount member (decimal string or JSON number, in currency units, 0 allowed); a
 * missing or null one leaves *out alone. False after a report. */
static bool
read_amount(struct json_object *o, const char *key, const char *cur, const char *base, int64_t *out,
            ct_fee_report_fn report, void *arg)
{
    struct json_object *v = NULL;
    const char *text, *why = NULL;
    enum json_type t;
    char field[96];

    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return true;
    (void)snprintf(field, sizeof(field), "%s.%s", base, key);
    t = json_object_get_type(v);
    if (t != json_type_string && t != json_type_double && t != json_type_int) {
        report(arg, field, "must be a decimal string or a number");
        return false;
    }
    if (cur == NULL)
        return true; /* the currency is reported; its exponent is unknown */
    /* json-c keeps a number's text as written, so it never passes through a double */
    text = json_object_get_string(v);
    if (text[0] == '-') {
        report(arg, field, "must not be negative");
        return false;
    }
    if (ct_money_parse(text, strlen(text), ct_currency_find(cur), true, out, &why) != CT_OK) {
        report(arg, field, why != NULL ? why : "is not a valid amount");
        return false;
    }
    return true;
}

static bool
read_rate(struct json_object *o, const char *base, int32_t *out, ct_fee_report_fn report, void *arg)
{
    struct json_object *v = NULL;
    int64_t bp;
    char field[96];

    if (!json_object_object_get_ex(o, "rate_bp", &v) || json_object_is_type(v, json_type_null))
        return true;
    (void)snprintf(field, sizeof(field), "%s.rate_bp", base);
    if (!json_object_is_type(v, json_type_int)) {
        report(arg, field, "must be an integer number of basis points");
        return false;
    }
    bp = json_object_get_int64(v); /* saturates past 64 bits: out of range either way */
    if (bp < 0 || bp > CT_FEE_RATE_MAX) {
        report(arg, field, "must be between 0 and 10000 basis points");
        return false;
    }
    *out = (int32_t)bp;
    return true;
}

/* Reports each member of o not in the NULL-terminated list (as "base.name", or "name" when base
 * is NULL); false when there was one. */
static bool
only_known(struct json_object *o, const char *const *known, const char *base,
           ct_fee_report_fn report, void *arg)
{
    char field[96];
    bool ok = true;

    json_object_object_foreach(o, key, val)
    {
        const char *const *k;
        const char *name = key[0] == '\0'      ? "(empty name)"
                           : strlen(key) <= 64 ? key
                                               : "(long name)";

        (void)val;
        for (k = known; *k != NULL && strcmp(*k, key) != 0; k++)
            ;
        if (*k != NULL)
            continue;
        if (base != NULL)
            (void)snprintf(field, sizeof(field), "%s.%s", base, name);
        report(arg, base != NULL ? field : name, "unknown field");
        ok = false;
    }
    return ok;
}

static bool
read_rule(struct json_object *o, const char *base, struct ct_fee_rule *r, ct_fee_report_fn report,
          void *arg)
{
    static const char *const known[] = {"event", "currency", "fixed", "rate_bp",
                                        "min",   "max",      NULL};
    struct json_object *ev = NULL, *cur = NULL;
    const char *cur_ok = NULL;
    char field[96];
    bool ok = true;
    size_t k;

    memset(r, 0, sizeof(*r));
    if (!json_object_is_type(o, json_type_object)) {
        report(arg, base, "must be an object");
        return false;
    }
    ok = only_known(o, known, base, report, arg);
    (void)snprintf(field, sizeof(field), "%s.event", base);
    if (json_object_object_get_ex(o, "event", &ev) && json_object_is_type(ev, json_type_string))
        r->event = ct_fee_event_from_name(json_object_get_string(ev));
    if (r->event == 0) {
        report(arg, field,
               "must be one of account_creation, card_creation, monthly_card, "
               "monthly_account, transfer, fx, pos, ecom, atm");
        ok = false;
    }
    (void)snprintf(field, sizeof(field), "%s.currency", base);
    if (json_object_object_get_ex(o, "currency", &cur) &&
        json_object_is_type(cur, json_type_string) &&
        ct_currency_find(json_object_get_string(cur)) != NULL) {
        cur_ok = json_object_get_string(cur);
        (void)snprintf(r->currency, sizeof(r->currency), "%s", cur_ok);
    } else {
        report(arg, field, "must be an ISO 4217 currency code");
        ok = false;
    }
    ok = read_amount(o, "fixed", cur_ok, base, &r->fixed, report, arg) && ok;
    if (r->event != 0 && !ct_fee_event_has_rate(r->event)) {
        for (k = 3; k < 6; k++)
            if (json_object_object_get_ex(o, known[k], NULL)) {
                (void)snprintf(field, sizeof(field), "%s.%s", base, known[k]);
                report(arg, field, "not allowed for this event (it has no amount)");
                ok = false;
            }
        return ok;
    }
    ok = read_rate(o, base, &r->rate_bp, report, arg) && ok;
    ok = read_amount(o, "min", cur_ok, base, &r->min, report, arg) && ok;
    ok = read_amount(o, "max", cur_ok, base, &r->max, report, arg) && ok;
    if (ok && r->max > 0 && r->min > r->max) {
        (void)snprintf(field, sizeof(field), "%s.max", base);
        report(arg, field, "must not be less than min (leave it out for no maximum)");
        ok = false;
    }
    return ok;
}

static bool
read_rules(struct json_object *rules, struct ct_fee_schedule *out, ct_fee_report_fn report,
           void *arg)
{
    size_t i, j, n;
    char base[32];
    bool ok = true;

    if (rules == NULL || !json_object_is_type(rules, json_type_array)) {
        report(arg, "rules", "is required: an array of rules");
        return false;
    }
    n = json_object_array_length(rules);
    if (n > CT_FEE_RULES_MAX) {
        report(arg, "rules", "has more than 256 rules");
        return false;
    }
    for (i = 0; i < n; i++) {
        struct ct_fee_rule *r = &out->rules[out->n];

        (void)snprintf(base, sizeof(base), "rules[%zu]", i);
        if (!read_rule(json_object_array_get_idx(rules, i), base, r, report, arg)) {
            ok = false;
            continue;
        }
        for (j = 0; j < out->n; j++)
            if (out->rules[j].event == r->event && strcmp(out->rules[j].currency, r->currency) == 0)
                break;
        if (j < out->n) {
            report(arg, base, "a second rule for the same event and currency");
            ok = false;
            continue;
        }
        out->n++;
    }
    return ok;
}

enum ct_err
ct_fee_schedule_read(struct json_object *body, struct ct_fee_schedule *out, ct_fee_report_fn report,
                     void *arg)
{
    static const char *const known[] = {"rules", "version", "updated_at", NULL};
    struct json_object *rules = NULL, *version = NULL;
    bool ok = true;

    memset(out, 0, sizeof(*out));
    out->version = -1;
    if (report == NULL)
        report = no_report;
    if (body == NULL || !json_object_is_type(body, json_type_object)) {
        report(arg, "body", "must be a JSON object");
        return CT_E_RULE;
    }
    ok = only_known(body, known, NULL, report, arg);
    if (json_object_object_get_ex(body, "version", &version) &&
        !json_object_is_type(version, json_type_null)) {
        if (json_object_is_type(version, json_type_int) && json_object_get_int64(version) >= 0 &&
            json_object_get_int64(version) < INT64_MAX)
            out->version = json_object_get_int64(version);
        else {
            report(arg, "version", "must be the version read (a non-negative integer)");
            ok = false;
        }
    }
    (void)json_object_object_get_ex(body, "rules", &rules);
    ok = read_rules(rules, out, report, arg) && ok;
    return ok ? CT_OK : CT_E_RULE;
}

enum ct_err
ct_fee_schedule_parse(const char *text, size_t len, struct ct_fee_schedule *out,
                      ct_fee_report_fn report, void *arg)
{
    struct json_object *o = NULL;
    const char *why = NULL;
    enum ct_err err;

    if (ct_json_parse_object(text, len, &o, &why) != CT_OK) {
        memset(out, 0, sizeof(*out));
        if (report != NULL)
            report(arg, "body", why != NULL ? why : "is not a JSON object");
        return CT_E_BADREQ;
    }
    err = ct_fee_schedule_read(o, out, report, arg);
    json_object_put(o);
    return err;
}

static void
no_report(void *arg, const char *field, const char *message)
{
    (void)arg;
    (void)field;
    (void)message;
}

static void
req_report(void *arg, const char *field, const char *message)
{
    ct_req_field_error(arg, field, message);
}

enum ct_err
ct_fee_schedule_read_req(struct ct_req *req, struct ct_fee_schedule *out)
{
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    return ct_fee_schedule_read(ct_req_json(req), out, req_report, req);
}

/* ---- JSON out --------------------------------------------------------------------------- */

struct json_object *
ct_fee_schedule_json(const struct ct_fee_schedule *s)
{
    struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
    size_t i;

    /* a schedule read from a body without a version has -1: never set, as far as it says */
    json_object_object_add(o, "version", json_object_new_int64(s->version > 0 ? s->version : 0));
    json_object_object_add(o, "updated_at",
                           s->updated_at[0] != '\0' ? json_object_new_string(s->updated_at) : NULL);
    for (i = 0; i < s->n; i++) {
        const struct ct_fee_rule *r = &s->rules[i];
        struct json_object *j = json_object_new_object();

        json_object_object_add(j, "event", json_object_new_string(ct_fee_event_name(r->event)));
        json_object_object_add(j, "currency", json_object_new_string(r->currency));
        json_object_object_add(j, "fixed", ct_amount_json(r->fixed, r->currency));
        /* events without an amount have no rate: leaving the members out lets a client PUT back
         * what it read */
        if (ct_fee_event_has_rate(r->event)) {
            json_object_object_add(j, "rate_bp", json_object_new_int(r->rate_bp));
            json_object_object_add(j, "min", ct_amount_json(r->min, r->currency));
            json_object_object_add(j, "max",
                                   r->max > 0 ? ct_amount_json(r->max, r->currency) : NULL);
        }
        json_object_array_add(rules, j);
    }
    json_object_object_add(o, "rules", rules);
    return o;
}

/* ---- storage ---------------------------------------------------------------------------- */

enum ct_err
ct_fee_schedule_load(struct ct_db *db, int64_t partner_id, struct ct_fee_schedule *out)
{
    static const char sql_head[] = "SELECT version, updated_at FROM fee_schedule "
                                   "WHERE partner_id = ?";
    static const char sql_rules[] =
        "SELECT event, currency, fixed, rate_bp, min_amount, max_amount FROM fee_rule "
        "WHERE partner_id = ? ORDER BY event, currency";
    struct ct_rows *r = NULL;
    enum ct_err err;
    size_t i, n;

    memset(out, 0, sizeof(*out));
    out->partner_id = partner_id;
    err = ct_db_query(db, sql_head, &r, "l", partner_id);
    if (err == CT_OK && ct_rows_count(r) == 1) {
        if (!ct_rows_i64(r, 0, 0, &out->version))
            err = CT_E_INTERNAL;
        ct_time_from_db(ct_rows_str(r, 0, 1), out->updated_at);
    }
    ct_rows_free(r);
    r = NULL;
    if (err == CT_OK)
        err = ct_db_query(db, sql_rules, &r, "l", partner_id);
    n = err == CT_OK ? ct_rows_count(r) : 0;
    for (i = 0; err == CT_OK && i < n && i < CT_FEE_RULES_MAX; i++) {
        struct ct_fee_rule *x = &out->rules[i];
        int64_t bp = 0;

        x->event = ct_fee_event_from_name(ct_rows_str(r, i, 0));
        (void)snprintf(x->currency, sizeof(x->currency), "%s", ct_rows_str(r, i, 1));
        if (x->event == 0 || !ct_rows_i64(r, i, 2, &x->fixed) || !ct_rows_i64(r, i, 3, &bp) ||
            !ct_rows_i64(r, i, 4, &x->min) || !ct_rows_i64(r, i, 5, &x->max))
            err = CT_E_INTERNAL;
        x->rate_bp = (int32_t)bp;
        out->n++;
    }
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_fee_schedule_replace(struct ct_db *db, int64_t partner_id, const struct ct_fee_schedule *s,
                        int64_t expect_version, const char **code)
{
    static const char sql_head[] =
        "INSERT INTO fee_schedule (partner_id, version, updated_at) VALUES (?, 1, NOW(6)) "
        "ON DUPLICATE KEY UPDATE version = version + 1, updated_at = NOW(6)";
    static const char sql_version[] = "SELECT version FROM fee_schedule WHERE partner_id = ?";
    static const char sql_del[] = "DELETE FROM fee_rule WHERE partner_id = ?";
    static const char sql_ins[] =
        "INSERT INTO fee_rule (partner_id, event, currency, fixed, rate_bp, min_amount, "
        "max_amount) VALUES (?, ?, ?, ?, ?, ?, ?)";
    struct ct_rows *r = NULL;
    int64_t version = 0, income, shard;
    enum ct_err err;
    size_t i, j;

    *code = NULL;
    if (s->n > CT_FEE_RULES_MAX)
        return CT_E_BADREQ;
    /* the head row first: its lock serialises two replacements of one partner's schedule */
    err = ct_db_exec(db, sql_head, NULL, "l", partner_id);
    if (err == CT_OK)
        err = ct_db_query(db, sql_version, &r, "l", partner_id);
    if (err == CT_OK && (ct_rows_count(r) != 1 || !ct_rows_i64(r, 0, 0, &version)))
        err = CT_E_INTERNAL;
    ct_rows_free(r);
    if (err == CT_OK && expect_version >= 0 && version != expect_version + 1) {
        *code = "FEE_SCHEDULE_CHANGED";
        return CT_E_CONFLICT;
    }
    if (err == CT_OK)
        err = ct_db_exec(db, sql_del, NULL, "l", partner_id);
    for (i = 0; err == CT_OK && i < s->n; i++) {
        const struct ct_fee_rule *x = &s->rules[i];
        int64_t probe;

        if (ct_fee_event_name(x->event) == NULL || ct_currency_find(x->currency) == NULL ||
            ct_fee_compute(x, 0, &probe) != CT_OK)
            return CT_E_BADREQ;
        err = ct_db_exec(db, sql_ins, NULL, "lssliil", partner_id, ct_fee_event_name(x->event),
                         x->currency, x->fixed, (int)x->rate_bp, x->min, x->max);
        if (err == CT_E_CONFLICT)
            return CT_E_BADREQ; /* two rules for one event and currency */
        /* the fee income accounts of each currency, once (charges then never race to open
         * them) */
        for (j = 0; j < i && strcmp(s->rules[j].currency, x->currency) != 0; j++)
            ;
        for (shard = 0; err == CT_OK && j == i && shard < CT_FEE_INCOME_SHARDS; shard++)
            err = ct_fee_income_account(db, partner_id, x->currency, shard, &income);
    }
    return err;
}

struct set_ctx {
    int64_t partner_id, expect;
    const struct ct_fee_schedule *s;
    const char *code;
};

static enum ct_err
set_unit(struct ct_db *db, void *arg)
{
    struct set_ctx *c = arg;

    return ct_fee_schedule_replace(db, c->partner_id, c->s, c->expect, &c->code);
}

enum ct_err
ct_fee_schedule_set(struct ct_db *db, int64_t partner_id, const struct ct_fee_schedule *s,
                    int64_t expect_version, struct ct_fee_schedule *out, const char **code)
{
    struct set_ctx c = {partner_id, expect_version, s, NULL};
    enum ct_err err = ct_db_txn(db, set_unit, &c);

    *code = c.code;
    return err == CT_OK ? ct_fee_schedule_load(db, partner_id, out) : err;
}
