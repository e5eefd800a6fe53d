/* card.c - payment cards: the state machine (seed 003: lock reasons and action codes, which locks
 * are final), the request body readers, and the card rows every channel shares. PAN, CVC2 and PIN
 * go through card_pan.c, card_cvv.c and card_pin.c; none is stored, logged or answered in clear
 * here (the full-data route answers the PAN and CVC2 sealed in a JWE). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include "ct/ct_balance.h"
#include "ct/ct_card.h"
#include "ct/ct_card_cvv.h"
#include "ct/ct_customer.h"
#include "ct/ct_fee.h"
#include "ct/ct_kyc.h"
#include "ct/ct_log.h"

#define PAN_DRAWS 8                /* a duplicate PAN is drawn again (ct_card_pan_generate) */
#define FEE_BATCH 200              /* cards listed per query for their monthly fee */
#define PERSONALISATION_HOURS "48" /* seed 003: "around 48 hours after card ordering" */
#define SEAL_CTX_MAX 64

static const struct ct_card_lock_reason lock_reasons[] = {
    {1, "CARD_LOST", "2008", true},        {2, "CARD_STOLEN", "2009", true},
    {3, "PENDING_QUERY", "1000", false},   {4, "CARD_CONSOLIDATION", "1016", false},
    {5, "CARD_INACTIVE", "1018", true},    {6, "PIN_TRIES_EXCEEDED", "1006", false},
    {7, "SUSPECTED_FRAUD", "1002", false}, {8, "CARD_REPLACED", "1011", true},
};

static const struct {
    const char *code;
    const char *message;
} refusals[] = {
    {"CARD_REMOVED", "the card was removed"},
    {"CARD_NOT_PHYSICAL", "only a physical card can do this"},
    {"CARD_NOT_VIRTUAL", "only a virtual card can do this"},
    {"CARD_NOT_ORDERED", "the card is not waiting for personalisation"},
    {"CARD_NOT_LINKED", "the card has not been personalised and linked yet"},
    {"CARD_ALREADY_ACTIVE", "the card is already active"},
    {"CARD_LOCKED", "the card is locked"},
    {"CARD_NOT_LOCKED", "the card is not locked"},
    {"CARD_LOCK_IRREVERSIBLE", "the card is locked for a reason that cannot be undone"},
    {"INVALID_LOCK_REASON", "the lock reason must be 1 to 8"},
    {"KYC_NOT_VERIFIED", "the customer's KYC is not VERIFIED"},
    {"BALANCE_NOT_ACTIVE", "the balance is not active"},
    {"NO_CARD_PROGRAM", "the partner has no card program"},
    {"CVV_RESETS_EXHAUSTED", "no CVV reset is left: the card must be replaced"},
    {"FULL_DATA_FORBIDDEN", "full card data is never shown on this channel"},
};

static const char *const status_names[] = {"ORDERED", "INACTIVE", "ACTIVE", "REMOVED"};
static const char *const channel_names[] = {"CUSTOMER", "PARTNER", "OPERATOR", "PROCESSOR",
                                            "SYSTEM"};

struct create_unit {
    const struct ct_card_keys *keys;
    const struct ct_card_who *who;
    const struct ct_card_new *n;
    struct ct_card *card;
    const char *code;
};
struct act_unit {
    const struct ct_card_keys *keys;
    const struct ct_card_who *who;
    const char *id;  /* by id ... */
    const char *ref; /* ... or by order reference (link) */
    const char *tracking;
    enum ct_card_action action;
    int reason;
    const char *pin;
    struct ct_card *card;
    const char *code;
};

static enum ct_err refuse(const char **code, const char *why);
static bool text_ok(const char *s, size_t len);
static bool create_args_ok(const struct ct_card_who *who, const struct ct_card_new *n);
static bool read_text(struct json_object *o, const char *member, const char *field, bool required,
                      char *dst, size_t cap, ct_card_field_err err, void *ctx);
static void seal_ctx(const struct ct_card *c, char out[SEAL_CTX_MAX]);
static void expiry_from_now(int months, char out[5]);
static enum ct_err issue_pan(struct ct_db *db, const struct ct_card_keys *keys, struct ct_card *c,
                             int expiry_months);
static enum ct_err insert_event(struct ct_db *db, const struct ct_card *c, const char *event,
                                const char *from, const struct ct_card_who *who);
static void load_row(const struct ct_rows *r, size_t row, struct ct_card *c);
static enum ct_err load_one(struct ct_db *db, const char *sql, const char *key,
                            const struct ct_card_who *who, struct ct_card *out);
static void default_name(const struct ct_customer *cu, char out[CT_CARD_NAME_MAX + 1]);
static enum ct_err create_fn(struct ct_db *db, void *arg);
static enum ct_err act_fn(struct ct_db *db, void *arg);
static enum ct_err save_state(struct ct_db *db, const struct ct_card *c, const char *pin_sealed);
static const char *event_of(enum ct_card_action a);
static enum ct_err run_act(struct ct_db *db, struct act_unit *u, const char **code);

/* ---- the state machine ------------------------------------------------------------------- */

const struct ct_card_lock_reason *
ct_card_lock_reason(int code)
{
    if (code < CT_CARD_LOCK_MIN || code > CT_CARD_LOCK_MAX)
        return NULL;
    return &lock_reasons[code - 1];
}

static enum ct_err
refuse(const char **code, const char *why)
{
    *code = why;
    return CT_E_RULE;
}

enum ct_err
ct_card_transition(struct ct_card_state *s, enum ct_card_action action, int reason,
                   const char **code)
{
    const struct ct_card_lock_reason *now = ct_card_lock_reason(s->lock_reason);

    if (s->status == CT_CARD_REMOVED)
        return refuse(code, "CARD_REMOVED");
    switch (action) {
    case CT_CARD_LINK:
        if (s->type != CT_CARD_PHYSICAL)
            return refuse(code, "CARD_NOT_PHYSICAL");
        if (s->status != CT_CARD_ORDERED)
            return refuse(code, "CARD_NOT_ORDERED");
        s->status = CT_CARD_INACTIVE;
        return CT_OK;
    case CT_CARD_ACTIVATE:
        if (s->type != CT_CARD_PHYSICAL)
            return refuse(code, "CARD_NOT_PHYSICAL");
        if (s->status == CT_CARD_ORDERED)
            return refuse(code, "CARD_NOT_LINKED");
        if (s->lock_reason != 0)
            return refuse(code, "CARD_LOCKED");
        if (s->status == CT_CARD_ACTIVE)
            return refuse(code, "CARD_ALREADY_ACTIVE");
        s->status = CT_CARD_ACTIVE;
        return CT_OK;
    case CT_CARD_LOCK:
        if (ct_card_lock_reason(reason) == NULL) {
            *code = "INVALID_LOCK_REASON";
            return CT_E_BADREQ;
        }
        if (s->status == CT_CARD_ORDERED)
            return refuse(code, "CARD_NOT_LINKED");
        if (now != NULL && now->irreversible)
            return refuse(code, "CARD_LOCK_IRREVERSIBLE");
        s->lock_reason = reason;
        return CT_OK;
    case CT_CARD_UNLOCK:
        if (now == NULL)
            return refuse(code, "CARD_NOT_LOCKED");
        if (now->irreversible)
            return refuse(code, "CARD_LOCK_IRREVERSIBLE");
        s->lock_reason = 0;
        return CT_OK;
    case CT_CARD_REMOVE:
        s->status = CT_CARD_REMOVED;
        return CT_OK;
    case CT_CARD_RESET_CVV:
        if (s->type != CT_CARD_VIRTUAL)
            return refuse(code, "CARD_NOT_VIRTUAL");
        /* then as SET_PIN and READ_FULL */
        __attribute__((fallthrough));
    case CT_CARD_SET_PIN:
    case CT_CARD_READ_FULL:
        if (s->status == CT_CARD_ORDERED)
            return refuse(code, "CARD_NOT_LINKED");
        if (s->lock_reason != 0)
            return refuse(code, "CARD_LOCKED");
        return CT_OK;
    }
    return refuse(code, "CARD_REMOVED");
}

const char *
ct_card_status_name(const struct ct_card_state *s)
{
    if (s->status != CT_CARD_REMOVED && s->lock_reason != 0)
        return "LOCKED";
    if ((unsigned)s->status >= sizeof(status_names) / sizeof(status_names[0]))
        return "REMOVED";
    return status_names[s->status];
}

const char *
ct_card_type_name(enum ct_card_type type)
{
    return type == CT_CARD_PHYSICAL ? "PHYSICAL" : "VIRTUAL";
}

const char *
ct_card_channel_name(enum ct_card_channel channel)
{
    if ((unsigned)channel >= sizeof(channel_names) / sizeof(channel_names[0]))
        return "SYSTEM";
    return channel_names[channel];
}

const char *
ct_card_refusal(const char *code)
{
    size_t i;

    for (i = 0; code != NULL && i < sizeof(refusals) / sizeof(refusals[0]); i++)
        if (strcmp(refusals[i].code, code) == 0)
            return refusals[i].message;
    return "the card cannot do this now";
}

/* ---- request bodies ---------------------------------------------------------------------- */

/* Printable text: no control character (C0, DEL) and no NUL inside. */
static bool
text_ok(const char *s, size_t len)
{
    size_t i;

    if (strlen(s) != len)
        return false;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool
read_text(struct json_object *o, const char *member, const char *field, bool required, char *dst,
          size_t cap, ct_card_field_err err, void *ctx)
{
    struct json_object *v = NULL;
    const char *s;
    size_t len;

    if (!json_object_object_get_ex(o, member, &v) || json_object_is_type(v, json_type_null)) {
        if (!required)
            return true;
        err(ctx, field, "is required");
        return false;
    }
    if (!json_object_is_type(v, json_type_string)) {
        err(ctx, field, "must be a string");
        return false;
    }
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (!text_ok(s, len)) {
        err(ctx, field, "must not contain control characters");
        return false;
    }
    if (len == 0 && required) {
        err(ctx, field, "must not be empty");
        return false;
    }
    if (len >= cap) {
        err(ctx, field, "is too long");
        return false;
    }
    memcpy(dst, s, len + 1);
    return true;
}

bool
ct_card_read_address(struct json_object *v, struct ct_card_address *out, ct_card_field_err err,
                     void *ctx)
{
    static const char *const members[] = {"line1", "line2", "city", "postal_code", "country", NULL};
    bool ok = true;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (v == NULL || !json_object_is_type(v, json_type_object)) {
        err(ctx, "delivery_address", v == NULL ? "is required" : "must be an object");
        return false;
    }
    json_object_object_foreach(v, key, val)
    {
        (void)val;
        for (i = 0; members[i] != NULL && strcmp(members[i], key) != 0; i++)
            ;
        if (members[i] == NULL) {
            err(ctx, "delivery_address", "has an unknown member");
            ok = false;
        }
    }
    ok &= read_text(v, "line1", "delivery_address.line1", true, out->line1, sizeof(out->line1), err,
                    ctx);
    ok &= read_text(v, "line2", "delivery_address.line2", false, out->line2, sizeof(out->line2),
                    err, ctx);
    ok &=
        read_text(v, "city", "delivery_address.city", true, out->city, sizeof(out->city), err, ctx);
    if (read_text(v, "postal_code", "delivery_address.postal_code", true, out->postal_code,
                  sizeof(out->postal_code), err, ctx)) {
        for (i = 0; out->postal_code[i] != '\0'; i++)
            if (!isalnum((unsigned char)out->postal_code[i]) && out->postal_code[i] != ' ' &&
                out->postal_code[i] != '-')
                break;
        if (out->postal_code[i] != '\0' || i < 2) {
            err(ctx, "delivery_address.postal_code", "must be 2 to 16 letters, digits, - or space");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (read_text(v, "country", "delivery_address.country", true, out->country,
                  sizeof(out->country), err, ctx)) {
        if (strlen(out->country) != 2 || !isalpha((unsigned char)out->country[0]) ||
            !isalpha((unsigned char)out->country[1])) {
            err(ctx, "delivery_address.country", "must be an ISO 3166 alpha-2 code");
            ok = false;
        }
        out->country[0] = (char)toupper((unsigned char)out->country[0]);
        out->country[1] = (char)toupper((unsigned char)out->country[1]);
    } else {
        ok = false;
    }
    return ok;
}

bool
ct_card_read_lock_reason(struct json_object *v, int *reason, ct_card_field_err err, void *ctx)
{
    int64_t n = 0;
    const char *s;

    if (v == NULL || json_object_is_type(v, json_type_null)) {
        err(ctx, "reason", "is required");
        return false;
    }
    if (json_object_is_type(v, json_type_int)) {
        n = json_object_get_int64(v);
    } else if (json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        if (json_object_get_string_len(v) == 1 && s[0] >= '0' && s[0] <= '9')
            n = s[0] - '0';
    } else {
        err(ctx, "reason", "must be an integer from 1 to 8");
        return false;
    }
    if (n < CT_CARD_LOCK_MIN || n > CT_CARD_LOCK_MAX) {
        err(ctx, "reason", "must be an integer from 1 to 8");
        return false;
    }
    *reason = (int)n;
    return true;
}

bool
ct_card_read_pin(struct json_object *body, char pin[CT_CARD_PIN_MAX + 1], ct_card_field_err err,
                 void *ctx)
{
    struct json_object *v = NULL;
    bool ok = true;

    if (body == NULL || !json_object_is_type(body, json_type_object)) {
        err(ctx, "pin", "is required");
        return false;
    }
    json_object_object_foreach(body, key, val)
    {
        (void)val;
        if (strcmp(key, "pin") != 0) {
            err(ctx, "pin", "is the only field of this request");
            ok = false;
        }
    }
    if (!json_object_object_get_ex(body, "pin", &v) || json_object_is_type(v, json_type_null)) {
        err(ctx, "pin", "is required");
        return false;
    }
    if (!json_object_is_type(v, json_type_string) ||
        ct_card_pin_parse(json_object_get_string(v), (size_t)json_object_get_string_len(v), pin) !=
            CT_OK) {
        err(ctx, "pin", "must be a string of 4 to 12 digits");
        return false;
    }
    if (!ok)
        OPENSSL_cleanse(pin, CT_CARD_PIN_MAX + 1);
    return ok;
}

bool
ct_card_read_name(struct json_object *v, char out[CT_CARD_NAME_MAX + 1], ct_card_field_err err,
                  void *ctx)
{
    const char *s;
    size_t len, i, letters = 0;
    char buf[CT_CARD_NAME_MAX + 1];

    if (v == NULL || !json_object_is_type(v, json_type_string)) {
        err(ctx, "cardholder_name", "must be a string");
        return false;
    }
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (len < 2 || len > CT_CARD_NAME_MAX || strlen(s) != len) {
        err(ctx, "cardholder_name", "must be 2 to 26 characters");
        return false;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (isalpha(ch) && ch < 0x80) {
            buf[i] = (char)toupper(ch);
            letters++;
        } else if (ch == ' ' || ch == '-' || ch == '.' || ch == '\'') {
            buf[i] = (char)ch;
        } else {
            err(ctx, "cardholder_name", "must be letters A-Z, spaces, '-', '.' or '''");
            return false;
        }
    }
    if (letters == 0) {
        err(ctx, "cardholder_name", "must hold a letter");
        return false;
    }
    buf[len] = '\0';
    memcpy(out, buf, len + 1);
    return true;
}

/* ---- rows -------------------------------------------------------------------------------- */

#define CARD_COLS                                                                                  \
    "c.id, c.partner_id, c.customer_id, c.balance_id, c.program_id, c.type, c.status, "            \
    "c.lock_reason, c.bin, p.pan_length, c.pan_sealed, c.last4, c.expiry, c.cvv_generation, "      \
    "c.pin_sealed IS NOT NULL, c.cardholder_name, c.delivery_line1, c.delivery_line2, "            \
    "c.delivery_city, c.delivery_postal_code, c.delivery_country, c.reference, "                   \
    "c.tracking_number, c.personalisation_due, c.created_at, c.updated_at "
#define CARD_FROM "FROM card c JOIN card_program p ON p.id = c.program_id "
/* the caller's scope; a call with neither a partner nor a processor sees nothing */
#define CARD_SCOPE                                                                                 \
    "AND (? = 0 OR c.partner_id = ?) AND (? IS NULL OR c.customer_id = ?) "                        \
    "AND (? = 0 OR p.processor_id = ?) AND (? <> 0 OR ? <> 0) "

static void
copy_col(const struct ct_rows *r, size_t row, size_t col, char *dst, size_t cap)
{
    const char *v = ct_rows_str(r, row, col);

    (void)snprintf(dst, cap, "%s", v != NULL ? v : "");
}

static void
load_row(const struct ct_rows *r, size_t row, struct ct_card *c)
{
    int64_t v = 0;
    size_t i;
    const char *s;

    memset(c, 0, sizeof(*c));
    copy_col(r, row, 0, c->id, sizeof(c->id));
    (void)ct_rows_i64(r, row, 1, &c->partner_id);
    copy_col(r, row, 2, c->customer_id, sizeof(c->customer_id));
    copy_col(r, row, 3, c->balance_id, sizeof(c->balance_id));
    (void)ct_rows_i64(r, row, 4, &c->program_id);
    s = ct_rows_str(r, row, 5);
    c->st.type = s != NULL && strcmp(s, "PHYSICAL") == 0 ? CT_CARD_PHYSICAL : CT_CARD_VIRTUAL;
    s = ct_rows_str(r, row, 6);
    c->st.status = CT_CARD_REMOVED;
    for (i = 0; s != NULL && i < sizeof(status_names) / sizeof(status_names[0]); i++)
        if (strcmp(s, status_names[i]) == 0)
            c->st.status = (enum ct_card_status)i;
    if (ct_rows_i64(r, row, 7, &v))
        c->st.lock_reason = (int)v;
    copy_col(r, row, 8, c->bin, sizeof(c->bin));
    if (ct_rows_i64(r, row, 9, &v))
        c->pan_length = (int)v;
    copy_col(r, row, 10, c->pan_sealed, sizeof(c->pan_sealed));
    copy_col(r, row, 11, c->last4, sizeof(c->last4));
    copy_col(r, row, 12, c->expiry, sizeof(c->expiry));
    if (ct_rows_i64(r, row, 13, &v))
        c->cvv_generation = (unsigned)v;
    c->pin_set = ct_rows_i64(r, row, 14, &v) && v == 1;
    copy_col(r, row, 15, c->cardholder_name, sizeof(c->cardholder_name));
    c->has_address = ct_rows_str(r, row, 16) != NULL;
    copy_col(r, row, 16, c->delivery.line1, sizeof(c->delivery.line1));
    copy_col(r, row, 17, c->delivery.line2, sizeof(c->delivery.line2));
    copy_col(r, row, 18, c->delivery.city, sizeof(c->delivery.city));
    copy_col(r, row, 19, c->delivery.postal_code, sizeof(c->delivery.postal_code));
    copy_col(r, row, 20, c->delivery.country, sizeof(c->delivery.country));
    copy_col(r, row, 21, c->reference, sizeof(c->reference));
    copy_col(r, row, 22, c->tracking_number, sizeof(c->tracking_number));
    if (ct_rows_str(r, row, 23) != NULL)
        ct_time_from_db(ct_rows_str(r, row, 23), c->personalisation_due);
    if (ct_rows_str(r, row, 24) != NULL)
        ct_time_from_db(ct_rows_str(r, row, 24), c->created_at);
    if (ct_rows_str(r, row, 25) != NULL)
        ct_time_from_db(ct_rows_str(r, row, 25), c->updated_at);
}

/* The one card `sql` selects by key within who's scope. */
static enum ct_err
load_one(struct ct_db *db, const char *sql, const char *key, const struct ct_card_who *who,
         struct ct_card *out)
{
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (!ct_uuid_valid(key))
        return CT_E_NOTFOUND;
    err = ct_db_query_one(db, sql, &rows, "sllssllll", key, who->partner_id, who->partner_id,
                          who->customer_id, who->customer_id, who->processor_id, who->processor_id,
                          who->partner_id, who->processor_id);
    if (err == CT_OK)
        load_row(rows, 0, out);
    ct_rows_free(rows);
    return err;
}

enum ct_err
ct_card_get(struct ct_db *db, const struct ct_card_who *who, const char *id, struct ct_card *out)
{
    static const char sql[] = "SELECT " CARD_COLS CARD_FROM "WHERE c.id = ? " CARD_SCOPE;

    return load_one(db, sql, id, who, out);
}

enum ct_err
ct_card_list(struct ct_db *db, const struct ct_card_who *who, int64_t page, int64_t per_page,
             struct ct_card **out, size_t *n, int64_t *total)
{
    static const char count_sql[] =
        "SELECT COUNT(*) FROM card c WHERE c.partner_id = ? AND c.customer_id = ?";
    static const char sql[] =
        "SELECT " CARD_COLS CARD_FROM "WHERE c.partner_id = ? AND c.customer_id = ? "
        "ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
    struct ct_rows *rows = NULL;
    struct ct_card *items;
    size_t i, count;
    enum ct_err err;

    if (who->partner_id == 0 || who->customer_id == NULL)
        return CT_E_NOTFOUND;
    err = ct_db_query(db, count_sql, &rows, "ls", who->partner_id, who->customer_id);
    if (err != CT_OK)
        return err;
    if (!ct_rows_i64(rows, 0, 0, total))
        *total = 0;
    ct_rows_free(rows);
    rows = NULL;
    err = ct_db_query(db, sql, &rows, "lsll", who->partner_id, who->customer_id, per_page,
                      (page - 1) * per_page);
    if (err != CT_OK)
        return err;
    count = ct_rows_count(rows);
    items = calloc(count > 0 ? count : 1, sizeof(*items));
    if (items == NULL) {
        ct_rows_free(rows);
        return CT_E_INTERNAL;
    }
    for (i = 0; i < count; i++)
        load_row(rows, i, &items[i]);
    ct_rows_free(rows);
    *out = items;
    *n = count;
    return CT_OK;
}

/* What a sealed PAN is bound to: its row (card id) and tenant (partner id). */
static void
seal_ctx(const struct ct_card *c, char out[SEAL_CTX_MAX])
{
    (void)snprintf(out, SEAL_CTX_MAX, "card:%s:%lld", c->id, (long long)c->partner_id);
}

/* YYMM of the last month of validity: this month plus `months` (UTC). */
static void
expiry_from_now(int months, char out[5])
{
    time_t now = time(NULL);
    struct tm tm;
    int m;

    gmtime_r(&now, &tm);
    m = tm.tm_year * 12 + tm.tm_mon + months;
    out[0] = (char)('0' + (m / 12) % 100 / 10);
    out[1] = (char)('0' + (m / 12) % 10);
    out[2] = (char)('0' + (m % 12 + 1) / 10);
    out[3] = (char)('0' + (m % 12 + 1) % 10);
    out[4] = '\0';
}

/* A new PAN in the card's BIN range, unique by its lookup hash, sealed into c with its last four
 * and expiry. The clear PAN lives on this stack only and is wiped. */
static enum ct_err
issue_pan(struct ct_db *db, const struct ct_card_keys *keys, struct ct_card *c, int expiry_months)
{
    static const char sql[] = "SELECT COUNT(*) FROM card WHERE pan_lookup = ?";
    char pan[CT_CARD_PAN_MAX + 1], lookup[CT_CARD_LOOKUP_HEX + 1], ctx[SEAL_CTX_MAX];
    struct ct_rows *rows = NULL;
    int64_t taken = 1;
    int i;
    enum ct_err err = CT_E_INTERNAL;

    for (i = 0; i < PAN_DRAWS && taken != 0; i++) {
        err = ct_card_pan_generate(c->bin, (size_t)c->pan_length, pan);
        if (err == CT_OK)
            err = ct_card_pan_lookup(keys, pan, lookup);
        if (err == CT_OK)
            err = ct_db_query(db, sql, &rows, "s", lookup);
        if (err != CT_OK)
            break;
        if (!ct_rows_i64(rows, 0, 0, &taken))
            taken = 1;
        ct_rows_free(rows);
        rows = NULL;
    }
    if (err == CT_OK && taken != 0) {
        ct_log(LOG_ERR, "card program %lld: no free PAN in %d draws", (long long)c->program_id,
               PAN_DRAWS);
        err = CT_E_INTERNAL;
    }
    if (err == CT_OK) {
        seal_ctx(c, ctx);
        err = ct_card_pan_seal(keys, pan, ctx, strlen(ctx), c->pan_sealed);
    }
    if (err == CT_OK)
        err = ct_card_pan_last4(pan, c->last4);
    OPENSSL_cleanse(pan, sizeof(pan));
    if (err != CT_OK)
        return err == CT_E_BUSY ? err : CT_E_INTERNAL;
    expiry_from_now(expiry_months, c->expiry);
    memcpy(c->pan_lookup, lookup, sizeof(c->pan_lookup));
    return CT_OK;
}

static enum ct_err
insert_event(struct ct_db *db, const struct ct_card *c, const char *event, const char *from,
             const struct ct_card_who *who)
{
    static const char sql[] = "INSERT INTO card_event (card_id, event, from_status, to_status, "
                              "lock_reason, channel, actor) VALUES (?, ?, ?, ?, ?, ?, ?)";
    char reason[4];
    const char *to = ct_card_status_name(&c->st);
    const char *ch = ct_card_channel_name(who->channel);
    const char *actor = who->actor != NULL ? who->actor : "";

    (void)snprintf(reason, sizeof(reason), "%d", c->st.lock_reason);
    return ct_db_exec(db, sql, NULL, "sssssss", c->id, event, from, to,
                      c->st.lock_reason != 0 ? reason : NULL, ch, actor);
}

/* The customer's names as embossed, when the request gives none: upper-case ASCII letters,
 * spaces and '-' of "FIRST LAST", cut at 26 characters. */
static void
default_name(const struct ct_customer *cu, char out[CT_CARD_NAME_MAX + 1])
{
    char full[256];
    size_t i, n = 0;

    (void)snprintf(full, sizeof(full), "%s %s", cu->first_name, cu->last_name);
    for (i = 0; full[i] != '\0' && n < CT_CARD_NAME_MAX; i++) {
        unsigned char ch = (unsigned char)full[i];

        if (ch < 0x80 && isalpha(ch))
            out[n++] = (char)toupper(ch);
        else if ((ch == ' ' || ch == '-') && n > 0 && out[n - 1] != ' ')
            out[n++] = (char)ch;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    if (n < 2) {
        memcpy(out, "CARDHOLDER", sizeof("CARDHOLDER"));
        return;
    }
    out[n] = '\0';
}

static enum ct_err
create_fn(struct ct_db *db, void *arg)
{
    static const char program_sql[] =
        "SELECT id, bin, pan_length, expiry_months FROM card_program "
        "WHERE partner_id = ? AND is_default = 1 AND status = 'active'";
    static const char insert_sql[] =
        "INSERT INTO card (id, partner_id, customer_id, balance_id, program_id, type, status, bin, "
        "pan_sealed, pan_key_id, pan_lookup, last4, expiry, cardholder_name, delivery_line1, "
        "delivery_line2, delivery_city, delivery_postal_code, delivery_country, reference, "
        "personalisation_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "IF(? = 'PHYSICAL', CURRENT_TIMESTAMP(6) + INTERVAL " PERSONALISATION_HOURS " HOUR, NULL))";
    struct create_unit *u = arg;
    const struct ct_card_who *who = u->who;
    struct ct_card *c = u->card;
    const struct ct_card_address *a = u->n->delivery;
    struct ct_balance b;
    struct ct_customer cu;
    struct ct_rows *rows = NULL;
    int64_t v = 0, months = 36;
    unsigned key_id = 0;
    char key_text[8];
    bool physical = u->n->type == CT_CARD_PHYSICAL;
    struct ct_fee_event_ref fee;
    struct ct_fee_result charged;
    enum ct_err err;

    memset(c, 0, sizeof(*c));
    memset(&fee, 0, sizeof(fee));
    u->code = NULL;
    err = ct_kyc_require_verified(db, who->partner_id, who->customer_id, &u->code);
    if (err != CT_OK)
        return err;
    err = ct_customer_get(db, who->partner_id, who->customer_id, &cu);
    if (err == CT_OK)
        err = ct_balance_get_ref(db, who->partner_id, who->customer_id, u->n->balance_id, &b);
    if (err != CT_OK)
        return err;
    if (strcmp(b.status, "active") != 0)
        return refuse(&u->code, "BALANCE_NOT_ACTIVE");
    err = ct_db_query(db, program_sql, &rows, "l", who->partner_id);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &c->program_id)) {
        ct_rows_free(rows);
        return refuse(&u->code, "NO_CARD_PROGRAM");
    }
    copy_col(rows, 0, 1, c->bin, sizeof(c->bin));
    if (ct_rows_i64(rows, 0, 2, &v))
        c->pan_length = (int)v;
    (void)ct_rows_i64(rows, 0, 3, &months);
    ct_rows_free(rows);

    err = ct_uuid_new(c->id);
    if (err != CT_OK)
        return err;
    c->partner_id = who->partner_id;
    memcpy(c->customer_id, cu.id, sizeof(c->customer_id));
    memcpy(c->balance_id, b.id, sizeof(c->balance_id));
    c->st.type = u->n->type;
    if (u->n->cardholder_name != NULL)
        (void)snprintf(c->cardholder_name, sizeof(c->cardholder_name), "%s", u->n->cardholder_name);
    else
        default_name(&cu, c->cardholder_name);
    if (physical) {
        c->st.status = CT_CARD_ORDERED;
        c->has_address = a != NULL;
        if (a != NULL)
            c->delivery = *a;
        err = ct_uuid_new(c->reference);
    } else {
        c->st.status = CT_CARD_ACTIVE;
        err = issue_pan(db, u->keys, c, (int)months);
        if (err == CT_OK)
            err = ct_card_pan_sealed_key(c->pan_sealed, &key_id);
    }
    if (err != CT_OK)
        return err;
    (void)snprintf(key_text, sizeof(key_text), "%u", key_id);
    err = ct_db_exec(db, insert_sql, NULL,
                     "slssls"
                     "ssssssss"
                     "sssss"
                     "ss",
                     c->id, c->partner_id, c->customer_id, c->balance_id, c->program_id,
                     ct_card_type_name(c->st.type), status_names[c->st.status], c->bin,
                     physical ? NULL : c->pan_sealed, physical ? NULL : key_text,
                     physical ? NULL : c->pan_lookup, physical ? NULL : c->last4,
                     physical ? NULL : c->expiry, c->cardholder_name,
                     physical ? c->delivery.line1 : NULL,
                     physical && c->delivery.line2[0] != '\0' ? c->delivery.line2 : NULL,
                     physical ? c->delivery.city : NULL, physical ? c->delivery.postal_code : NULL,
                     physical ? c->delivery.country : NULL, physical ? c->reference : NULL,
                     ct_card_type_name(c->st.type));
    if (err != CT_OK)
        return err;
    err = insert_event(db, c, physical ? "ORDERED" : "CREATED", NULL, who);
    if (err != CT_OK)
        return err;
    /* the partner's card creation fee, in the same unit: booked from the balance, or due when the
     * balance cannot cover it yet (a card is never refused for its fee, nor the balance overdrawn)
     */
    fee.partner_id = who->partner_id;
    fee.event = CT_FEE_CARD_CREATION;
    fee.account_id = b.account_id;
    fee.currency = b.currency;
    fee.card_id = c->id;
    fee.reference = c->id;
    err = ct_fee_charge_event(db, &fee, &charged);
    if (err != CT_OK)
        return err;
    /* the row as stored (times, pan_length) */
    return ct_card_get(db, who, c->id, c);
}

static bool
create_args_ok(const struct ct_card_who *who, const struct ct_card_new *n)
{
    return who->partner_id != 0 && who->customer_id != NULL && ct_uuid_valid(who->customer_id) &&
           ct_uuid_valid(n->balance_id);
}

enum ct_err
ct_card_create(struct ct_db *db, const struct ct_card_keys *keys, const struct ct_card_who *who,
               const struct ct_card_new *n, struct ct_card *out, const char **code)
{
    struct create_unit u = {keys, who, n, out, NULL};
    enum ct_err err;

    *code = NULL;
    if (!create_args_ok(who, n))
        return CT_E_NOTFOUND;
    err = ct_db_txn(db, create_fn, &u);
    *code = u.code;
    return err;
}

enum ct_err
ct_card_create_in(struct ct_db *db, const struct ct_card_keys *keys, const struct ct_card_who *who,
                  const struct ct_card_new *n, struct ct_card *out, const char **code)
{
    struct create_unit u = {keys, who, n, out, NULL};
    enum ct_err err;

    *code = NULL;
    if (!create_args_ok(who, n))
        return CT_E_NOTFOUND;
    err = create_fn(db, &u);
    *code = u.code;
    return err;
}

enum ct_err
ct_card_monthly_fees(struct ct_db *db, const char *period, ct_fee_go_fn go, void *arg,
                     struct ct_fee_run *run)
{
    static const char sql[] =
        "SELECT c.partner_id, c.id, b.account_id, b.currency FROM card c "
        "JOIN balance b ON b.id = c.balance_id "
        "JOIN fee_rule fr ON fr.partner_id = c.partner_id AND fr.event = 'monthly_card' "
        "AND fr.currency = b.currency AND fr.fixed > 0 "
        "LEFT JOIN fee_charge fc ON fc.account_id = b.account_id AND fc.event = 'monthly_card' "
        "AND fc.card_id = c.id AND fc.period = ? "
        "WHERE c.status IN ('INACTIVE', 'ACTIVE') AND c.created_at < ? AND c.id > ? "
        "AND fc.id IS NULL ORDER BY c.id LIMIT 200"; /* FEE_BATCH */
    struct ct_fee_card batch[FEE_BATCH];
    struct ct_fee_run one;
    struct ct_rows *r = NULL;
    char end[32], last[CT_UUID_LEN + 1] = "";
    size_t i, n;
    enum ct_err err;

    memset(run, 0, sizeof(*run));
    err = ct_fee_period_end(period, end);
    while (err == CT_OK) {
        err = ct_db_query(db, sql, &r, "sss", period, end, last);
        n = err == CT_OK ? ct_rows_count(r) : 0;
        for (i = 0; i < n && err == CT_OK; i++) {
            batch[i].card_id = ct_rows_str(r, i, 1);
            batch[i].currency = ct_rows_str(r, i, 3);
            if (!ct_rows_i64(r, i, 0, &batch[i].partner_id) ||
                !ct_rows_i64(r, i, 2, &batch[i].account_id) || batch[i].card_id == NULL ||
                batch[i].currency == NULL)
                err = CT_E_INTERNAL;
        }
        if (err == CT_OK && n > 0) {
            (void)snprintf(last, sizeof(last), "%s", batch[n - 1].card_id);
            err = ct_fee_monthly_cards(db, batch, n, period, go, arg, &one);
            run->charged += one.charged;
            run->due += one.due;
            run->already += one.already;
            run->failed += one.failed;
        }
        ct_rows_free(r);
        r = NULL;
        if (n < FEE_BATCH || (go != NULL && !go(arg)))
            break;
    }
    return err;
}

static const char *
event_of(enum ct_card_action a)
{
    switch (a) {
    case CT_CARD_LINK:
        return "LINKED";
    case CT_CARD_ACTIVATE:
        return "ACTIVATED";
    case CT_CARD_LOCK:
        return "LOCKED";
    case CT_CARD_UNLOCK:
        return "UNLOCKED";
    case CT_CARD_REMOVE:
        return "REMOVED";
    case CT_CARD_SET_PIN:
        return "PIN_SET";
    case CT_CARD_RESET_CVV:
    case CT_CARD_READ_FULL:
        break;
    }
    return "CVV_RESET";
}

static enum ct_err
save_state(struct ct_db *db, const struct ct_card *c, const char *pin_sealed)
{
    static const char sql[] =
        "UPDATE card SET status = ?, lock_reason = ?, cvv_generation = ?, "
        "pin_sealed = COALESCE(?, pin_sealed), updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?";
    char reason[4];

    (void)snprintf(reason, sizeof(reason), "%d", c->st.lock_reason);
    return ct_db_exec(db, sql, NULL, "ssiss", status_names[c->st.status],
                      c->st.lock_reason != 0 ? reason : NULL, (int)c->cvv_generation, pin_sealed,
                      c->id);
}

static enum ct_err
act_fn(struct ct_db *db, void *arg)
{
    static const char by_id[] =
        "SELECT " CARD_COLS CARD_FROM "WHERE c.id = ? " CARD_SCOPE "FOR UPDATE";
    static const char by_ref[] =
        "SELECT " CARD_COLS CARD_FROM "WHERE c.reference = ? " CARD_SCOPE "FOR UPDATE";
    static const char program_sql[] = "SELECT expiry_months FROM card_program WHERE id = ?";
    static const char link_sql[] =
        "UPDATE card SET pan_sealed = ?, pan_key_id = ?, pan_lookup = ?, last4 = ?, expiry = ?, "
        "tracking_number = ? WHERE id = ?";
    struct act_unit *u = arg;
    struct ct_card *c = u->card;
    struct ct_rows *rows = NULL;
    char from[12], pan[CT_CARD_PAN_MAX + 1], ctx[SEAL_CTX_MAX];
    char sealed_pin[CT_CARD_PIN_SEALED_MAX + 1];
    int64_t months = 36;
    unsigned next = 0, key_id = 0;
    enum ct_err err;

    u->code = NULL;
    err = load_one(db, u->ref != NULL ? by_ref : by_id, u->ref != NULL ? u->ref : u->id, u->who, c);
    if (err != CT_OK)
        return err;
    (void)snprintf(from, sizeof(from), "%s", ct_card_status_name(&c->st));
    err = ct_card_transition(&c->st, u->action, u->reason, &u->code);
    if (err != CT_OK)
        return err;
    if (u->action == CT_CARD_LINK) {
        err = ct_db_query(db, program_sql, &rows, "l", c->program_id);
        if (err != CT_OK)
            return err;
        (void)ct_rows_i64(rows, 0, 0, &months);
        ct_rows_free(rows);
        err = issue_pan(db, u->keys, c, (int)months);
        if (err == CT_OK)
            err = ct_card_pan_sealed_key(c->pan_sealed, &key_id);
        if (err == CT_OK)
            err = ct_db_exec(db, link_sql, NULL, "sisssss", c->pan_sealed, (int)key_id,
                             c->pan_lookup, c->last4, c->expiry, u->tracking, c->id);
        if (err != CT_OK)
            return err;
        (void)snprintf(c->tracking_number, sizeof(c->tracking_number), "%s", u->tracking);
    }
    if (u->action == CT_CARD_SET_PIN || u->action == CT_CARD_RESET_CVV) {
        seal_ctx(c, ctx);
        err = ct_card_pan_open(u->keys, c->pan_sealed, ctx, strlen(ctx), pan);
        if (err != CT_OK) {
            ct_log(LOG_ERR, "card %s: its sealed PAN does not open", c->id);
            return CT_E_INTERNAL;
        }
        if (u->action == CT_CARD_SET_PIN)
            err = ct_card_pin_seal(u->keys, u->pin, pan, sealed_pin);
        else
            err = ct_card_cvv_next_generation(u->keys, pan, c->expiry, c->cvv_generation, &next);
        OPENSSL_cleanse(pan, sizeof(pan));
        if (err == CT_E_RULE && u->action == CT_CARD_RESET_CVV)
            return refuse(&u->code, "CVV_RESETS_EXHAUSTED");
        if (err != CT_OK)
            return CT_E_INTERNAL;
        if (u->action == CT_CARD_RESET_CVV)
            c->cvv_generation = next;
        else
            c->pin_set = true;
    }
    err = save_state(db, c, u->action == CT_CARD_SET_PIN ? sealed_pin : NULL);
    if (u->action == CT_CARD_SET_PIN)
        OPENSSL_cleanse(sealed_pin, sizeof(sealed_pin));
    if (err != CT_OK)
        return err;
    err = insert_event(db, c, event_of(u->action), from, u->who);
    if (err != CT_OK)
        return err;
    return load_one(db, by_id, c->id, u->who, c);
}

/* act_fn in one retried transaction; the refusal's code out. */
static enum ct_err
run_act(struct ct_db *db, struct act_unit *u, const char **code)
{
    enum ct_err err = ct_db_txn(db, act_fn, u);

    *code = u->code;
    return err;
}

enum ct_err
ct_card_act(struct ct_db *db, const struct ct_card_keys *keys, const struct ct_card_who *who,
            const char *id, enum ct_card_action action, int reason, const char *pin,
            struct ct_card *out, const char **code)
{
    struct act_unit u = {keys, who, id, NULL, NULL, action, reason, pin, out, NULL};

    *code = NULL;
    if (action == CT_CARD_LINK || action == CT_CARD_READ_FULL ||
        (action == CT_CARD_SET_PIN && pin == NULL))
        return CT_E_INTERNAL;
    return run_act(db, &u, code);
}

enum ct_err
ct_card_link(struct ct_db *db, const struct ct_card_keys *keys, const struct ct_card_who *who,
             const char *reference, const char *tracking_number, struct ct_card *out,
             const char **code)
{
    struct act_unit u = {keys,         who, NULL, reference, tracking_number,
                         CT_CARD_LINK, 0,   NULL, out,       NULL};

    return run_act(db, &u, code);
}

enum ct_err
ct_card_full(struct ct_db *db, const struct ct_card_keys *keys, const struct ct_card_who *who,
             const char *id, struct ct_card *out, char pan[CT_CARD_PAN_MAX + 1], char cvc2[4],
             const char **code)
{
    struct ct_card_state st;
    char ctx[SEAL_CTX_MAX];
    enum ct_err err;

    *code = NULL;
    if (who->channel == CT_CARD_BY_OPERATOR) {
        *code = "FULL_DATA_FORBIDDEN";
        return CT_E_FORBIDDEN;
    }
    err = ct_card_get(db, who, id, out);
    if (err != CT_OK)
        return err;
    st = out->st;
    err = ct_card_transition(&st, CT_CARD_READ_FULL, 0, code);
    if (err != CT_OK)
        return err;
    seal_ctx(out, ctx);
    if (ct_card_pan_open(keys, out->pan_sealed, ctx, strlen(ctx), pan) != CT_OK) {
        ct_log(LOG_ERR, "card %s: its sealed PAN does not open", out->id);
        return CT_E_INTERNAL;
    }
    err = ct_card_cvv(keys, pan, out->expiry, CT_CARD_CVC2_SERVICE, out->cvv_generation, cvc2);
    if (err != CT_OK) {
        OPENSSL_cleanse(pan, CT_CARD_PAN_MAX + 1);
        return CT_E_INTERNAL;
    }
    return CT_OK;
}

void
ct_card_expiry_text(const char *yymm, char out[6])
{
    if (yymm == NULL || strlen(yymm) != 4) {
        out[0] = '\0';
        return;
    }
    (void)snprintf(out, 6, "%.2s/%.2s", yymm + 2, yymm);
}

static void
add_str(struct json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v != NULL && *v != '\0' ? json_object_new_string(v) : NULL);
}

struct json_object *
ct_card_json(const struct ct_card *c)
{
    struct json_object *o = json_object_new_object(), *a = NULL;
    const struct ct_card_lock_reason *lr = ct_card_lock_reason(c->st.lock_reason);
    char masked[CT_CARD_PAN_MAX + 1], expiry[6];
    int hidden = c->pan_length - 10, i, n = 0;

    masked[0] = '\0';
    if (c->last4[0] != '\0' && hidden > 0 && hidden < CT_CARD_PAN_MAX) {
        n = snprintf(masked, sizeof(masked), "%.6s", c->bin);
        for (i = 0; i < hidden && n < CT_CARD_PAN_MAX - 4; i++)
            masked[n++] = '*';
        (void)snprintf(masked + n, sizeof(masked) - (size_t)n, "%s", c->last4);
    }
    ct_card_expiry_text(c->expiry, expiry);
    add_str(o, "id", c->id);
    add_str(o, "type", ct_card_type_name(c->st.type));
    add_str(o, "status", ct_card_status_name(&c->st));
    json_object_object_add(o, "lock_reason", lr != NULL ? json_object_new_int(lr->code) : NULL);
    add_str(o, "lock_reason_name", lr != NULL ? lr->name : NULL);
    add_str(o, "action_code", lr != NULL ? lr->action_code : NULL);
    add_str(o, "last4", c->last4);
    add_str(o, "masked_pan", masked);
    add_str(o, "expiry", expiry);
    add_str(o, "cardholder_name", c->cardholder_name);
    add_str(o, "balance_id", c->balance_id);
    add_str(o, "customer_id", c->customer_id);
    json_object_object_add(o, "pin_set", json_object_new_boolean(c->pin_set));
    if (c->has_address) {
        a = json_object_new_object();
        add_str(a, "line1", c->delivery.line1);
        add_str(a, "line2", c->delivery.line2);
        add_str(a, "city", c->delivery.city);
        add_str(a, "postal_code", c->delivery.postal_code);
        add_str(a, "country", c->delivery.country);
    }
    json_object_object_add(o, "delivery_address", a);
    add_str(o, "reference", c->reference);
    add_str(o, "tracking_number", c->tracking_number);
    add_str(o, "personalisation_due", c->personalisation_due);
    add_str(o, "created_at", c->created_at);
    add_str(o, "updated_at", c->updated_at);
    return o;
}
