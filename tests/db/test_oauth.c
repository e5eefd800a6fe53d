/* test_oauth.c - the OAuth module against a real MariaDB (COMPTOIR_DB_* env, migrations applied,
 * a partner seeded): clients, consent login and lockout, codes, refresh rotation and reuse,
 * revocation, the access check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"
#include "ct/ct_login.h"
#include "ct/ct_oauth.h"
#include "ct/ct_password.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define URI "https://app.example/cb"
#define SECRET "sk_test-secret-of-the-db-test"
#define PASSWORD "correct horse battery"

struct fx {
    struct ct_conf conf;
    struct ct_db *db;
    int64_t partner_id;
    char client_id[CT_UUID_LEN + 1];
    char email[96], locked_email[96];
    char customer[CT_UUID_LEN + 1];
    struct ct_oauth_client client;
};

struct seed_ctx {
    struct fx *f;
    const char *email;
    char id[CT_UUID_LEN + 1];
    char hash[CT_PASSWORD_HASH_MAX];
};

static enum ct_err
customer_fn(struct ct_db *db, void *arg)
{
    static const char sql[] =
        "INSERT INTO customer (id, partner_id, email, phone, first_name, last_name, country, "
        "birth_date, password_hash) VALUES (?, ?, ?, '+33600000000', 'Test', 'OAuth', 'FR', "
        "'1990-01-01', ?)";
    struct seed_ctx *c = arg;

    return ct_db_exec(db, sql, NULL, "slss", c->id, c->f->partner_id, c->email, c->hash);
}

static enum ct_err
client_fn(struct ct_db *db, void *arg)
{
    struct seed_ctx *c = arg;
    enum ct_err err =
        ct_oauth_client_insert(db, c->f->partner_id, c->f->client_id, "DB test", c->hash);

    return err != CT_OK ? err : ct_oauth_redirect_add(db, c->f->client_id, URI);
}

static enum ct_err
disable_fn(struct ct_db *db, void *arg)
{
    struct fx *f = arg;

    return ct_oauth_client_set_active(db, f->client_id, false);
}

static enum ct_err
enable_fn(struct ct_db *db, void *arg)
{
    struct fx *f = arg;

    return ct_oauth_client_set_active(db, f->client_id, true);
}

static void
issue(struct fx *f, const char *challenge, char code[CT_TOKEN_MAX])
{
    assert_int_equal(
        ct_oauth_code_issue(f->db, &f->client, f->customer, "read write", URI, challenge, code),
        CT_OK);
}

static void
test_clients(void **state)
{
    struct fx *f = *state;
    struct ct_oauth_client c;

    assert_int_equal(ct_oauth_connect_client(f->db, f->client_id, URI, &c), CT_OK);
    assert_int_equal(c.partner_id, f->partner_id);
    assert_int_equal(ct_oauth_connect_client(f->db, f->client_id, URI "/", &c), CT_E_NOTFOUND);
    assert_int_equal(ct_oauth_connect_client(f->db, f->client_id, "https://app.example/CB", &c),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_oauth_connect_client(f->db, "nobody", URI, &c), CT_E_NOTFOUND);
    assert_int_equal(ct_oauth_client_auth(f->db, f->client_id, SECRET, &c), CT_OK);
    assert_int_equal(ct_oauth_client_auth(f->db, f->client_id, SECRET "x", &c), CT_E_UNAUTH);
    assert_int_equal(ct_oauth_client_auth(f->db, "nobody", SECRET, &c), CT_E_UNAUTH);
    assert_int_equal(ct_db_txn(f->db, disable_fn, f), CT_OK);
    assert_int_equal(ct_oauth_client_auth(f->db, f->client_id, SECRET, &c), CT_E_FORBIDDEN);
    assert_int_equal(ct_oauth_connect_client(f->db, f->client_id, URI, &c), CT_E_NOTFOUND);
    assert_int_equal(ct_db_txn(f->db, enable_fn, f), CT_OK);
}

/* The consent page's login is the customers' (ct_login.h): one policy for both. */
static void
test_login_and_lockout(void **state)
{
    struct fx *f = *state;
    char id[CT_UUID_LEN + 1];
    int64_t left = 0;
    int i;

    assert_int_equal(ct_customer_login(f->db, f->partner_id, f->email, PASSWORD, id, &left), CT_OK);
    assert_string_equal(id, f->customer);
    assert_int_equal(ct_customer_login(f->db, f->partner_id, f->email, "nope", id, &left),
                     CT_E_UNAUTH);
    assert_int_equal(
        ct_customer_login(f->db, f->partner_id + 1000000, f->email, PASSWORD, id, &left),
        CT_E_UNAUTH);
    for (i = 0; i < CT_LOGIN_LOCK_AFTER; i++)
        assert_int_equal(
            ct_customer_login(f->db, f->partner_id, f->locked_email, "wrong password", id, &left),
            CT_E_UNAUTH);
    /* locked now: even the right password is refused, with the time left */
    assert_int_equal(ct_customer_login(f->db, f->partner_id, f->locked_email, PASSWORD, id, &left),
                     CT_E_TOOMANY);
    assert_true(left > 0 && left <= CT_LOGIN_LOCK_SECONDS);
}

static void
test_code_exchange_and_replay(void **state)
{
    struct fx *f = *state;
    struct ct_oauth_tokens t, t2;
    struct ct_oauth_access a;
    const char *error = NULL, *why = NULL;
    char code[CT_TOKEN_MAX];

    issue(f, NULL, code);
    assert_int_equal(
        ct_oauth_exchange_code(f->db, &f->client, code, URI "/x", NULL, &t, &error, &why),
        CT_E_RULE);
    assert_string_equal(error, "invalid_grant");
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI, NULL, &t, &error, &why),
                     CT_OK);
    assert_int_equal(t.expires_in, 3600);
    assert_string_equal(t.scope, "read write");
    assert_int_equal(ct_oauth_access_check(f->db, t.access, &a), CT_OK);
    assert_string_equal(a.customer_id, f->customer);
    assert_string_equal(a.client_id, f->client_id);
    assert_int_equal(a.partner_id, f->partner_id);
    /* whole seconds left, rounded down: what caps the identity cache's lifetime (auth/check.c) */
    assert_true(a.expires_in >= 3598 && a.expires_in <= 3599);
    assert_int_equal(ct_oauth_access_check(f->db, t.refresh, &a), CT_E_UNAUTH);
    /* replay: refused, and the first exchange's tokens die */
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI, NULL, &t2, &error, &why),
                     CT_E_RULE);
    assert_string_equal(error, "invalid_grant");
    assert_int_equal(ct_oauth_access_check(f->db, t.access, &a), CT_E_UNAUTH);
    assert_int_equal(
        ct_oauth_exchange_refresh(f->db, &f->client, t.refresh, NULL, &t2, &error, &why),
        CT_E_RULE);
}

static void
test_pkce(void **state)
{
    struct fx *f = *state;
    struct ct_oauth_tokens t;
    const char *error = NULL, *why = NULL;
    char code[CT_TOKEN_MAX];

    issue(f, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code);
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI, NULL, &t, &error, &why),
                     CT_E_RULE);
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI,
                                            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl", &t,
                                            &error, &why),
                     CT_E_RULE);
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI,
                                            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &t,
                                            &error, &why),
                     CT_OK);
}

static void
test_refresh_rotation_and_reuse(void **state)
{
    struct fx *f = *state;
    struct ct_oauth_tokens t1, t2, t3;
    struct ct_oauth_access a;
    const char *error = NULL, *why = NULL;
    char code[CT_TOKEN_MAX];

    issue(f, NULL, code);
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI, NULL, &t1, &error, &why),
                     CT_OK);
    assert_int_equal(
        ct_oauth_exchange_refresh(f->db, &f->client, t1.refresh, "read", &t2, &error, &why), CT_OK);
    assert_string_equal(t2.scope, "read");
    assert_int_equal(
        ct_oauth_exchange_refresh(f->db, &f->client, t2.refresh, "read write", &t3, &error, &why),
        CT_E_RULE);
    assert_string_equal(error, "invalid_scope");
    assert_int_equal(ct_oauth_access_check(f->db, t2.access, &a), CT_OK);
    /* t1's refresh token again: the family (t1 and t2) is revoked */
    assert_int_equal(
        ct_oauth_exchange_refresh(f->db, &f->client, t1.refresh, NULL, &t3, &error, &why),
        CT_E_RULE);
    assert_int_equal(ct_oauth_access_check(f->db, t2.access, &a), CT_E_UNAUTH);
    assert_int_equal(
        ct_oauth_exchange_refresh(f->db, &f->client, t2.refresh, NULL, &t3, &error, &why),
        CT_E_RULE);
}

static void
test_revoke(void **state)
{
    struct fx *f = *state;
    struct ct_oauth_tokens t;
    struct ct_oauth_access a;
    const char *error = NULL, *why = NULL;
    char code[CT_TOKEN_MAX];

    issue(f, NULL, code);
    assert_int_equal(ct_oauth_exchange_code(f->db, &f->client, code, URI, NULL, &t, &error, &why),
                     CT_OK);
    assert_int_equal(ct_oauth_revoke(f->db, &f->client, "rt_unknown"), CT_OK);
    assert_int_equal(ct_oauth_access_check(f->db, t.access, &a), CT_OK);
    assert_int_equal(ct_oauth_revoke(f->db, &f->client, t.refresh), CT_OK);
    assert_int_equal(ct_oauth_access_check(f->db, t.access, &a), CT_E_UNAUTH);
}

static void
seed_customer(struct fx *f, const char *email, char id[CT_UUID_LEN + 1])
{
    struct seed_ctx c;

    memset(&c, 0, sizeof(c));
    c.f = f;
    c.email = email;
    assert_int_equal(ct_uuid_new(c.id), CT_OK);
    assert_int_equal(ct_password_hash(PASSWORD, c.hash), CT_OK);
    assert_int_equal(ct_db_txn(f->db, customer_fn, &c), CT_OK);
    if (id != NULL)
        memcpy(id, c.id, sizeof(c.id));
}

static int
group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct seed_ctx c;

    if (f == NULL)
        return -1;
    f->db = fixture_open("test_oauth_db", &f->conf);
    if (f->db == NULL) {
        free(f);
        return -1;
    }
    ct_log_setup("test_oauth_db", LOG_ERR); /* the lockout test's failed logins are expected */
    f->partner_id = fixture_partner(f->db);
    if (f->partner_id == 0)
        return -1;
    *state = f;
    if (ct_uuid_new(f->client_id) != CT_OK)
        return -1;
    (void)snprintf(f->email, sizeof(f->email), "oauth-%s@example.test", f->client_id);
    (void)snprintf(f->locked_email, sizeof(f->locked_email), "locked-%s@example.test",
                   f->client_id);
    seed_customer(f, f->email, f->customer);
    seed_customer(f, f->locked_email, NULL);
    memset(&c, 0, sizeof(c));
    c.f = f;
    if (ct_password_hash(SECRET, c.hash) != CT_OK || ct_db_txn(f->db, client_fn, &c) != CT_OK ||
        ct_oauth_connect_client(f->db, f->client_id, URI, &f->client) != CT_OK)
        return -1;
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
        cmocka_unit_test(test_clients),
        cmocka_unit_test(test_login_and_lockout),
        cmocka_unit_test(test_code_exchange_and_replay),
        cmocka_unit_test(test_pkce),
        cmocka_unit_test(test_refresh_rotation_and_reuse),
        cmocka_unit_test(test_revoke),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
