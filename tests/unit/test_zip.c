/* test_zip.c - CRC-32 known answers and the stored-entry ZIP writer (checked by reading the
 * archive back byte by byte, and with `unzip -t` when it is installed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ct/ct_zip.h"

static uint32_t
rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t
rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static void
test_crc32_known_answers(void **state)
{
    static const unsigned char zeros[32] = {0};
    (void)state;
    assert_int_equal(ct_crc32(0, "", 0), 0x00000000u);
    assert_int_equal(ct_crc32(0, "123456789", 9), 0xcbf43926u); /* the check value */
    assert_int_equal(ct_crc32(0, "a", 1), 0xe8b7be43u);
    assert_int_equal(ct_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
    assert_int_equal(ct_crc32(0, zeros, sizeof(zeros)), 0x190a55adu);
    /* incremental equals one pass */
    assert_int_equal(ct_crc32(ct_crc32(0, "12345", 5), "6789", 4), 0xcbf43926u);
}

static void
test_zip_layout(void **state)
{
    struct ct_buf out;
    struct ct_zip z;
    const unsigned char *p;
    size_t len, eocd;
    uint32_t cd_off, cd_size;

    (void)state;
    ct_buf_init(&out, 1 << 20);
    ct_zip_init(&z, &out);
    assert_int_equal(ct_zip_add(&z, "a.txt", "hello\n", 6, 1700000000), CT_OK);
    assert_int_equal(ct_zip_add(&z, "dir/b.bin", "\0\1\2", 3, 1700000000), CT_OK);
    assert_int_equal(ct_zip_add(&z, "empty", "", 0, 0), CT_OK);
    assert_int_equal(ct_zip_finish(&z), CT_OK);
    p = (const unsigned char *)ct_buf_str(&out);
    len = ct_buf_len(&out);
    /* first local header */
    assert_int_equal(rd32(p), 0x04034b50u);
    assert_int_equal(rd16(p + 8), 0); /* stored */
    assert_int_equal(rd32(p + 14), ct_crc32(0, "hello\n", 6));
    assert_int_equal(rd32(p + 18), 6);
    assert_int_equal(rd32(p + 22), 6);
    assert_int_equal(rd16(p + 26), 5);
    assert_memory_equal(p + 30, "a.txt", 5);
    assert_memory_equal(p + 35, "hello\n", 6);
    /* end of central directory */
    eocd = len - 22;
    assert_int_equal(rd32(p + eocd), 0x06054b50u);
    assert_int_equal(rd16(p + eocd + 8), 3);
    assert_int_equal(rd16(p + eocd + 10), 3);
    cd_size = rd32(p + eocd + 12);
    cd_off = rd32(p + eocd + 16);
    assert_int_equal(cd_off + cd_size, eocd);
    assert_int_equal(rd32(p + cd_off), 0x02014b50u);
    assert_int_equal(rd32(p + cd_off + 42), 0); /* first entry at offset 0 */
    ct_buf_free(&out);
}

static void
test_zip_refuses_bad_names(void **state)
{
    struct ct_buf out;
    struct ct_zip z;

    (void)state;
    ct_buf_init(&out, 1 << 16);
    ct_zip_init(&z, &out);
    assert_int_equal(ct_zip_add(&z, "../evil", "x", 1, 0), CT_E_RULE);
    assert_int_equal(ct_zip_add(&z, "/abs", "x", 1, 0), CT_E_RULE);
    assert_int_equal(ct_zip_add(&z, "a/../../b", "x", 1, 0), CT_E_RULE);
    assert_int_equal(ct_zip_add(&z, "a\\b", "x", 1, 0), CT_E_RULE);
    assert_int_equal(ct_zip_add(&z, "", "x", 1, 0), CT_E_RULE);
    assert_int_equal(ct_zip_add(&z, "ok..name", "x", 1, 0), CT_OK); /* dots inside a name */
    assert_int_equal(ct_zip_finish(&z), CT_OK);
    ct_buf_free(&out);
}

static void
test_zip_cap(void **state)
{
    static const char big[4096] = {0};
    struct ct_buf out;
    struct ct_zip z;

    (void)state;
    ct_buf_init(&out, 1000);
    ct_zip_init(&z, &out);
    assert_int_equal(ct_zip_add(&z, "big", big, sizeof(big), 0), CT_E_TOOBIG);
    assert_int_equal(ct_zip_add(&z, "small", "x", 1, 0), CT_E_TOOBIG); /* sticky */
    assert_int_equal(ct_zip_finish(&z), CT_E_TOOBIG);
    ct_buf_free(&out);
}

static void
test_zip_unzip_accepts(void **state)
{
    char path[] = "/tmp/ct_test_zip_XXXXXX";
    struct ct_buf out;
    struct ct_zip z;
    char cmd[256];
    FILE *f;
    int fd;

    (void)state;
    if (system("command -v unzip >/dev/null 2>&1") != 0)
        skip();
    ct_buf_init(&out, 1 << 20);
    ct_zip_init(&z, &out);
    assert_int_equal(ct_zip_add(&z, "statement-1.pdf", "%PDF-1.4 fake", 13, 1700000000), CT_OK);
    assert_int_equal(ct_zip_add(&z, "statement-2.pdf", "%PDF-1.4 other", 14, 1700000000), CT_OK);
    assert_int_equal(ct_zip_finish(&z), CT_OK);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(ct_buf_str(&out), 1, ct_buf_len(&out), f), ct_buf_len(&out));
    fclose(f);
    (void)snprintf(cmd, sizeof(cmd), "unzip -tq %s >/dev/null 2>&1", path);
    assert_int_equal(system(cmd), 0);
    unlink(path);
    ct_buf_free(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_answers),   cmocka_unit_test(test_zip_layout),
        cmocka_unit_test(test_zip_refuses_bad_names), cmocka_unit_test(test_zip_cap),
        cmocka_unit_test(test_zip_unzip_accepts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
