/* kyc.c - customers' KYC: submitted data, status changes with their history, the verified check. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_customer.h"
#include "ct/ct_kyc.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"

struct kyc_unit {
    int64_t partner_id;
    const char *customer_id;
    const struct ct_kyc_actor *by;
    const struct ct_kyc_data *data; /* submit */
    enum ct_kyc_status to;          /* decide */
    const char *reason;
    bool history;
    const char *code;
    struct ct_kyc_view view;
};

static bool name_index(const char *const *names, size_t n, const char *s, size_t *out);
static bool channel_parse(const char *s, enum ct_kyc_channel *out);
static const char *channel_name(enum ct_kyc_channel c);
static bool not_blank(const char *s);
static bool document_type_valid(const char *s);
static bool document_number_valid(const char *s);
static bool expiry_valid(const char *s);
static bool postal_code_valid(const char *country, const char *s);
static bool pattern_match(const char *pattern, size_t plen, const char *s);
static bool postal_code_optional(const char *country);
static enum ct_err lock_for_change(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                   enum ct_kyc_status *out);
static enum ct_err read_status(struct ct_db *db, int64_t partner_id, const char *customer_id,
                               const char *sql, enum ct_kyc_status *out);
static enum ct_err change_status(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                 enum ct_kyc_status from, enum ct_kyc_status to, const char *reason,
                                 const struct ct_kyc_actor *by, int64_t submission_id);
static enum ct_err insert_submission(struct ct_db *db, int64_t partner_id, const char *customer_id,
                                     const struct ct_kyc_data *d, const struct ct_kyc_actor *by,
                                     int64_t *id);
static enum ct_err load_submission(struct ct_db *db, int64_t partner_id, struct ct_kyc_view *v);
static enum ct_err load_events(struct ct_db *db, int64_t partner_id, struct ct_kyc_view *v);
static struct json_object *submission_json(const struct ct_kyc_view *v);
static struct json_object *event_json(const struct ct_kyc_event *e);
static struct json_object *id_json(int64_t id);
static struct json_object *opt_string(const char *s);
static enum ct_err submit_unit(struct ct_db *db, void *arg);
static enum ct_err decide_unit(struct ct_db *db, void *arg);
static enum ct_err reply_failed(struct ct_req *req, enum ct_err err, const char *code,
                                const char *msg);

static const char *const status_names[] = {"NONE", "PENDING", "VERIFIED", "REJECTED"};
static const char *const channel_names[] = {"customer", "partner", "admin", "system"};
#define N_STATUS (sizeof(status_names) / sizeof(status_names[0]))
#define N_CHANNEL (sizeof(channel_names) / sizeof(channel_names[0]))

static const char *const document_types[] = {"PASSPORT", "ID_CARD", "DRIVING_LICENCE",
                                             "RESIDENCE_PERMIT"};

/* Postal code formats of the countries a bank here most often serves: '9' a digit, 'A' an
 * upper-case letter, anything else itself; '|' separates the accepted forms. Other countries get
 * the generic check (2-10 letters, digits, spaces or hyphens, starting and ending with a letter or
 * digit). */
static const struct {
    char country[3];
    const char *formats;
} postal_formats[] = {
    {"AT", "9999"},
    {"BE", "9999"},
    {"CH", "9999"},
    {"DE", "99999"},
    {"ES", "99999"},
    {"FR", "99999"},
    {"IT", "99999"},
    {"LU", "9999|L-9999"},
    {"MC", "99999"},
    {"NL", "9999 AA|9999AA"},
    {"PL", "99-999"},
    {"PT", "9999-999"},
    {"US", "99999|99999-9999"},
};

/* Countries without postal codes in use (a postal code is optional for an address there). */
static const char no_postal_codes[] =
    "AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK JM KI "
    "KM KN KP LY ML MO MR MW NR NU QA RW SB SC SL SR SS ST SY TD TF TG TK TL TO TV UG VU YE ZW";

/* Documents are issued for at most 10 years in most countries; 30 leaves room for the others
 * and still catches a mistyped century. */
#define EXPIRY_MAX_USEC (30LL * 366 * 86400 * 1000000)
#define USEC_PER_DAY (86400LL * 1000000)

const char *
ct_kyc_status_name(enum ct_kyc_status s)
{
    return (size_t)s < N_STATUS ? status_names[s] : "NONE";
}

/* The index of s in names[0..n), if there. */
static bool
name_index(const char *const *names, size_t n, const char *s, size_t *out)
{
    size_t i;

    for (i = 0; s != NULL && i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

bool
ct_kyc_status_parse(const char *s, enum ct_kyc_status *out)
{
    size_t i;

    if (!name_index(status_names, N_STATUS, s, &i))
        return false;
    *out = (enum ct_kyc_status)i;
    return true;
}

static bool
channel_parse(const char *s, enum ct_kyc_channel *out)
{
    size_t i;

    if (!name_index(channel_names, N_CHANNEL, s, &i))
        return false;
    *out = (enum ct_kyc_channel)i;
    return true;
}

static const char *
channel_name(enum ct_kyc_channel c)
{
    return (size_t)c < N_CHANNEL ? channel_names[c] : "system";
}

/* ---- reading the body ------------------------------------------------------------------------ */

static bool
not_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ')
            return true;
    return false;
}

static bool
document_type_valid(const char *s)
{
    size_t i;

    return name_index(document_types, sizeof(document_types) / sizeof(document_types[0]), s, &i);
}

/* Letters and digits with inner hyphens: what passports (ICAO 9303), identity cards and driving
 * licences print, without the spaces some print between groups. */
static bool
document_number_valid(const char *s)
{
    size_t n = strlen(s), i;

    if (n < 4 || n > 30 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

/* A real date, not expired today (UTC) and within EXPIRY_MAX_USEC: an expired document cannot
 * prove an identity. */
static bool
expiry_valid(const char *s)
{
    int64_t t, now = ct_now_usec();

    return strlen(s) == 10 && ct_time_parse(s, &t) && t >= now - now % USEC_PER_DAY &&
           t <= now + EXPIRY_MAX_USEC;
}

static bool
pattern_match(const char *pattern, size_t plen, const char *s)
{
    size_t i;

    if (strlen(s) != plen)
        return false;
    for (i = 0; i < plen; i++) {
        unsigned char c = (unsigned char)s[i];

        if (pattern[i] == '9' ? !isdigit(c) : pattern[i] == 'A' ? !isupper(c) : c != pattern[i])
            return false;
    }
    return true;
}

static bool
postal_code_valid(const char *country, const char *s)
{
    const char *f, *bar;
    size_t i, n = strlen(s);

    for (i = 0; i < sizeof(postal_formats) / sizeof(postal_formats[0]); i++) {
        if (strcmp(postal_formats[i].country, country) != 0)
            continue;
        for (f = postal_formats[i].formats;; f = bar + 1) {
            bar = strchr(f, '|');
            if (pattern_match(f, bar != NULL ? (size_t)(bar - f) : strlen(f), s))
                return true;
            if (bar == NULL)
                return false;
        }
    }
    if (n < 2 || n > 10 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != ' ' && s[i] != '-')
            return false;
    return true;
}

static bool
postal_code_optional(const char *country)
{
    const char *p;

    for (p = no_postal_codes; *p != '\0'; p += p[2] == '\0' ? 2 : 3)
        if (p[0] == country[0] && p[1] == country[1])
            return true;
    return false;
}

void
ct_kyc_read_data(struct ct_req *req, struct ct_kyc_data *d)
{
    static const char *const fields[] = {"document_type",
                                         "document_number",
                                         "document_country",
                                         "document_expiry",
                                         "nationality",
                                         "address_line1",
                                         "address_line2",
                                         "city",
                                         "postal_code",
                                         "country",
                                         NULL};
    static const char country_msg[] = "must be an ISO 3166 alpha-2 country code";
    static const char blank_msg[] = "must not be blank";

    memset(d, 0, sizeof(*d));
    ct_body_only(req, fields);
    ct_body_copy(req, "document_type", true, sizeof(d->document_type), document_type_valid,
                 "must be PASSPORT, ID_CARD, DRIVING_LICENCE or RESIDENCE_PERMIT",
                 d->document_type);
    ct_body_copy(req, "document_number", true, sizeof(d->document_number), document_number_valid,
                 "must be 4 to 30 letters and digits (hyphens between them)", d->document_number);
    ct_body_copy(req, "document_country", true, sizeof(d->document_country), ct_country_valid,
                 country_msg, d->document_country);
    ct_body_copy(req, "document_expiry", true, sizeof(d->document_expiry), expiry_valid,
                 "must be a date as YYYY-MM-DD, today or later, within 30 years",
                 d->document_expiry);
    ct_body_copy(req, "nationality", true, sizeof(d->nationality), ct_country_valid, country_msg,
                 d->nationality);
    ct_body_copy(req, "address_line1", true, sizeof(d->address_line1), not_blank, blank_msg,
                 d->address_line1);
    ct_body_copy(req, "address_line2", false, sizeof(d->address_line2), not_blank,
                 "must not be blank (leave it out instead)", d->address_line2);
    ct_body_copy(req, "city", true, sizeof(d->city), not_blank, blank_msg, d->city);
    ct_body_copy(req, "country", true, sizeof(d->country), ct_country_valid, country_msg,
                 d->country);
    /* the format depends on the country: read when the country is known */
    ct_body_copy(req, "postal_code", d->country[0] != '\0' && !postal_code_optional(d->country),
                 sizeof(d->postal_code), NULL, NULL, d->postal_code);
    if (d->postal_code[0] != '\0' && !postal_code_valid(d->country, d->postal_code)) {
        ct_req_field_error(req, "postal_code", "is not a postal code of the address's country");
        d->postal_code[0] = '\0';
    }
}

void
ct_kyc_read_result(struct ct_req *req, enum ct_kyc_status *to, const char **reason)
{
    static const char *const fields[] = {"status", "reason", NULL};
    const char *s;

    *reason = NULL;
    ct_body_only(req, fields);
    s = ct_body_str(req, "status", true, 16);
    if (s != NULL &&
        (!ct_kyc_status_parse(s, to) || (*to != CT_KYC_VERIFIED && *to != CT_KYC_REJECTED)))
        ct_req_field_error(req, "status", "must be VERIFIED or REJECTED");
    s = ct_body_str(req, "reason", false, 255);
    if (s != NULL && !not_blank(s))
        ct_req_field_error(req, "reason", "must not be blank (leave it out instead)");
    else
        *reason = s;
}

/* ---- status changes -------------------------------------------------------------------------- */

/* The customer's status, read by `sql` (which may lock the row: FOR UPDATE for a change, LOCK IN
 * SHARE MODE for a check). */
static enum ct_err
read_status(struct ct_db *db, int64_t partner_id, const char *customer_id, const char *sql,
            enum ct_kyc_status *out)
{
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (customer_id == NULL || !ct_uuid_valid(customer_id))
        return CT_E_NOTFOUND;
    err = ct_db_query(db, sql, &rows, "sl", customer_id, partner_id);
    if (err == CT_OK && ct_rows_count(rows) != 1)
        err = CT_E_NOTFOUND;
    if (err == CT_OK && !ct_kyc_status_parse(ct_rows_str(rows, 0, 0), out))
        err = CT_E_INTERNAL;
    ct_rows_free(rows);
    return err;
}

static enum ct_err
lock_for_change(struct ct_db *db, int64_t partner_id, const char *customer_id,
                enum ct_kyc_status *out)
{
    static const char sql[] = "SELECT kyc_status FROM customer WHERE id = ? AND partner_id = ? "
                              "FOR UPDATE";

    return read_status(db, partner_id, customer_id, sql, out);
}

/* The status moves from `from` to `to` and the history row that says so is written, in the
 * caller's transaction. The UPDATE is conditional on `from`: should the status have moved since
 * it was read (a lock not taken, a replica that lags), no history row is written and the whole
 * unit runs again, so status and history never disagree. */
static enum ct_err
change_status(struct ct_db *db, int64_t partner_id, const char *customer_id,
              enum ct_kyc_status from, enum ct_kyc_status to, const char *reason,
              const struct ct_kyc_actor *by, int64_t submission_id)
{
    static const char sql_set[] =
        "UPDATE customer SET kyc_status = ?, updated_at = CURRENT_TIMESTAMP(6) "
        "WHERE id = ? AND partner_id = ? AND kyc_status = ?";
    static const char sql_event[] =
        "INSERT INTO kyc_event (partner_id, customer_id, from_status, to_status, channel, actor, "
        "reason, submission_id) VALUES (?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0))";
    uint64_t changed = 0;
    enum ct_err err;

    err = ct_db_exec(db, sql_set, &changed, "ssls", ct_kyc_status_name(to), customer_id, partner_id,
                     ct_kyc_status_name(from));
    if (err == CT_OK && changed != 1)
        return CT_E_BUSY;
    if (err == CT_OK)
        err = ct_db_exec(db, sql_event, NULL, "lssssssl", partner_id, customer_id,
                         ct_kyc_status_name(from), ct_kyc_status_name(to),
                         channel_name(by->channel), by->id, reason, submission_id);
    if (err == CT_OK)
        ct_log(LOG_INFO, "customer %s kyc %s -> %s (%s %s)", customer_id, ct_kyc_status_name(from),
               ct_kyc_status_name(to), channel_name(by->channel), by->id);
    return err;
}

static enum ct_err
insert_submission(struct ct_db *db, int64_t partner_id, const char *customer_id,
                  const struct ct_kyc_data *d, const struct ct_kyc_actor *by, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO kyc_submission (partner_id, customer_id, channel, actor, document_type, "
        "document_number, document_country, document_expiry, nationality, address_line1, "
        "address_line2, city, postal_code, country) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, NULLIF(?, ''), ?)";
    enum ct_err err;

    err = ct_db_exec(db, sql, NULL, "lsssssssssssss", partner_id, customer_id,
                     channel_name(by->channel), by->id, d->document_type, d->document_number,
                     d->document_country, d->document_expiry, d->nationality, d->address_line1,
                     d->address_line2, d->city, d->postal_code, d->country);
    if (err == CT_OK)
        *id = ct_db_last_id(db);
    return err;
}

enum ct_err
ct_kyc_submit(struct ct_db *db, int64_t partner_id, const char *customer_id,
              const struct ct_kyc_data *d, const struct ct_kyc_actor *by, const char **code)
{
    enum ct_kyc_status from;
    int64_t submission_id = 0;
    enum ct_err err;

    err = lock_for_change(db, partner_id, customer_id, &from);
    if (err != CT_OK)
        return err;
    if (from == CT_KYC_PENDING || from == CT_KYC_VERIFIED) {
        *code = from == CT_KYC_PENDING ? "KYC_PENDING" : "KYC_ALREADY_VERIFIED";
        return CT_E_CONFLICT;
    }
    err = insert_submission(db, partner_id, customer_id, d, by, &submission_id);
    if (err == CT_OK)
        err = change_status(db, partner_id, customer_id, from, CT_KYC_PENDING, NULL, by,
                            submission_id);
    return err;
}

enum ct_err
ct_kyc_decide(struct ct_db *db, int64_t partner_id, const char *customer_id, enum ct_kyc_status to,
              const char *reason, const struct ct_kyc_actor *by, bool *changed)
{
    enum ct_kyc_status from;
    enum ct_err err;

    *changed = false;
    if (to != CT_KYC_VERIFIED && to != CT_KYC_REJECTED)
        return CT_E_RULE;
    err = lock_for_change(db, partner_id, customer_id, &from);
    if (err != CT_OK || from == to)
        return err;
    /* every other move to a result is allowed: NONE (the partner's own KYC), PENDING (the
     * review's outcome), REJECTED -> VERIFIED (a review overturned), VERIFIED -> REJECTED (a
     * verification revoked) */
    err = change_status(db, partner_id, customer_id, from, to, reason, by, 0);
    *changed = err == CT_OK;
    return err;
}

enum ct_err
ct_kyc_require_verified(struct ct_db *db, int64_t partner_id, const char *customer_id,
                        const char **code)
{
    static const char sql[] = "SELECT kyc_status FROM customer WHERE id = ? AND partner_id = ? "
                              "LOCK IN SHARE MODE";
    enum ct_kyc_status s;
    enum ct_err err = read_status(db, partner_id, customer_id, sql, &s);

    if (err == CT_OK && s != CT_KYC_VERIFIED) {
        *code = "KYC_NOT_VERIFIED";
        err = CT_E_RULE;
    }
    return err;
}

/* ---- reading the state ----------------------------------------------------------------------- */

#define COPY(dst, src) (void)snprintf((dst), sizeof(dst), "%s", (src) != NULL ? (src) : "")

static enum ct_err
load_submission(struct ct_db *db, int64_t partner_id, struct ct_kyc_view *v)
{
    static const char sql[] =
        "SELECT id, channel, created_at, document_type, document_number, document_country, "
        "DATE_FORMAT(document_expiry, '%Y-%m-%d'), nationality, address_line1, address_line2, "
        "city, postal_code, country FROM kyc_submission WHERE customer_id = ? AND partner_id = ? "
        "ORDER BY id DESC LIMIT 1";
    struct ct_rows *r = NULL;
    struct ct_kyc_data *d = &v->submission;
    enum ct_err err = ct_db_query(db, sql, &r, "sl", v->customer_id, partner_id);

    if (err != CT_OK || ct_rows_count(r) == 0)
        goto out;
    v->has_submission = ct_rows_i64(r, 0, 0, &v->submission_id) &&
                        channel_parse(ct_rows_str(r, 0, 1), &v->submission_channel);
    if (!v->has_submission) {
        err = CT_E_INTERNAL;
        goto out;
    }
    ct_time_from_db(ct_rows_str(r, 0, 2), v->submission_at);
    COPY(d->document_type, ct_rows_str(r, 0, 3));
    COPY(d->document_number, ct_rows_str(r, 0, 4));
    COPY(d->document_country, ct_rows_str(r, 0, 5));
    COPY(d->document_expiry, ct_rows_str(r, 0, 6));
    COPY(d->nationality, ct_rows_str(r, 0, 7));
    COPY(d->address_line1, ct_rows_str(r, 0, 8));
    COPY(d->address_line2, ct_rows_str(r, 0, 9));
    COPY(d->city, ct_rows_str(r, 0, 10));
    COPY(d->postal_code, ct_rows_str(r, 0, 11));
    COPY(d->country, ct_rows_str(r, 0, 12));
out:
    ct_rows_free(r);
    return err;
}

static enum ct_err
load_events(struct ct_db *db, int64_t partner_id, struct ct_kyc_view *v)
{
    static const char sql[] =
        "SELECT id, from_status, to_status, channel, actor, reason, submission_id, created_at "
        "FROM kyc_event WHERE customer_id = ? AND partner_id = ? ORDER BY id";
    struct ct_rows *r = NULL;
    size_t i, n;
    enum ct_err err = ct_db_query(db, sql, &r, "sl", v->customer_id, partner_id);

    if (err != CT_OK)
        return err;
    n = ct_rows_count(r);
    v->events = n > 0 ? ct_calloc(n, sizeof(*v->events)) : NULL;
    for (i = 0; i < n; i++) {
        struct ct_kyc_event *e = &v->events[i];

        if (!ct_rows_i64(r, i, 0, &e->id) || !ct_kyc_status_parse(ct_rows_str(r, i, 1), &e->from) ||
            !ct_kyc_status_parse(ct_rows_str(r, i, 2), &e->to) ||
            !channel_parse(ct_rows_str(r, i, 3), &e->channel))
            err = CT_E_INTERNAL;
        COPY(e->actor, ct_rows_str(r, i, 4));
        e->has_reason = ct_rows_str(r, i, 5) != NULL;
        COPY(e->reason, ct_rows_str(r, i, 5));
        if (!ct_rows_i64(r, i, 6, &e->submission_id))
            e->submission_id = 0;
        ct_time_from_db(ct_rows_str(r, i, 7), e->created_at);
    }
    v->nevents = n;
    ct_rows_free(r);
    return err;
}

enum ct_err
ct_kyc_load(struct ct_db *db, int64_t partner_id, const char *customer_id, bool history,
            struct ct_kyc_view *out)
{
    static const char sql[] = "SELECT kyc_status FROM customer WHERE id = ? AND partner_id = ?";
    enum ct_err err;

    memset(out, 0, sizeof(*out));
    err = read_status(db, partner_id, customer_id, sql, &out->status);
    if (err != CT_OK)
        return err;
    COPY(out->customer_id, customer_id);
    err = load_submission(db, partner_id, out);
    if (err == CT_OK && history)
        err = load_events(db, partner_id, out);
    if (err != CT_OK)
        ct_kyc_view_free(out);
    return err;
}

void
ct_kyc_view_free(struct ct_kyc_view *v)
{
    if (v == NULL)
        return;
    free(v->events);
    memset(v, 0, sizeof(*v));
}

/* ---- JSON ------------------------------------------------------------------------------------ */

/* Ids are strings on the Antaca/IMS channels (API.md). */
static struct json_object *
id_json(int64_t id)
{
    char text[24];

    if (id <= 0)
        return json_object_new_null();
    (void)snprintf(text, sizeof(text), "%lld", (long long)id);
    return json_object_new_string(text);
}

static struct json_object *
opt_string(const char *s)
{
    return s[0] != '\0' ? json_object_new_string(s) : json_object_new_null();
}

static struct json_object *
submission_json(const struct ct_kyc_view *v)
{
    const struct ct_kyc_data *d = &v->submission;
    struct json_object *o;

    if (!v->has_submission)
        return json_object_new_null();
    o = json_object_new_object();
    json_object_object_add(o, "id", id_json(v->submission_id));
    json_object_object_add(o, "channel",
                           json_object_new_string(channel_name(v->submission_channel)));
    json_object_object_add(o, "document_type", json_object_new_string(d->document_type));
    json_object_object_add(o, "document_number", json_object_new_string(d->document_number));
    json_object_object_add(o, "document_country", json_object_new_string(d->document_country));
    json_object_object_add(o, "document_expiry", json_object_new_string(d->document_expiry));
    json_object_object_add(o, "nationality", json_object_new_string(d->nationality));
    json_object_object_add(o, "address_line1", json_object_new_string(d->address_line1));
    json_object_object_add(o, "address_line2", opt_string(d->address_line2));
    json_object_object_add(o, "city", json_object_new_string(d->city));
    json_object_object_add(o, "postal_code", opt_string(d->postal_code));
    json_object_object_add(o, "country", json_object_new_string(d->country));
    json_object_object_add(o, "created_at", json_object_new_string(v->submission_at));
    return o;
}

static struct json_object *
event_json(const struct ct_kyc_event *e)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", id_json(e->id));
    json_object_object_add(o, "from", json_object_new_string(ct_kyc_status_name(e->from)));
    json_object_object_add(o, "to", json_object_new_string(ct_kyc_status_name(e->to)));
    json_object_object_add(o, "channel", json_object_new_string(channel_name(e->channel)));
    json_object_object_add(o, "actor", json_object_new_string(e->actor));
    json_object_object_add(o, "reason", e->has_reason ? json_object_new_string(e->reason) : NULL);
    json_object_object_add(o, "submission_id", id_json(e->submission_id));
    json_object_object_add(o, "created_at", json_object_new_string(e->created_at));
    return o;
}

struct json_object *
ct_kyc_json(const struct ct_kyc_view *v, bool history)
{
    struct json_object *o = json_object_new_object(), *arr;
    size_t i;

    json_object_object_add(o, "customer_id", json_object_new_string(v->customer_id));
    json_object_object_add(o, "kyc_status", json_object_new_string(ct_kyc_status_name(v->status)));
    json_object_object_add(o, "submission", submission_json(v));
    if (history) {
        arr = json_object_new_array();
        for (i = 0; i < v->nevents; i++)
            json_object_array_add(arr, event_json(&v->events[i]));
        json_object_object_add(o, "history", arr);
    }
    return o;
}

/* ---- request helpers ------------------------------------------------------------------------- */

static enum ct_err
submit_unit(struct ct_db *db, void *arg)
{
    struct kyc_unit *u = arg;
    enum ct_err err;

    ct_kyc_view_free(&u->view); /* a re-run starts over */
    u->code = NULL;
    err = ct_kyc_submit(db, u->partner_id, u->customer_id, u->data, u->by, &u->code);
    if (err == CT_OK)
        err = ct_kyc_load(db, u->partner_id, u->customer_id, u->history, &u->view);
    return err;
}

static enum ct_err
decide_unit(struct ct_db *db, void *arg)
{
    struct kyc_unit *u = arg;
    bool changed;
    enum ct_err err;

    ct_kyc_view_free(&u->view);
    err = ct_kyc_decide(db, u->partner_id, u->customer_id, u->to, u->reason, u->by, &changed);
    if (err == CT_OK)
        err = ct_kyc_load(db, u->partner_id, u->customer_id, true, &u->view);
    return err;
}

static enum ct_err
reply_failed(struct ct_req *req, enum ct_err err, const char *code, const char *msg)
{
    if (err == CT_E_NOTFOUND)
        msg = "customer not found";
    else if (code != NULL && strcmp(code, "KYC_PENDING") == 0)
        msg = "a KYC submission is already under review";
    else if (code != NULL && strcmp(code, "KYC_ALREADY_VERIFIED") == 0)
        msg = "the customer's KYC is already verified";
    return ct_req_fail(req, err, code, msg);
}

enum ct_err
ct_kyc_reply_submit(struct ct_req *req, const char *customer_id, const struct ct_kyc_actor *by,
                    bool history)
{
    struct ct_kyc_data d;
    struct kyc_unit u;
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_kyc_read_data(req, &d);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    memset(&u, 0, sizeof(u));
    u.partner_id = req->ident.partner_id;
    u.customer_id = customer_id;
    u.by = by;
    u.data = &d;
    u.history = history;
    err = ct_db_txn(req->db, submit_unit, &u);
    if (err != CT_OK) {
        ct_kyc_view_free(&u.view);
        return reply_failed(req, err, u.code, "the KYC data could not be submitted");
    }
    err = ct_reply_json(req, 201, ct_kyc_json(&u.view, history));
    ct_kyc_view_free(&u.view);
    return err;
}

enum ct_err
ct_kyc_reply_decide(struct ct_req *req, const char *customer_id, const struct ct_kyc_actor *by)
{
    struct kyc_unit u;
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&u, 0, sizeof(u));
    ct_kyc_read_result(req, &u.to, &u.reason);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    u.partner_id = req->ident.partner_id;
    u.customer_id = customer_id;
    u.by = by;
    err = ct_db_txn(req->db, decide_unit, &u);
    if (err != CT_OK) {
        ct_kyc_view_free(&u.view);
        return reply_failed(req, err, NULL, "the KYC status could not be changed");
    }
    err = ct_reply_json(req, 200, ct_kyc_json(&u.view, true));
    ct_kyc_view_free(&u.view);
    return err;
}

enum ct_err
ct_kyc_reply_get(struct ct_req *req, const char *customer_id, bool history)
{
    struct ct_kyc_view v;
    enum ct_err err;

    err = ct_kyc_load(req->db, req->ident.partner_id, customer_id, history, &v);
    if (err != CT_OK)
        return reply_failed(req, err, NULL, "the KYC status could not be read");
    err = ct_reply_json(req, 200, ct_kyc_json(&v, history));
    ct_kyc_view_free(&v);
    return err;
}
