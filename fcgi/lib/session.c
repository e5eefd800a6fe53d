/* session.c - sessions of customers and operators: open at login (a customer's device is
 * paired), check with a sliding expiry, end at logout. Only the SHA-256 of a token is stored.
 * The kinds differ only by table, token prefix and what a check reads beside the session (an
 * operator's role and status), all in the table below. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_session.h"

#define USEC 1000000LL
/* A live session's expiry is written again only once it would move by this much: a customer
 * clicking through the console costs one write a minute, not one per request. */
#define SLIDE_STEP_USEC (60 * USEC)
#define DEVICE_ID_MAX 128

/* What a kind of session is stored as. Each statement is a static array: the connection caches
 * prepared statements by address. sel answers id, partner_id, subject, expires_at, role. */
struct session_kind {
    const char *prefix;
    const char *ins; /* id, token_hash, partner_id, subject, expires_at */
    const char *sel;
    const char *slide;
    const char *end;
};

static const char cust_ins[] = "INSERT INTO customer_session (id, token_hash, partner_id, "
                               "customer_id, device_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)";
static const char cust_sel[] =
    "SELECT id, partner_id, customer_id, expires_at, '' FROM customer_session "
    "WHERE token_hash = ? AND ended_at IS NULL";
static const char cust_slide[] = "UPDATE customer_session SET expires_at = ? "
                                 "WHERE id = ? AND ended_at IS NULL AND expires_at < ?";
static const char cust_end[] = "UPDATE customer_session SET ended_at = CURRENT_TIMESTAMP(6) "
                               "WHERE id = ? AND customer_id = ? AND ended_at IS NULL";
static const char op_ins[] = "INSERT INTO operator_session (id, token_hash, partner_id, "
                             "operator_id, expires_at) VALUES (?, ?, ?, ?, ?)";
/* a disabled operator's sessions stop at once; the role is the operator's current one */
static const char op_sel[] =
    "SELECT s.id, s.partner_id, s.operator_id, s.expires_at, CAST(o.role AS CHAR) "
    "FROM operator_session s JOIN operator o ON o.id = s.operator_id "
    "WHERE s.token_hash = ? AND s.ended_at IS NULL AND o.status = 'active'";
static const char op_slide[] = "UPDATE operator_session SET expires_at = ? "
                               "WHERE id = ? AND ended_at IS NULL AND expires_at < ?";
static const char op_end[] = "UPDATE operator_session SET ended_at = CURRENT_TIMESTAMP(6) "
                             "WHERE id = ? AND operator_id = ? AND ended_at IS NULL";

static const struct session_kind kinds[] = {
    [CT_SESSION_CUSTOMER] = {"cs", cust_ins, cust_sel, cust_slide, cust_end},
    [CT_SESSION_OPERATOR] = {"os", op_ins, op_sel, op_slide, op_end},
};

struct check_ctx {
    const struct session_kind *k;
    const unsigned char *hash;
    int ttl_seconds;
    struct ct_session s;
};

struct end_ctx {
    const struct session_kind *k;
    const char *session_id;
    const char *subject;
};

static const struct session_kind *kind_of(enum ct_session_kind kind);
static enum ct_err pair_device(struct ct_db *db, const char *customer_id, const char *device_id);
static enum ct_err check_unit(struct ct_db *db, void *arg);
static enum ct_err end_unit(struct ct_db *db, void *arg);

static const struct session_kind *
kind_of(enum ct_session_kind kind)
{
    if ((unsigned)kind >= sizeof(kinds) / sizeof(kinds[0]))
        return NULL;
    return &kinds[kind];
}

/* The first login from a device pairs it; later ones only mark it seen. */
static enum ct_err
pair_device(struct ct_db *db, const char *customer_id, const char *device_id)
{
    static const char sql[] = "INSERT INTO customer_device (customer_id, device_id) VALUES (?, ?) "
                              "ON DUPLICATE KEY UPDATE last_seen_at = CURRENT_TIMESTAMP(6)";
    uint64_t affected = 0;
    enum ct_err err;

    err = ct_db_exec(db, sql, &affected, "ss", customer_id, device_id);
    if (err == CT_OK && affected == 1)
        ct_log(LOG_INFO, "customer %s paired a new device", customer_id);
    return err;
}

enum ct_err
ct_session_open(struct ct_db *db, enum ct_session_kind kind, int64_t partner_id,
                const char *subject, const char *device_id, int ttl_seconds,
                char token[CT_TOKEN_MAX], struct ct_session *out)
{
    const struct session_kind *k = kind_of(kind);
    struct ct_session s;
    unsigned char hash[32];
    char tok[CT_TOKEN_MAX], expires[32];
    size_t dlen = device_id != NULL ? strlen(device_id) : 0;
    bool customer = kind == CT_SESSION_CUSTOMER;
    enum ct_err err;

    /* the caller validates what the client sent */
    if (k == NULL || subject == NULL || !ct_uuid_valid(subject) || ttl_seconds <= 0 ||
        partner_id <= 0 || (customer && (dlen == 0 || dlen > DEVICE_ID_MAX)) ||
        (!customer && device_id != NULL))
        return CT_E_INTERNAL;
    memset(&s, 0, sizeof(s));
    err = ct_uuid_new(s.id);
    if (err == CT_OK)
        err = ct_token_new(k->prefix, tok, hash);
    if (err != CT_OK)
        return err;
    s.kind = kind;
    s.partner_id = partner_id;
    memcpy(s.subject, subject, CT_UUID_LEN + 1);
    s.expires_usec = ct_now_usec() + (int64_t)ttl_seconds * USEC;
    ct_time_to_db(s.expires_usec, expires);
    if (customer) {
        err = pair_device(db, subject, device_id);
        if (err == CT_OK)
            err = ct_db_exec(db, k->ins, NULL, "sSlsss", s.id, (const char *)hash, sizeof(hash),
                             partner_id, subject, device_id, expires);
    } else {
        err = ct_db_exec(db, k->ins, NULL, "sSlss", s.id, (const char *)hash, sizeof(hash),
                         partner_id, subject, expires);
    }
    if (err == CT_OK) {
        memcpy(token, tok, CT_TOKEN_MAX);
        *out = s;
    }
    OPENSSL_cleanse(tok, sizeof(tok));
    return err;
}

static enum ct_err
check_unit(struct ct_db *db, void *arg)
{
    struct check_ctx *c = arg;
    struct ct_rows *rows = NULL;
    int64_t now = ct_now_usec(), next;
    char iso[32], when[32];
    enum ct_err err;

    err = ct_db_query(db, c->k->sel, &rows, "S", (const char *)c->hash, (size_t)32);
    if (err != CT_OK)
        return err;
    memset(&c->s, 0, sizeof(c->s));
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 1, &c->s.partner_id) ||
        ct_rows_str(rows, 0, 0) == NULL || ct_rows_str(rows, 0, 2) == NULL ||
        ct_rows_str(rows, 0, 3) == NULL || ct_rows_str(rows, 0, 4) == NULL) {
        ct_rows_free(rows);
        return CT_E_UNAUTH;
    }
    (void)snprintf(c->s.id, sizeof(c->s.id), "%s", ct_rows_str(rows, 0, 0));
    (void)snprintf(c->s.subject, sizeof(c->s.subject), "%s", ct_rows_str(rows, 0, 2));
    (void)snprintf(c->s.role, sizeof(c->s.role), "%s", ct_rows_str(rows, 0, 4));
    ct_time_from_db(ct_rows_str(rows, 0, 3), iso);
    ct_rows_free(rows);
    if (!ct_time_parse(iso, &c->s.expires_usec))
        return CT_E_INTERNAL;
    if (c->s.expires_usec <= now)
        return CT_E_UNAUTH;
    next = now + (int64_t)c->ttl_seconds * USEC;
    if (next - c->s.expires_usec < SLIDE_STEP_USEC)
        return CT_OK;
    /* only ever forward: a concurrent check may have slid it already */
    ct_time_to_db(next, when);
    err = ct_db_exec(db, c->k->slide, NULL, "sss", when, c->s.id, when);
    if (err == CT_OK)
        c->s.expires_usec = next;
    return err;
}

/* Its own unit of work (the write of the slide must commit): not to be called inside ct_db_txn. */
enum ct_err
ct_session_check(struct ct_db *db, enum ct_session_kind kind, const char *token, int ttl_seconds,
                 struct ct_session *out)
{
    struct check_ctx c;
    unsigned char hash[32];
    enum ct_err err;

    memset(&c, 0, sizeof(c));
    c.k = kind_of(kind);
    if (c.k == NULL || ttl_seconds <= 0)
        return CT_E_INTERNAL;
    if (token == NULL || !ct_token_shape(token, c.k->prefix))
        return CT_E_UNAUTH; /* no database round trip for garbage */
    ct_token_hash(token, hash);
    c.hash = hash;
    c.ttl_seconds = ttl_seconds;
    err = ct_db_txn(db, check_unit, &c);
    if (err == CT_OK) {
        c.s.kind = kind;
        *out = c.s;
    }
    return err;
}

static enum ct_err
end_unit(struct ct_db *db, void *arg)
{
    struct end_ctx *c = arg;
    uint64_t affected = 0;
    enum ct_err err;

    err = ct_db_exec(db, c->k->end, &affected, "ss", c->session_id, c->subject);
    if (err != CT_OK)
        return err;
    return affected == 1 ? CT_OK : CT_E_NOTFOUND;
}

/* Its own unit of work, like ct_session_check. */
enum ct_err
ct_session_end(struct ct_db *db, enum ct_session_kind kind, const char *session_id,
               const char *subject)
{
    struct end_ctx c;

    c.k = kind_of(kind);
    if (c.k == NULL)
        return CT_E_INTERNAL;
    if (session_id == NULL || subject == NULL || !ct_uuid_valid(session_id) ||
        !ct_uuid_valid(subject))
        return CT_E_NOTFOUND;
    c.session_id = session_id;
    c.subject = subject;
    return ct_db_txn(db, end_unit, &c);
}
