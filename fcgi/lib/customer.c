/* customer.c - end users of a partner: validation of their fields, storage, JSON. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "ct/ct_customer.h"
#include "ct/ct_iban.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"

static bool email_valid(const char *s);
static bool phone_valid(const char *s);
static bool birth_date_valid(const char *s);
static void load_row(const struct ct_rows *r, size_t row, struct ct_customer *c);
static void like_pattern(const char *in, char *out);
static bool filter_text(const struct ct_query_src *q, const char *name, size_t cap, char *like);

/* ISO 3166-1 alpha-2, officially assigned codes. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

static const char *const customer_fields[] = {"email",   "phone",      "first_name", "last_name",
                                              "country", "birth_date", NULL};

/* Room for the extra body members a channel may allow beside the customer's own fields. */
#define CUSTOMER_EXTRA 8

#define CUSTOMER_COLS                                                                              \
    "id, partner_id, email, phone, first_name, last_name, country, "                               \
    "DATE_FORMAT(birth_date, '%Y-%m-%d'), kyc_status, created_at, updated_at"

bool
ct_country_valid(const char *cc)
{
    const char *p;

    if (cc == NULL || strlen(cc) != 2 || !isupper((unsigned char)cc[0]) ||
        !isupper((unsigned char)cc[1]))
        return false;
    for (p = countries; *p != '\0'; p += 3) {
        if (p[0] == cc[0] && p[1] == cc[1])
            return true;
        if (p[2] == '\0')
            break;
    }
    return false;
}

/* Deliberately simple: one '@', a non-empty local part, a dotted domain, no spaces. Deliverability
 * is the partner's concern; this only keeps garbage out. */
static bool
email_valid(const char *s)
{
    const char *at = strchr(s, '@'), *dot, *p;

    if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strlen(s) > 254)
        return false;
    for (p = s; *p != '\0'; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>')
            return false;
    dot = strrchr(at + 1, '.');
    return dot != NULL && dot > at + 1 && dot[1] != '\0' && strlen(dot + 1) >= 2;
}

/* E.164: optional '+', 6 to 15 digits, first digit not 0 after '+'. */
static bool
phone_valid(const char *s)
{
    size_t n = 0;

    if (*s == '+') {
        s++;
        if (*s == '0')
            return false;
    }
    for (; *s != '\0'; s++, n++)
        if (!isdigit((unsigned char)*s))
            return false;
    return n >= 6 && n <= 15;
}

static bool
birth_date_valid(const char *s)
{
    int64_t t;

    return strlen(s) == 10 && ct_time_parse(s, &t) && t < ct_now_usec() &&
           strncmp(s, "1900", 4) >= 0;
}

void
ct_customer_read(struct ct_req *req, struct ct_customer *c, bool partial)
{
    ct_customer_read_with(req, c, partial, NULL);
}

void
ct_customer_read_with(struct ct_req *req, struct ct_customer *c, bool partial,
                      const char *const *extra)
{
    const char *allowed[sizeof(customer_fields) / sizeof(customer_fields[0]) + CUSTOMER_EXTRA];
    size_t n = 0, i;
    bool req_ = !partial;

    for (i = 0; customer_fields[i] != NULL; i++)
        allowed[n++] = customer_fields[i];
    for (i = 0; extra != NULL && extra[i] != NULL && i < CUSTOMER_EXTRA; i++)
        allowed[n++] = extra[i];
    allowed[n] = NULL;
    ct_body_only(req, allowed);
    ct_body_copy(req, "email", req_, sizeof(c->email), email_valid, "must be an email address",
                 c->email);
    ct_body_copy(req, "phone", req_, sizeof(c->phone), phone_valid,
                 "must be a phone number in international form, e.g. +48601234567", c->phone);
    ct_body_copy(req, "first_name", req_, sizeof(c->first_name), NULL, NULL, c->first_name);
    ct_body_copy(req, "last_name", req_, sizeof(c->last_name), NULL, NULL, c->last_name);
    ct_body_copy(req, "country", req_, sizeof(c->country), ct_country_valid,
                 "must be an ISO 3166 alpha-2 country code", c->country);
    ct_body_copy(req, "birth_date", req_, sizeof(c->birth_date), birth_date_valid,
                 "must be a past date as YYYY-MM-DD", c->birth_date);
}

static void
load_row(const struct ct_rows *r, size_t row, struct ct_customer *c)
{
    memset(c, 0, sizeof(*c));
    (void)snprintf(c->id, sizeof(c->id), "%s", ct_rows_str(r, row, 0));
    (void)ct_rows_i64(r, row, 1, &c->partner_id);
    (void)snprintf(c->email, sizeof(c->email), "%s", ct_rows_str(r, row, 2));
    (void)snprintf(c->phone, sizeof(c->phone), "%s", ct_rows_str(r, row, 3));
    (void)snprintf(c->first_name, sizeof(c->first_name), "%s", ct_rows_str(r, row, 4));
    (void)snprintf(c->last_name, sizeof(c->last_name), "%s", ct_rows_str(r, row, 5));
    (void)snprintf(c->country, sizeof(c->country), "%s", ct_rows_str(r, row, 6));
    (void)snprintf(c->birth_date, sizeof(c->birth_date), "%s", ct_rows_str(r, row, 7));
    (void)snprintf(c->kyc_status, sizeof(c->kyc_status), "%s", ct_rows_str(r, row, 8));
    ct_time_from_db(ct_rows_str(r, row, 9), c->created_at);
    ct_time_from_db(ct_rows_str(r, row, 10), c->updated_at);
}

enum ct_err
ct_customer_get(struct ct_db *db, int64_t partner_id, const char *id, struct ct_customer *out)
{
    static const char sql[] = "SELECT " CUSTOMER_COLS " FROM customer "
                              "WHERE id = ? AND partner_id = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (!ct_uuid_valid(id))
        return CT_E_NOTFOUND;
    err = ct_db_query_one(db, sql, &rows, "sl", id, partner_id);
    if (err == CT_OK)
        load_row(rows, 0, out);
    ct_rows_free(rows);
    return err;
}

enum ct_err
ct_customer_insert(struct ct_db *db, struct ct_customer *c)
{
    static const char sql[] =
        "INSERT INTO customer (id, partner_id, email, phone, first_name, last_name, country, "
        "birth_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    enum ct_err err = ct_uuid_new(c->id);

    if (err != CT_OK)
        return err;
    err = ct_db_exec(db, sql, NULL, "slssssss", c->id, c->partner_id, c->email, c->phone,
                     c->first_name, c->last_name, c->country, c->birth_date);
    if (err != CT_OK)
        return err;
    return ct_customer_get(db, c->partner_id, c->id, c);
}

enum ct_err
ct_customer_update(struct ct_db *db, struct ct_customer *c)
{
    static const char sql[] =
        "UPDATE customer SET email = ?, phone = ?, first_name = ?, last_name = ?, country = ?, "
        "birth_date = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND partner_id = ?";
    enum ct_err err;

    err = ct_db_exec(db, sql, NULL, "sssssssl", c->email, c->phone, c->first_name, c->last_name,
                     c->country, c->birth_date, c->id, c->partner_id);
    if (err != CT_OK)
        return err;
    return ct_customer_get(db, c->partner_id, c->id, c);
}

struct json_object *
ct_customer_json(const struct ct_customer *c)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_string(c->id));
    json_object_object_add(o, "email", json_object_new_string(c->email));
    json_object_object_add(o, "phone", json_object_new_string(c->phone));
    json_object_object_add(o, "first_name", json_object_new_string(c->first_name));
    json_object_object_add(o, "last_name", json_object_new_string(c->last_name));
    json_object_object_add(o, "country", json_object_new_string(c->country));
    json_object_object_add(o, "birth_date", json_object_new_string(c->birth_date));
    json_object_object_add(o, "kyc_status", json_object_new_string(c->kyc_status));
    json_object_object_add(o, "created_at", json_object_new_string(c->created_at));
    json_object_object_add(o, "updated_at", json_object_new_string(c->updated_at));
    return o;
}

/* "%in%" with LIKE's wildcards and escape character taken literally; out holds 2 * strlen(in) + 3
 * bytes. The query lower-cases both sides (the search is case-insensitive, accents included). */
static void
like_pattern(const char *in, char *out)
{
    size_t o = 0;

    out[o++] = '%';
    for (; *in != '\0'; in++) {
        if (*in == '%' || *in == '_' || *in == '\\')
            out[o++] = '\\';
        out[o++] = *in;
    }
    out[o++] = '%';
    out[o] = '\0';
}

/* A text filter: absent or empty filters nothing; longer than cap - 1 is a field error. */
static bool
filter_text(const struct ct_query_src *q, const char *name, size_t cap, char *like)
{
    const char *v = q->get(q->ctx, name);

    like[0] = '\0';
    if (v == NULL || *v == '\0')
        return true;
    if (strlen(v) >= cap) {
        q->error(q->ctx, name, "is too long");
        return false;
    }
    like_pattern(v, like);
    return true;
}

bool
ct_customer_filter_parse(const struct ct_query_src *q, struct ct_customer_filter *f)
{
    static const char *const kyc[] = {"NONE", "PENDING", "VERIFIED", "REJECTED", NULL};
    static const char *const times[] = {"created_from", "created_to"};
    char *const dst[] = {f->created_from, f->created_to};
    const char *v;
    bool ok = true;
    int64_t usec;
    size_t i;

    ok &= filter_text(q, "name", CT_CUSTOMER_FILTER_TEXT, f->name_like);
    ok &= filter_text(q, "email", CT_CUSTOMER_FILTER_TEXT, f->email_like);
    ok &= filter_text(q, "phone", 21, f->phone_like);
    f->iban[0] = f->kyc_status[0] = '\0';
    v = q->get(q->ctx, "iban");
    if (v != NULL && *v != '\0' &&
        (ct_iban_normalize(v, f->iban) != CT_OK || !ct_iban_valid(f->iban))) {
        f->iban[0] = '\0';
        q->error(q->ctx, "iban", "must be an IBAN");
        ok = false;
    }
    v = q->get(q->ctx, "kyc_status");
    if (v != NULL && *v != '\0') {
        for (i = 0; kyc[i] != NULL && strcmp(kyc[i], v) != 0; i++)
            ;
        if (kyc[i] == NULL) {
            q->error(q->ctx, "kyc_status", "must be NONE, PENDING, VERIFIED or REJECTED");
            ok = false;
        } else {
            (void)snprintf(f->kyc_status, sizeof(f->kyc_status), "%s", kyc[i]);
        }
    }
    for (i = 0; i < 2; i++) {
        dst[i][0] = '\0';
        v = q->get(q->ctx, times[i]);
        if (v == NULL)
            continue;
        if (!ct_time_parse(v, &usec)) {
            q->error(q->ctx, times[i], "must be an ISO 8601 date or time");
            ok = false;
            continue;
        }
        ct_time_to_db(usec, dst[i]);
    }
    return ok;
}

#define NUL_IF_EMPTY(s) ((s)[0] != '\0' ? (s) : NULL)

enum ct_err
ct_customer_search(struct ct_db *db, const struct ct_customer_filter *f, int64_t page,
                   int64_t per_page, struct ct_customer **out, size_t *n, int64_t *total)
{
#define SEARCH_WHERE                                                                               \
    "WHERE c.partner_id = ? "                                                                      \
    "AND (? IS NULL OR LOWER(c.first_name) LIKE LOWER(?) OR LOWER(c.last_name) LIKE LOWER(?) "     \
    "OR LOWER(CONCAT(c.first_name, ' ', c.last_name)) LIKE LOWER(?)) "                             \
    "AND (? IS NULL OR LOWER(c.email) LIKE LOWER(?)) AND (? IS NULL OR c.phone LIKE ?) "           \
    "AND (? IS NULL OR c.kyc_status = ?) AND (? IS NULL OR c.created_at >= ?) "                    \
    "AND (? IS NULL OR c.created_at <= ?) AND (? IS NULL OR EXISTS (SELECT 1 FROM balance b "      \
    "WHERE b.iban = ? AND b.customer_id = c.id AND b.partner_id = c.partner_id)) "
    static const char sql_count[] = "SELECT COUNT(*) FROM customer c " SEARCH_WHERE;
    static const char sql_page[] = "SELECT " CUSTOMER_COLS " FROM customer c " SEARCH_WHERE
                                   "ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
#undef SEARCH_WHERE
    const char *name = NUL_IF_EMPTY(f->name_like), *email = NUL_IF_EMPTY(f->email_like),
               *phone = NUL_IF_EMPTY(f->phone_like), *kyc = NUL_IF_EMPTY(f->kyc_status),
               *from = NUL_IF_EMPTY(f->created_from), *to = NUL_IF_EMPTY(f->created_to),
               *iban = NUL_IF_EMPTY(f->iban);
    struct ct_rows *rows = NULL;
    struct ct_customer *items;
    int64_t count = 0, offset = (page - 1) * per_page;
    size_t i, got;
    enum ct_err err;

    err = ct_db_query(db, sql_count, &rows,
                      "l"
                      "ssssssssssssssss",
                      f->partner_id, name, name, name, name, email, email, phone, phone, kyc, kyc,
                      from, from, to, to, iban, iban);
    if (err != CT_OK)
        return err;
    (void)ct_rows_i64(rows, 0, 0, &count);
    ct_rows_free(rows);
    rows = NULL;
    err = ct_db_query(db, sql_page, &rows,
                      "l"
                      "ssssssssssssssss"
                      "ll",
                      f->partner_id, name, name, name, name, email, email, phone, phone, kyc, kyc,
                      from, from, to, to, iban, iban, per_page, offset);
    if (err != CT_OK)
        return err;
    got = ct_rows_count(rows);
    items = ct_calloc(got, sizeof(*items));
    for (i = 0; i < got; i++)
        load_row(rows, i, &items[i]);
    ct_rows_free(rows);
    *out = items;
    *n = got;
    *total = count;
    return CT_OK;
}
