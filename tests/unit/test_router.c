/* test_router.c - path patterns, parameters, 404 and 405 with the Allow list. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "../../fcgi/lib/internal.h"

static enum ct_err
h_any(struct ct_req *req)
{
    (void)req;
    return CT_OK;
}

static const struct ct_route routes[] = {
    {"POST", "/secure/customers", h_any, 0},
    {"GET", "/secure/customers/{customerId}", h_any, 0},
    {"PUT", "/secure/customers/{customerId}", h_any, 0},
    {"GET", "/secure/customers/{customerId}/balances/{balanceId}", h_any, 0},
    {"GET", "/secure/ibans", h_any, 0},
    {NULL, NULL, NULL, 0},
};

struct fixture {
    struct ct_conf conf;
    struct ct_req req;
    struct ct_req_internal in;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    ct_req_setup(&f->req, &f->in, NULL, &f->conf, NULL);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    ct_req_teardown(&f->req);
    free(f);
    return 0;
}

static void
test_params_are_captured(void **state)
{
    struct fixture *f = *state;
    char allow[64];

    assert_int_equal(ct_route_match(routes, &f->req, "GET", "/secure/customers/c1/balances/b2",
                                    allow, sizeof(allow)),
                     CT_OK);
    assert_ptr_equal(f->req.route, &routes[3]);
    assert_string_equal(ct_req_path_arg(&f->req, "customerId"), "c1");
    assert_string_equal(ct_req_path_arg(&f->req, "balanceId"), "b2");
    assert_null(ct_req_path_arg(&f->req, "nope"));
}

static void
test_unknown_paths_are_404(void **state)
{
    struct fixture *f = *state;
    char allow[64];
    static const char *const paths[] = {
        "/secure/customers/", "/secure/customers//balances", "/secure",
        "/secure/ibans/x",    "/secure/customers/a/b",       "",
        "secure/ibans"};
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        assert_int_equal(ct_route_match(routes, &f->req, "GET", paths[i], allow, sizeof(allow)),
                         CT_E_NOTFOUND);
}

static void
test_wrong_method_is_405_with_allow(void **state)
{
    struct fixture *f = *state;
    char allow[64];

    assert_int_equal(
        ct_route_match(routes, &f->req, "DELETE", "/secure/customers/x", allow, sizeof(allow)),
        CT_E_METHOD);
    assert_string_equal(allow, "GET, PUT");
    assert_int_equal(
        ct_route_match(routes, &f->req, "GET", "/secure/customers", allow, sizeof(allow)),
        CT_E_METHOD);
    assert_string_equal(allow, "POST");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_params_are_captured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_paths_are_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_method_is_405_with_allow, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
