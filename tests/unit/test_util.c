/* test_util.c - buffers, integer and time parsing, ids, configuration, log redaction. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ct/ct_buf.h"
#include "ct/ct_conf.h"
#include "ct/ct_log.h"
#include "ct/ct_util.h"

static void
test_buf_cap_is_hard(void **state)
{
    struct ct_buf b;

    (void)state;
    ct_buf_init(&b, 8);
    assert_int_equal(ct_buf_puts(&b, "12345"), CT_OK);
    assert_int_equal(ct_buf_printf(&b, "%d", 678), CT_OK);
    assert_string_equal(ct_buf_str(&b), "12345678");
    assert_int_equal(ct_buf_puts(&b, "9"), CT_E_TOOBIG);
    assert_int_equal(ct_buf_printf(&b, "%s", "x"), CT_E_TOOBIG);
    assert_string_equal(ct_buf_str(&b), "12345678"); /* unchanged by the refused appends */
    ct_buf_reset(&b);
    assert_int_equal(ct_buf_len(&b), 0);
    ct_buf_free(&b);
    assert_string_equal(ct_buf_str(&b), "");
}

static void
test_parse_i64(void **state)
{
    int64_t v = 0;

    (void)state;
    assert_true(ct_parse_i64("42", 0, 100, &v));
    assert_int_equal(v, 42);
    assert_true(ct_parse_i64("-5", -10, 10, &v));
    assert_false(ct_parse_i64("101", 0, 100, &v));
    assert_false(ct_parse_i64("", 0, 100, &v));
    assert_false(ct_parse_i64(" 1", 0, 100, &v));
    assert_false(ct_parse_i64("1 ", 0, 100, &v));
    assert_false(ct_parse_i64("0x10", 0, 100, &v));
    assert_false(ct_parse_i64("-", -1, 100, &v));
    assert_false(ct_parse_i64("99999999999999999999", 0, INT64_MAX, &v));
}

static void
test_time_parse_and_print(void **state)
{
    int64_t t = 0, u = 0;
    char out[32];

    (void)state;
    assert_true(ct_time_parse("2026-11-22T10:00:00Z", &t));
    assert_int_equal(t, 1795341600LL * 1000000);
    assert_true(ct_time_parse("2026-11-22T11:00:00+01:00", &u));
    assert_int_equal(t, u);
    assert_true(ct_time_parse("2026-11-22T10:00:00.5Z", &u));
    assert_int_equal(u - t, 500000);
    assert_true(ct_time_parse("2026-11-22", &u));
    assert_int_equal(t - u, 10LL * 3600 * 1000000);
    assert_false(ct_time_parse("2026-02-30", &u));
    assert_false(ct_time_parse("2025-02-29", &u));
    assert_true(ct_time_parse("2024-02-29", &u));
    assert_false(ct_time_parse("2026-11-22T10:00:00", &u)); /* no zone: ambiguous */
    assert_false(ct_time_parse("2026-11-22T25:00:00Z", &u));
    assert_false(ct_time_parse("2026-11-22T10:00:00Zjunk", &u));
    ct_time_iso(t + 123456, out);
    assert_string_equal(out, "2026-11-22T10:00:00.123456Z");
    ct_time_to_db(t, out);
    assert_string_equal(out, "2026-11-22 10:00:00.000000");
    ct_time_from_db("2026-11-22 10:00:00.000000", out);
    assert_string_equal(out, "2026-11-22T10:00:00Z");
    ct_time_from_db("2026-11-22 10:00:00.120000", out);
    assert_string_equal(out, "2026-11-22T10:00:00.120000Z");
}

static void
test_uuid(void **state)
{
    char a[CT_UUID_LEN + 1], b[CT_UUID_LEN + 1];

    (void)state;
    assert_int_equal(ct_uuid_new(a), CT_OK);
    assert_int_equal(ct_uuid_new(b), CT_OK);
    assert_true(ct_uuid_valid(a));
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_false(ct_uuid_valid("not-a-uuid"));
    assert_false(ct_uuid_valid("0123456789abcdef0123456789abcdef0123"));
}

static void
test_conf_file_and_env(void **state)
{
    char path[] = "/tmp/ct_conf_XXXXXX", why[256];
    struct ct_conf c;
    FILE *f;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("# comment\nlisten = /tmp/x.sock\nworkers = 3\n\ndb_name=bank\n", f);
    fclose(f);
    unsetenv("COMPTOIR_WORKERS");
    assert_int_equal(ct_conf_load(path, &c, why, sizeof(why)), CT_OK);
    assert_string_equal(c.listen, "/tmp/x.sock");
    assert_int_equal(c.workers, 3);
    assert_string_equal(c.db_name, "bank");
    assert_int_equal(c.max_body, 65536); /* default */
    setenv("COMPTOIR_WORKERS", "5", 1);
    assert_int_equal(ct_conf_load(path, &c, why, sizeof(why)), CT_OK);
    assert_int_equal(c.workers, 5);
    setenv("COMPTOIR_WORKERS", "500", 1);
    assert_int_equal(ct_conf_load(path, &c, why, sizeof(why)), CT_E_BADREQ);
    unsetenv("COMPTOIR_WORKERS");
    f = fopen(path, "a");
    fputs("bogus = 1\n", f);
    fclose(f);
    assert_int_equal(ct_conf_load(path, &c, why, sizeof(why)), CT_E_BADREQ);
    assert_non_null(strstr(why, "bogus"));
    unlink(path);
}

static void
test_log_redacts_card_numbers(void **state)
{
    char s[] = "pan 4111111111111111 id 12345 long 12345678901234567890 end";

    (void)state;
    ct_log_redact(s);
    assert_string_equal(s, "pan 411111******1111 id 12345 long 12345678901234567890 end");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_cap_is_hard),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_time_parse_and_print),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_conf_file_and_env),
        cmocka_unit_test(test_log_redacts_card_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
