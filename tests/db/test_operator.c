/* test_operator.c - the admin channel's library against a real MariaDB (COMPTOIR_DB_* env, the
 * migrations applied): operators (insert, duplicate email, get scoped by partner, list, update),
 * operator logins under the customers' lockout policy, operator sessions (the session kind: role
 * read at each check, a disabled operator's session refused, logout), admin origins, and the
 * user search with its filters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ct/ct_conf.h"
#include "ct/ct_customer.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"
#include "ct/ct_login.h"
#include "ct/ct_operator.h"
#include "ct/ct_password.h"
#include "ct/ct_session.h"
#include "ct/ct_util.h"
#include "db_fixture.h"

#define TTL 600
#define PASSWORD "operator password 1"

struct fx {
    struct fixture base; /* first: fixture_group_setup allocates it */
    int64_t partner_id;
    char hash[CT_PASSWORD_HASH_MAX];
};

struct write_ctx {
    struct ct_operator *op;
    const char *hash;
    bool update;
};

struct open_ctx {
    const struct ct_operator *op;
    char token[CT_TOKEN_MAX];
    struct ct_session s;
};

struct origin_ctx {
    int64_t partner_id;
    const char *origin;
    bool add;
};

static enum ct_err
write_fn(struct ct_db *db, void *arg)
{
    struct write_ctx *w = arg;

    return w->update ? ct_operator_update(db, w->op, w->hash)
                     : ct_operator_insert(db, w->op, w->hash);
}

static enum ct_err
add_operator(struct fx *f, const char *role, struct ct_operator *op)
{
    struct write_ctx w = {op, f->hash, false};

    memset(op, 0, sizeof(*op));
    op->partner_id = f->partner_id;
    (void)snprintf(op->role, sizeof(op->role), "%s", role);
    (void)snprintf(op->name, sizeof(op->name), "Test %s", role);
    assert_int_equal(ct_uuid_new(op->id), CT_OK); /* a unique email; insert gives the real id */
    (void)snprintf(op->email, sizeof(op->email), "op-%.8s-%ld@db.test", op->id, (long)getpid());
    return ct_db_txn(f->base.db, write_fn, &w);
}

static enum ct_err
open_fn(struct ct_db *db, void *arg)
{
    struct open_ctx *c = arg;

    return ct_session_open(db, CT_SESSION_OPERATOR, c->op->partner_id, c->op->id, NULL, TTL,
                           c->token, &c->s);
}

static enum ct_err
origin_fn(struct ct_db *db, void *arg)
{
    struct origin_ctx *c = arg;

    return c->add ? ct_admin_origin_add(db, c->partner_id, c->origin)
                  : ct_admin_origin_remove(db, c->partner_id, c->origin);
}

static void
test_insert_get_list_update(void **state)
{
    struct fx *f = *state;
    struct ct_operator op, dup, got, *items = NULL;
    struct write_ctx w = {&op, NULL, true};
    size_t n = 0, i;
    bool found = false;

    assert_int_equal(add_operator(f, "EMPLOYEE", &op), CT_OK);
    assert_true(ct_uuid_valid(op.id));
    assert_string_equal(op.status, "active");
    assert_string_equal(op.last_login_at, "");
    dup = op;
    assert_int_equal(ct_db_txn(f->base.db, write_fn, &(struct write_ctx){&dup, f->hash, false}),
                     CT_E_CONFLICT);
    assert_int_equal(ct_operator_get(f->base.db, f->partner_id, op.id, &got), CT_OK);
    assert_string_equal(got.email, op.email);
    assert_int_equal(ct_operator_get(f->base.db, f->partner_id + 1000000, op.id, &got),
                     CT_E_NOTFOUND);
    assert_int_equal(ct_operator_get(f->base.db, f->partner_id, "not-a-uuid", &got), CT_E_NOTFOUND);
    assert_int_equal(ct_operator_find(f->base.db, op.email, &got), CT_OK);
    assert_string_equal(got.id, op.id);
    assert_int_equal(ct_operator_list(f->base.db, f->partner_id, &items, &n), CT_OK);
    for (i = 0; i < n; i++)
        found |= strcmp(items[i].id, op.id) == 0;
    free(items);
    assert_true(found);
    (void)snprintf(op.role, sizeof(op.role), "MANAGER");
    (void)snprintf(op.status, sizeof(op.status), "disabled");
    assert_int_equal(ct_db_txn(f->base.db, write_fn, &w), CT_OK);
    assert_string_equal(op.role, "MANAGER");
    assert_string_equal(op.status, "disabled");
    op.partner_id = f->partner_id + 1000000; /* another partner's operator cannot be written */
    assert_int_equal(ct_db_txn(f->base.db, write_fn, &w), CT_E_NOTFOUND);
}

static void
test_login_and_lockout(void **state)
{
    struct fx *f = *state;
    struct ct_operator op;
    struct ct_operator_login who;
    int i;

    assert_int_equal(add_operator(f, "MANAGER", &op), CT_OK);
    assert_int_equal(ct_operator_login(f->base.db, op.email, PASSWORD, &who), CT_OK);
    assert_string_equal(who.operator_id, op.id);
    assert_int_equal(who.partner_id, f->partner_id);
    assert_string_equal(who.role, "MANAGER");
    assert_int_equal(ct_operator_login(f->base.db, "nobody@db.test", PASSWORD, &who), CT_E_UNAUTH);
    assert_string_equal(who.operator_id, "");
    for (i = 0; i < CT_LOGIN_LOCK_AFTER; i++) {
        assert_int_equal(ct_operator_login(f->base.db, op.email, "wrong password", &who),
                         CT_E_UNAUTH);
        assert_string_equal(who.operator_id, op.id); /* the audit knows who was tried */
    }
    assert_int_equal(ct_operator_login(f->base.db, op.email, PASSWORD, &who), CT_E_TOOMANY);
    assert_true(who.retry_after > 0 && who.retry_after <= CT_LOGIN_LOCK_SECONDS);
}

static void
test_session_kind(void **state)
{
    struct fx *f = *state;
    struct ct_operator op;
    struct write_ctx w = {&op, NULL, true};
    struct open_ctx c;
    struct ct_session s;

    assert_int_equal(add_operator(f, "EMPLOYEE", &op), CT_OK);
    memset(&c, 0, sizeof(c));
    c.op = &op;
    assert_int_equal(ct_db_txn(f->base.db, open_fn, &c), CT_OK);
    assert_true(ct_token_shape(c.token, "os"));
    assert_int_equal(ct_session_check(f->base.db, CT_SESSION_OPERATOR, c.token, TTL, &s), CT_OK);
    assert_int_equal(s.kind, CT_SESSION_OPERATOR);
    assert_string_equal(s.subject, op.id);
    assert_string_equal(s.role, "EMPLOYEE");
    assert_int_equal(s.partner_id, f->partner_id);
    /* an operator token is no customer session, and the other way round */
    assert_int_equal(ct_session_check(f->base.db, CT_SESSION_CUSTOMER, c.token, TTL, &s),
                     CT_E_UNAUTH);
    /* the role is read at each check */
    (void)snprintf(op.role, sizeof(op.role), "ADMIN");
    assert_int_equal(ct_db_txn(f->base.db, write_fn, &w), CT_OK);
    assert_int_equal(ct_session_check(f->base.db, CT_SESSION_OPERATOR, c.token, TTL, &s), CT_OK);
    assert_string_equal(s.role, "ADMIN");
    /* a disabled operator's session stops */
    (void)snprintf(op.status, sizeof(op.status), "disabled");
    assert_int_equal(ct_db_txn(f->base.db, write_fn, &w), CT_OK);
    assert_int_equal(ct_session_check(f->base.db, CT_SESSION_OPERATOR, c.token, TTL, &s),
                     CT_E_UNAUTH);
    (void)snprintf(op.status, sizeof(op.status), "active");
    assert_int_equal(ct_db_txn(f->base.db, write_fn, &w), CT_OK);
    assert_int_equal(ct_session_end(f->base.db, CT_SESSION_OPERATOR, c.s.id, op.id), CT_OK);
    assert_int_equal(ct_session_check(f->base.db, CT_SESSION_OPERATOR, c.token, TTL, &s),
                     CT_E_UNAUTH);
    assert_int_equal(ct_session_end(f->base.db, CT_SESSION_OPERATOR, c.s.id, op.id), CT_E_NOTFOUND);
    /* an operator session needs no device, and a customer-only argument is refused */
    c.op = &op;
    assert_int_equal(ct_session_open(f->base.db, CT_SESSION_OPERATOR, f->partner_id, op.id, "phone",
                                     TTL, c.token, &c.s),
                     CT_E_INTERNAL);
}

static void
test_origins(void **state)
{
    struct fx *f = *state;
    char origin[64];
    struct origin_ctx c = {f->partner_id, origin, true};

    (void)snprintf(origin, sizeof(origin), "https://db-%ld.example", (long)getpid());
    assert_int_equal(ct_admin_origin_check(f->base.db, f->partner_id, origin), CT_E_FORBIDDEN);
    assert_int_equal(ct_db_txn(f->base.db, origin_fn, &c), CT_OK);
    assert_int_equal(ct_db_txn(f->base.db, origin_fn, &c), CT_E_CONFLICT);
    assert_int_equal(ct_admin_origin_check(f->base.db, f->partner_id, origin), CT_OK);
    assert_int_equal(ct_admin_origin_check(f->base.db, f->partner_id + 1000000, origin),
                     CT_E_FORBIDDEN);
    assert_int_equal(ct_admin_origin_check(f->base.db, f->partner_id, NULL), CT_E_FORBIDDEN);
    assert_int_equal(ct_admin_origin_check(f->base.db, f->partner_id, ""), CT_E_FORBIDDEN);
    c.add = false;
    assert_int_equal(ct_db_txn(f->base.db, origin_fn, &c), CT_OK);
    assert_int_equal(ct_db_txn(f->base.db, origin_fn, &c), CT_E_NOTFOUND);
    assert_int_equal(ct_admin_origin_check(f->base.db, f->partner_id, origin), CT_E_FORBIDDEN);
}

static const char *
no_query(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void
no_error(void *ctx, const char *field, const char *message)
{
    (void)ctx;
    (void)field;
    (void)message;
    fail();
}

static void
test_search_is_scoped(void **state)
{
    struct fx *f = *state;
    struct ct_query_src q = {no_query, no_error, NULL};
    struct ct_customer_filter flt;
    struct ct_customer *items = NULL;
    size_t n = 0, i;
    int64_t total = -1;

    memset(&flt, 0, sizeof(flt));
    assert_true(ct_customer_filter_parse(&q, &flt));
    flt.partner_id = f->partner_id;
    assert_int_equal(ct_customer_search(f->base.db, &flt, 1, 5, &items, &n, &total), CT_OK);
    assert_true(n <= 5 && (int64_t)n <= total);
    for (i = 0; i < n; i++)
        assert_int_equal(items[i].partner_id, f->partner_id);
    free(items);
    flt.partner_id = INT64_MAX; /* no such partner: nothing */
    assert_int_equal(ct_customer_search(f->base.db, &flt, 1, 5, &items, &n, &total), CT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    free(items);
}

static int
group_setup(void **state)
{
    struct fx *f;

    if (fixture_group_setup(state, "test_operator_db", sizeof(*f)) != 0)
        return -1;
    f = *state;
    f->partner_id = fixture_partner(f->base.db);
    if (f->partner_id == 0 || ct_password_hash(PASSWORD, f->hash) != CT_OK) {
        (void)fixture_group_teardown(state);
        return -1;
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_get_list_update), cmocka_unit_test(test_login_and_lockout),
        cmocka_unit_test(test_session_kind),           cmocka_unit_test(test_origins),
        cmocka_unit_test(test_search_is_scoped),
    };

    return cmocka_run_group_tests(tests, group_setup, fixture_group_teardown);
}
