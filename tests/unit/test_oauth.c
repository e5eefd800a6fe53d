/* test_oauth.c - the pure parts of the OAuth module: scopes, PKCE S256 (RFC 7636 appendix B),
 * redirect URI registration rules, HTTP Basic client credentials, query escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "ct/ct_oauth.h"

static void
test_scopes(void **state)
{
    (void)state;
    assert_true(ct_oauth_scope_valid("read"));
    assert_true(ct_oauth_scope_valid("read write"));
    assert_true(ct_oauth_scope_valid("write read"));
    assert_false(ct_oauth_scope_valid(""));
    assert_false(ct_oauth_scope_valid(NULL));
    assert_false(ct_oauth_scope_valid("read read"));
    assert_false(ct_oauth_scope_valid("read  write"));
    assert_false(ct_oauth_scope_valid(" read"));
    assert_false(ct_oauth_scope_valid("read "));
    assert_false(ct_oauth_scope_valid("admin"));
    assert_false(ct_oauth_scope_valid("rea"));
    assert_false(ct_oauth_scope_valid("reads"));
    assert_true(ct_oauth_scope_subset("read", "read write"));
    assert_true(ct_oauth_scope_subset("write read", "read write"));
    assert_false(ct_oauth_scope_subset("read write", "read"));
}

static void
test_pkce(void **state)
{
    /* RFC 7636 appendix B */
    const char *verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const char *challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    char longer[130];

    (void)state;
    assert_true(ct_oauth_pkce_valid(verifier));
    assert_true(ct_oauth_pkce_s256_match(verifier, challenge));
    assert_false(ct_oauth_pkce_s256_match(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"));
    assert_false(
        ct_oauth_pkce_s256_match("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl", challenge));
    assert_false(ct_oauth_pkce_s256_match(verifier, NULL));
    assert_false(ct_oauth_pkce_s256_match(NULL, challenge));
    assert_false(ct_oauth_pkce_valid("short"));
    assert_false(ct_oauth_pkce_valid("dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk"));
    memset(longer, 'a', sizeof(longer));
    longer[128] = '\0';
    assert_true(ct_oauth_pkce_valid(longer));
    longer[128] = 'a';
    longer[129] = '\0';
    assert_false(ct_oauth_pkce_valid(longer));
}

static void
test_redirect_uris(void **state)
{
    (void)state;
    assert_true(ct_oauth_redirect_uri_valid("https://app.example/cb"));
    assert_true(ct_oauth_redirect_uri_valid("https://app.example/cb?x=1"));
    assert_true(ct_oauth_redirect_uri_valid("http://127.0.0.1:8080/cb"));
    assert_true(ct_oauth_redirect_uri_valid("http://localhost/cb"));
    assert_true(ct_oauth_redirect_uri_valid("com.example.app:/oauth"));
    assert_false(ct_oauth_redirect_uri_valid("http://app.example/cb"));
    assert_false(ct_oauth_redirect_uri_valid("https://app.example/cb#frag"));
    assert_false(ct_oauth_redirect_uri_valid("https://app.example/c b"));
    assert_false(ct_oauth_redirect_uri_valid("https:///cb"));
    assert_false(ct_oauth_redirect_uri_valid("javascript:alert(1)"));
    assert_false(ct_oauth_redirect_uri_valid("myapp:/cb"));
    assert_false(ct_oauth_redirect_uri_valid(""));
    assert_false(ct_oauth_redirect_uri_valid(NULL));
}

static void
test_basic(void **state)
{
    char id[81], secret[257];

    (void)state;
    /* "demo-app:s3cret" */
    assert_true(
        ct_oauth_basic_parse("Basic ZGVtby1hcHA6czNjcmV0", id, sizeof(id), secret, sizeof(secret)));
    assert_string_equal(id, "demo-app");
    assert_string_equal(secret, "s3cret");
    /* "a%3Ab:c+d%25" -> id "a:b", secret "c d%" (form-urlencoded parts) */
    assert_true(
        ct_oauth_basic_parse("basic YSUzQWI6YytkJTI1", id, sizeof(id), secret, sizeof(secret)));
    assert_string_equal(id, "a:b");
    assert_string_equal(secret, "c d%");
    /* "x:" -> empty secret is accepted here (authentication fails later) */
    assert_true(ct_oauth_basic_parse("Basic eDo=", id, sizeof(id), secret, sizeof(secret)));
    assert_string_equal(secret, "");
    assert_false(ct_oauth_basic_parse("Basic bm9jb2xvbg==", id, sizeof(id), secret,
                                      sizeof(secret))); /* "nocolon" */
    assert_false(ct_oauth_basic_parse("Basic OnNlY3JldA==", id, sizeof(id), secret,
                                      sizeof(secret))); /* ":secret": empty id */
    assert_false(ct_oauth_basic_parse("Bearer abc", id, sizeof(id), secret, sizeof(secret)));
    assert_false(ct_oauth_basic_parse("Basic !!!!", id, sizeof(id), secret, sizeof(secret)));
    assert_false(ct_oauth_basic_parse("Basic abc", id, sizeof(id), secret, sizeof(secret)));
    assert_false(ct_oauth_basic_parse("Basic ZGVtby1hcHA6czNjcmV0", id, 4, secret, sizeof(secret)));
    assert_false(ct_oauth_basic_parse(NULL, id, sizeof(id), secret, sizeof(secret)));
}

static void
test_query_escape(void **state)
{
    char out[64];

    (void)state;
    assert_true(ct_oauth_query_escape("a b+c&d=é~", out, sizeof(out)));
    assert_string_equal(out, "a%20b%2Bc%26d%3D%C3%A9~");
    assert_true(ct_oauth_query_escape("", out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(ct_oauth_query_escape("&&&&", out, 12));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scopes),        cmocka_unit_test(test_pkce),
        cmocka_unit_test(test_redirect_uris), cmocka_unit_test(test_basic),
        cmocka_unit_test(test_query_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
