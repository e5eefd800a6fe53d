/* test_session.c - customer sessions against a real MariaDB (COMPTOIR_DB_* env, the migrations
 * applied): open, check, sliding expiry, expiry, logout, unknown and ended tokens, device pairing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"
#include "ct/ct_session.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define TTL 600
#define USEC 1000000LL

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    int64_t partner_id;
    char customer[CT_UUID_LEN + 1];
    char other[CT_UUID_LEN + 1];
};

struct open_ctx {
    int64_t partner_id;
    const char *customer;
    const char *device;
    int ttl;
    char token[CT_TOKEN_MAX];
    struct ct_session s;
};

struct exec_ctx {
    const char *sql;
    const char *fmt;
    const char *a;
    int64_t n;
};

static enum ct_err
open_fn(struct ct_db *db, void *arg)
{
    struct open_ctx *c = arg;

    return ct_session_open(db, CT_SESSION_CUSTOMER, c->partner_id, c->customer, c->device, c->ttl,
                           c->token, &c->s);
}

static void
open_session(struct fx *f, const char *customer, const char *device, int ttl, struct open_ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->partner_id = f->partner_id;
    c->customer = customer;
    c->device = device;
    c->ttl = ttl;
    assert_int_equal(ct_db_txn(f->db, open_fn, c), CT_OK);
}

/* One statement with a string and an integer parameter, committed. */
static enum ct_err
exec_fn(struct ct_db *db, void *arg)
{
    struct exec_ctx *c = arg;

    return ct_db_exec(db, c->sql, NULL, c->fmt, c->n, c->a);
}

static void
exec_sl(struct fx *f, const char *sql, int64_t n, const char *a)
{
    struct exec_ctx c = {sql, "ls", a, n};

    assert_int_equal(ct_db_txn(f->db, exec_fn, &c), CT_OK);
}

static int64_t
q_i64(struct fx *f, const char *sql, const char *a, const char *b)
{
    struct ct_rows *r = NULL;
    int64_t v = INT64_MIN;

    assert_int_equal(ct_db_query(f->db, sql, &r, "ss", a, b), CT_OK);
    assert_int_equal(ct_rows_count(r), 1);
    assert_true(ct_rows_i64(r, 0, 0, &v));
    ct_rows_free(r);
    return v;
}

/* expires_at of a session in microseconds since the epoch, as stored. */
static int64_t
stored_expiry(struct fx *f, const char *session_id)
{
    static const char sql[] =
        "SELECT TIMESTAMPDIFF(MICROSECOND, TIMESTAMP'1970-01-01 00:00:00', expires_at) "
        "FROM customer_session WHERE id = ? AND id = ?";
    return q_i64(f, sql, session_id, session_id);
}

/* Move a session's expiry to now + delta seconds (negative: in the past). */
static void
set_expiry(struct fx *f, const char *session_id, int64_t delta)
{
    static const char sql[] = "UPDATE customer_session "
                              "SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = ?";
    exec_sl(f, sql, delta, session_id);
}

static void
test_open_and_check(void **state)
{
    struct fx *f = *state;
    struct open_ctx c;
    struct ct_session s;
    int64_t before = ct_now_usec();

    open_session(f, f->customer, "device-open", TTL, &c);
    assert_true(ct_token_shape(c.token, "cs"));
    assert_true(ct_uuid_valid(c.s.id));
    assert_string_equal(c.s.subject, f->customer);
    assert_int_equal(c.s.partner_id, f->partner_id);
    assert_true(c.s.expires_usec >= before + TTL * USEC);
    assert_true(c.s.expires_usec <= ct_now_usec() + TTL * USEC);

    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_OK);
    assert_string_equal(s.id, c.s.id);
    assert_string_equal(s.subject, f->customer);
    assert_int_equal(s.partner_id, f->partner_id);
    /* the database keeps the hash only */
    assert_int_equal(q_i64(f,
                           "SELECT COUNT(*) FROM customer_session WHERE id = ? "
                           "AND token_hash = UNHEX(SHA2(?, 256))",
                           c.s.id, c.token),
                     1);
}

static void
test_slide_at_most_once_a_minute(void **state)
{
    struct fx *f = *state;
    struct open_ctx c;
    struct ct_session s;
    int64_t first, now;

    open_session(f, f->customer, "device-slide", TTL, &c);
    first = stored_expiry(f, c.s.id);
    /* a check right after opening would move the expiry by less than a minute: no write */
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_OK);
    assert_int_equal(stored_expiry(f, c.s.id), first);
    /* as if 100 s had passed: the check slides the expiry to now + ttl */
    set_expiry(f, c.s.id, TTL - 100);
    now = ct_now_usec();
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_OK);
    assert_true(stored_expiry(f, c.s.id) >= now + TTL * USEC - USEC);
    assert_true(s.expires_usec >= now + TTL * USEC);
    assert_int_equal(stored_expiry(f, c.s.id), s.expires_usec);
    /* 30 s "later" the stored value stays (less than a minute to gain) */
    set_expiry(f, c.s.id, TTL - 30);
    first = stored_expiry(f, c.s.id);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_OK);
    assert_int_equal(stored_expiry(f, c.s.id), first);
}

static void
test_expiry(void **state)
{
    struct fx *f = *state;
    struct open_ctx c, d;
    struct ct_session s;

    open_session(f, f->customer, "device-expire", TTL, &c);
    set_expiry(f, c.s.id, -1);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_E_UNAUTH);
    /* an expired session is not revived by a later check */
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_E_UNAUTH);

    /* a short ttl, really waited out */
    open_session(f, f->customer, "device-expire", 1, &d);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, d.token, 1, &s), CT_OK);
    sleep(2);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, d.token, 1, &s), CT_E_UNAUTH);
}

static void
test_end(void **state)
{
    struct fx *f = *state;
    struct open_ctx c, d;
    struct ct_session s;

    open_session(f, f->customer, "device-end", TTL, &c);
    open_session(f, f->customer, "device-end", TTL, &d);
    /* only the customer's own session can be ended */
    assert_int_equal(ct_session_end(f->db, CT_SESSION_CUSTOMER, c.s.id, f->other), CT_E_NOTFOUND);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_OK);
    assert_int_equal(ct_session_end(f->db, CT_SESSION_CUSTOMER, c.s.id, f->customer), CT_OK);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, c.token, TTL, &s), CT_E_UNAUTH);
    /* ended once: a second logout finds nothing */
    assert_int_equal(ct_session_end(f->db, CT_SESSION_CUSTOMER, c.s.id, f->customer),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_session_end(f->db, CT_SESSION_CUSTOMER, "not-a-uuid", f->customer),
                     CT_E_NOTFOUND);
    /* the other session of the same device lives on */
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, d.token, TTL, &s), CT_OK);
    assert_string_equal(s.id, d.s.id);
}

static void
test_unknown_tokens(void **state)
{
    struct fx *f = *state;
    struct open_ctx c;
    struct ct_session s;
    char forged[CT_TOKEN_MAX];

    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, NULL, TTL, &s), CT_E_UNAUTH);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, "", TTL, &s), CT_E_UNAUTH);
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, "cs_short", TTL, &s),
                     CT_E_UNAUTH);
    /* well-formed but never issued */
    open_session(f, f->customer, "device-unknown", TTL, &c);
    memcpy(forged, c.token, sizeof(forged));
    forged[10] = forged[10] == 'A' ? 'B' : 'A';
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, forged, TTL, &s), CT_E_UNAUTH);
    /* another kind of token with the same secret part */
    memcpy(forged, c.token, sizeof(forged));
    forged[0] = 'o';
    assert_int_equal(ct_session_check(f->db, CT_SESSION_CUSTOMER, forged, TTL, &s), CT_E_UNAUTH);
}

static void
test_device_paired_once(void **state)
{
    struct fx *f = *state;
    static const char count[] =
        "SELECT COUNT(*) FROM customer_device WHERE customer_id = ? AND device_id = ?";
    static const char seen[] = "UPDATE customer_device SET last_seen_at = '2001-01-01', "
                               "paired_at = '2001-01-01' WHERE ? > 0 AND customer_id = ?";
    static const char after[] = "SELECT COUNT(*) FROM customer_device WHERE customer_id = ? "
                                "AND device_id = ? AND paired_at = '2001-01-01' "
                                "AND last_seen_at > '2020-01-01'";
    struct open_ctx c;
    char device[64];

    (void)snprintf(device, sizeof(device), "phone-%ld-%ld", (long)getpid(), (long)time(NULL));
    assert_int_equal(q_i64(f, count, f->customer, device), 0);
    open_session(f, f->customer, device, TTL, &c);
    assert_int_equal(q_i64(f, count, f->customer, device), 1);
    exec_sl(f, seen, 1, f->customer);
    open_session(f, f->customer, device, TTL, &c);
    /* still one row: paired_at kept, last_seen_at moved */
    assert_int_equal(q_i64(f, count, f->customer, device), 1);
    assert_int_equal(q_i64(f, after, f->customer, device), 1);
    /* the same device id for another customer is another pairing */
    open_session(f, f->other, device, TTL, &c);
    assert_int_equal(q_i64(f, count, f->other, device), 1);
}

/* ---- setup --------------------------------------------------------------------------------- */

struct seed_ctx {
    struct fx *f;
    const char *id;
    const char *email;
};

static enum ct_err
seed_fn(struct ct_db *db, void *arg)
{
    static const char sql[] =
        "INSERT INTO customer (id, partner_id, email, phone, first_name, last_name, country, "
        "birth_date) VALUES (?, ?, ?, '+33600000000', 'Test', 'Session', 'FR', '1990-01-01')";
    struct seed_ctx *c = arg;

    return ct_db_exec(db, sql, NULL, "sls", c->id, c->f->partner_id, c->email);
}

static void
seed_customer(struct fx *f, char id[CT_UUID_LEN + 1])
{
    struct seed_ctx c = {f, id, NULL};
    char email[80];

    assert_int_equal(ct_uuid_new(id), CT_OK);
    (void)snprintf(email, sizeof(email), "session-%s@example.test", id);
    c.email = email;
    assert_int_equal(ct_db_txn(f->db, seed_fn, &c), CT_OK);
}

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->db = fixture_open("test_session_db", &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
    f->partner_id = fixture_partner(f->db);
    if (f->partner_id == 0) {
        ct_db_close(f->db);
        free(f);
        return -1;
    }
    *state = f;
    seed_customer(f, f->customer);
    seed_customer(f, f->other);
    return 0;
}

static int
group_teardown(void **state)
{
    struct fx *f = *state;

    if (f != NULL) {
        ct_db_close(f->db);
        free(f);
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_check), cmocka_unit_test(test_slide_at_most_once_a_minute),
        cmocka_unit_test(test_expiry),         cmocka_unit_test(test_end),
        cmocka_unit_test(test_unknown_tokens), cmocka_unit_test(test_device_paired_once),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
