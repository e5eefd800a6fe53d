/* test_card_keys.c - the card keyring: its file format, every refusal, and the file checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ct/ct_card_keys.h"
#include "card_test_keys.h"

#define BASE TK_KEYRING

static enum ct_err parse(const char *text, char *why, size_t whysz);
static void refused(const char *text, const char *why_part);
static void key_file(char dir[64], char path[96], mode_t m, const char *text);

/* Parses text and frees the keyring at once; the error, and why. */
static enum ct_err
parse(const char *text, char *why, size_t whysz)
{
    struct ct_card_keys *keys = NULL;
    enum ct_err err = ct_card_keys_parse(text, strlen(text), &keys, why, whysz);

    assert_true((err == CT_OK) == (keys != NULL));
    ct_card_keys_free(keys);
    return err;
}

/* text is refused, why says why_part and shows no key. */
static void
refused(const char *text, const char *why_part)
{
    char why[200] = "";

    assert_int_equal(parse(text, why, sizeof(why)), CT_E_BADREQ);
    if (strstr(why, why_part) == NULL)
        fail_msg("why \"%s\" lacks \"%s\"", why, why_part);
    assert_null(strstr(why, "0405060708")); /* no key byte in a message */
    assert_null(strstr(why, "4445464748"));
}

static void
test_minimal_keyring(void **state)
{
    char why[200];
    struct ct_card_keys *keys = NULL;
    const char text[] = "# card keys\n\n" BASE;

    (void)state;
    assert_int_equal(ct_card_keys_parse(text, strlen(text), &keys, why, sizeof(why)), CT_OK);
    assert_int_equal(ct_card_keys_pan_current(keys), 1);
    assert_int_equal(ct_card_keys_pin_current(keys), 1);
    ct_card_keys_free(keys);
    ct_card_keys_free(NULL);
}

static void
test_spelling_is_lenient_where_harmless(void **state)
{
    char why[200];

    (void)state;
    /* CRLF, tabs, runs of spaces, upper-case hex, a last line without newline, comments */
    assert_int_equal(
        parse("pan\t1  " TK_PAN1 "  \r\n# comment\r\n   \r\n"
              "pin 7 " TK_PIN1 "\r\n"
              "lookup 1 606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F\n"
              "cvk 1 " TK_CVK,
              why, sizeof(why)),
        CT_OK);
}

static void
test_rotation_needs_a_current_key(void **state)
{
    struct ct_card_keys *keys;

    (void)state;
    refused(BASE "pan 2 " TK_PAN2 "\n", "several pan keys");
    refused(BASE "pan 2 " TK_PAN2 "\npan_current 3\n", "pan_current names no pan key");
    refused(BASE "pan 2 " TK_PAN2 "\npan_current 2\npan_current 1\n", "named twice");
    refused(BASE "pin_current 2\n", "pin_current names no pin key");
    keys = test_keyring(TK_CVK, "pan 2 " TK_PAN2 "\npan_current 2\n");
    assert_int_equal(ct_card_keys_pan_current(keys), 2);
    assert_int_equal(ct_card_keys_pin_current(keys), 1);
    ct_card_keys_free(keys);
    /* the current line may come before its key */
    keys = test_keyring(TK_CVK, "pan_current 1\npan 2 " TK_PAN2 "\n");
    assert_int_equal(ct_card_keys_pan_current(keys), 1);
    ct_card_keys_free(keys);
}

static void
test_refusals(void **state)
{
    (void)state;
    refused(BASE "pam 2 " TK_PAN2 "\n", "unknown word");
    refused(BASE "pan 2\n", "expected: <use> <id> <hex key>");
    refused(BASE "pan 2 " TK_PAN2 " extra\n", "expected");
    refused(BASE "pan_current 1 " TK_PAN2 "\n", "expected: <use>_current <id>");
    refused(BASE "pan 0 " TK_PAN2 "\n", "an id is a number");
    refused(BASE "pan 02 " TK_PAN2 "\n", "an id is a number");
    refused(BASE "pan 65536 " TK_PAN2 "\n", "an id is a number");
    refused(BASE "pan -2 " TK_PAN2 "\n", "an id is a number");
    refused(BASE "pan 2 " TK_PAN2 "00\n", "64 hex digits");
    refused(BASE "pan 2 0" TK_PAN2 "\n", "64 hex digits");
    refused(BASE "pan 2 2021222324252627g8292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n",
            "not hex");
    refused(BASE "pan 1 " TK_PAN2 "\n", "given twice");
    refused(BASE "lookup 2 " TK_PAN2 "\n", "given once");
    refused(BASE "cvk 2 00112233445566778899aabbccddeeff\n", "given once");
    refused("pan 1 " TK_PAN1 "\npin 1 " TK_PIN1 "\nlookup 1 " TK_LOOKUP
            "\ncvk 1 0123456789ABCDEF\n",
            "32 hex digits");
    refused("pan 1 " TK_PAN1 "\npin 1 " TK_PIN1 "\nlookup 1 " TK_LOOKUP
            "\ncvk 1 0123456789ABCDEF0123456789abcdef\n",
            "CVK A and CVK B are equal");
    refused("pan 1 " TK_PAN1 "\npin 1 " TK_PAN1 "\nlookup 1 " TK_LOOKUP "\ncvk 1 " TK_CVK "\n",
            "the same key is given twice");
    refused("pan 1 " TK_PAN1 "\npin 1 " TK_PIN1 "\nlookup 1 " TK_PIN1 "\ncvk 1 " TK_CVK "\n",
            "the same key is given twice");
    refused("pin 1 " TK_PIN1 "\nlookup 1 " TK_LOOKUP "\ncvk 1 " TK_CVK "\n", "no pan key");
    refused("pan 1 " TK_PAN1 "\nlookup 1 " TK_LOOKUP "\ncvk 1 " TK_CVK "\n", "no pin key");
    refused("pan 1 " TK_PAN1 "\npin 1 " TK_PIN1 "\ncvk 1 " TK_CVK "\n", "no lookup key");
    refused("pan 1 " TK_PAN1 "\npin 1 " TK_PIN1 "\nlookup 1 " TK_LOOKUP "\n", "no cvk");
    refused("", "no lookup key");
    refused(BASE "pan 2 " TK_PAN2 "   # a comment after a key is not one\n", "expected");
}

static void
test_refuses_odd_bytes_and_sizes(void **state)
{
    char why[200], *big;
    struct ct_card_keys *keys = NULL;
    const char nul[] = "pan 1 " TK_PAN1 "\0\n";
    char line[400];
    size_t i, n;
    char text[8192];

    (void)state;
    assert_int_equal(ct_card_keys_parse(nul, sizeof(nul) - 1, &keys, why, sizeof(why)),
                     CT_E_BADREQ);
    assert_non_null(strstr(why, "line 1: NUL byte"));
    memset(line, ' ', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    refused(line, "line too long");
    big = calloc(CT_CARD_KEYS_FILE_MAX + 2, 1);
    assert_non_null(big);
    memset(big, '\n', CT_CARD_KEYS_FILE_MAX + 1);
    assert_int_equal(ct_card_keys_parse(big, CT_CARD_KEYS_FILE_MAX + 1, &keys, why, sizeof(why)),
                     CT_E_BADREQ);
    assert_non_null(strstr(why, "too large"));
    free(big);
    /* CT_CARD_KEYS_PER_USE pan keys fit, one more does not */
    n = (size_t)snprintf(text, sizeof(text), "%s", BASE);
    for (i = 2; i <= CT_CARD_KEYS_PER_USE + 1; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "pan %zu %064zx\n", i, i);
    refused(text, "too many keys");
    (void)snprintf(strstr(text, "pan 33"), 16, "pan_current 32\n");
    assert_int_equal(parse(text, why, sizeof(why)), CT_OK);
}

/* A file with mode m in a fresh directory; its path in path. */
static void
key_file(char dir[64], char path[96], mode_t m, const char *text)
{
    int fd;

    (void)snprintf(dir, 64, "/tmp/ct_card_keys.XXXXXX");
    assert_non_null(mkdtemp(dir));
    (void)snprintf(path, 96, "%s/keys", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, m), 0);
}

static void
test_load_checks_the_file(void **state)
{
    char dir[64], path[96], why[300];
    struct ct_card_keys *keys = NULL;
    static const mode_t bad[] = {0640, 0604, 0620, 0602, 0644, 0700 | 0070};
    size_t i;

    (void)state;
    key_file(dir, path, 0600, BASE);
    assert_int_equal(ct_card_keys_load(path, &keys, why, sizeof(why)), CT_OK);
    ct_card_keys_free(keys);
    keys = NULL;
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(ct_card_keys_load(path, &keys, why, sizeof(why)), CT_OK);
    ct_card_keys_free(keys);
    keys = NULL;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(chmod(path, bad[i]), 0);
        assert_int_equal(ct_card_keys_load(path, &keys, why, sizeof(why)), CT_E_BADREQ);
        assert_non_null(strstr(why, "no access for group or others"));
    }
    assert_int_equal(ct_card_keys_load(dir, &keys, why, sizeof(why)), CT_E_BADREQ);
    assert_non_null(strstr(why, "not a regular file"));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(ct_card_keys_load(path, &keys, why, sizeof(why)), CT_E_BADREQ);
    assert_non_null(strstr(why, "No such file"));
    assert_int_equal(rmdir(dir), 0);
    /* a bad keyring in a good file: the path and the line */
    key_file(dir, path, 0600, "pan 1 beef\n");
    assert_int_equal(ct_card_keys_load(path, &keys, why, sizeof(why)), CT_E_BADREQ);
    assert_non_null(strstr(why, "/keys: line 1: this key is 64 hex digits"));
    assert_null(keys);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_keyring),
        cmocka_unit_test(test_spelling_is_lenient_where_harmless),
        cmocka_unit_test(test_rotation_needs_a_current_key),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_refuses_odd_bytes_and_sizes),
        cmocka_unit_test(test_load_checks_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
