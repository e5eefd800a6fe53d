/* test_multipart.c - the strict multipart/form-data parser: boundaries, parts, headers, and the
 * many ways a body is refused; plus document sniffing and filename cleaning. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "ct/ct_document.h"
#include "ct/ct_multipart.h"

#define CRLF "\r\n"

static enum ct_err
parse(const char *body, struct ct_mp_part *parts, size_t max, size_t *n)
{
    const char *why = NULL;
    enum ct_err err = ct_multipart_parse(body, strlen(body), "XyZ", parts, max, n, &why);

    if (err != CT_OK)
        assert_non_null(why);
    return err;
}

static void
test_boundary(void **state)
{
    char b[CT_MP_BOUNDARY_MAX + 1];

    (void)state;
    assert_int_equal(ct_multipart_boundary("multipart/form-data; boundary=abc", b), CT_OK);
    assert_string_equal(b, "abc");
    assert_int_equal(ct_multipart_boundary("Multipart/Form-Data;BOUNDARY=\"a b:c\"", b), CT_OK);
    assert_string_equal(b, "a b:c");
    assert_int_equal(
        ct_multipart_boundary("multipart/form-data; charset=utf-8; boundary=----x1", b), CT_OK);
    assert_string_equal(b, "----x1");
    assert_int_equal(ct_multipart_boundary("application/json", b), CT_E_MEDIA);
    assert_int_equal(ct_multipart_boundary("multipart/form-dataX; boundary=a", b), CT_E_MEDIA);
    assert_int_equal(ct_multipart_boundary(NULL, b), CT_E_MEDIA);
    assert_int_equal(ct_multipart_boundary("multipart/form-data", b), CT_E_BADREQ);
    assert_int_equal(ct_multipart_boundary("multipart/form-data; boundary=", b), CT_E_BADREQ);
    assert_int_equal(ct_multipart_boundary("multipart/form-data; boundary=\"a \"", b),
                     CT_E_BADREQ); /* space last */
    assert_int_equal(ct_multipart_boundary("multipart/form-data; boundary=a; boundary=b", b),
                     CT_E_BADREQ);
    assert_int_equal(ct_multipart_boundary("multipart/form-data; boundary=\"a\x01\"", b),
                     CT_E_BADREQ);
    assert_int_equal(ct_multipart_boundary("multipart/form-data; boundary=01234567890123456789"
                                           "012345678901234567890123456789012345678901234567890",
                                           b),
                     CT_E_BADREQ); /* 71 characters */
}

static void
test_parse_file_and_field(void **state)
{
    static const char body[] =
        "--XyZ" CRLF "Content-Disposition: form-data; name=\"file\"; "
        "filename=\"inv\\\"oice.pdf\"" CRLF "Content-Type: application/pdf" CRLF CRLF
        "%PDF-1.4 --XyZ not after CRLF\r\n" CRLF "--XyZ" CRLF
        "content-disposition: form-data; name=note" CRLF CRLF "hi" CRLF "--XyZ--" CRLF;
    struct ct_mp_part parts[4];
    const struct ct_mp_part *f;
    size_t n = 0;

    (void)state;
    assert_int_equal(parse(body, parts, 4, &n), CT_OK);
    assert_int_equal(n, 2);
    f = ct_multipart_find(parts, n, "file");
    assert_non_null(f);
    assert_true(f->has_filename);
    assert_string_equal(f->filename, "inv\"oice.pdf");
    assert_string_equal(f->content_type, "application/pdf");
    assert_int_equal(f->len, strlen("%PDF-1.4 --XyZ not after CRLF\r\n"));
    assert_memory_equal(f->data, "%PDF-1.4 --XyZ not after CRLF\r\n", f->len);
    assert_string_equal(parts[1].name, "note");
    assert_false(parts[1].has_filename);
    assert_int_equal(parts[1].len, 2);
    assert_null(ct_multipart_find(parts, n, "nope"));
}

static void
test_parse_binary_and_no_final_crlf(void **state)
{
    static const char head[] = "--XyZ" CRLF "Content-Disposition: form-data; name=\"f\"" CRLF CRLF;
    static const char tail[] = CRLF "--XyZ--";
    char body[64];
    struct ct_mp_part parts[1];
    const char *why = NULL;
    size_t n = 0, len = 0;

    (void)state;
    memcpy(body, head, sizeof(head) - 1);
    len = sizeof(head) - 1;
    memcpy(body + len, "\0\xff\0", 3);
    len += 3;
    memcpy(body + len, tail, sizeof(tail) - 1);
    len += sizeof(tail) - 1;
    assert_int_equal(ct_multipart_parse(body, len, "XyZ", parts, 1, &n, &why), CT_OK);
    assert_int_equal(parts[0].len, 3);
    assert_memory_equal(parts[0].data, "\0\xff\0", 3);
}

static void
test_parse_refusals(void **state)
{
    static const char *const bad[] = {
        /* preamble */
        "junk" CRLF "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF
        "--XyZ--",
        /* no closing boundary */
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x",
        /* epilogue */
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF "--XyZ--" CRLF
        "more",
        /* transport padding after the boundary */
        "--XyZ  " CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF "--XyZ--",
        /* no Content-Disposition */
        "--XyZ" CRLF "Content-Type: text/plain" CRLF CRLF "x" CRLF "--XyZ--",
        /* not form-data */
        "--XyZ" CRLF "Content-Disposition: attachment; name=a" CRLF CRLF "x" CRLF "--XyZ--",
        /* no name, empty name */
        "--XyZ" CRLF "Content-Disposition: form-data; filename=a" CRLF CRLF "x" CRLF "--XyZ--",
        "--XyZ" CRLF "Content-Disposition: form-data; name=\"\"" CRLF CRLF "x" CRLF "--XyZ--",
        /* repeated parameters and headers */
        "--XyZ" CRLF "Content-Disposition: form-data; name=a; name=b" CRLF CRLF "x" CRLF "--XyZ--",
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF
        "Content-Disposition: form-data; name=b" CRLF CRLF "x" CRLF "--XyZ--",
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF "Content-Type: a/b" CRLF
        "Content-Type: c/d" CRLF CRLF "x" CRLF "--XyZ--",
        /* a repeated field */
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF "--XyZ" CRLF
        "Content-Disposition: form-data; name=a" CRLF CRLF "y" CRLF "--XyZ--",
        /* bare LF line ends, folded header, header without colon */
        "--XyZ\nContent-Disposition: form-data; name=a\n\nx\n--XyZ--",
        "--XyZ" CRLF "Content-Disposition: form-data;" CRLF " name=a" CRLF CRLF "x" CRLF "--XyZ--",
        "--XyZ" CRLF "Content-Disposition form-data; name=a" CRLF CRLF "x" CRLF "--XyZ--",
        /* unterminated quoted string, control character in a filename */
        "--XyZ" CRLF "Content-Disposition: form-data; name=\"a" CRLF CRLF "x" CRLF "--XyZ--",
        "--XyZ" CRLF "Content-Disposition: form-data; name=a; filename=\"a\tb\"" CRLF CRLF "x" CRLF
        "--XyZ--",
        /* the delimiter inside the data (RFC 2046: it must not occur there) */
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF "--XyZnot" CRLF
        "--XyZ--",
        /* no parts at all */
        "--XyZ--",
        "",
    };
    struct ct_mp_part parts[4];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = 99;
        if (parse(bad[i], parts, 4, &n) == CT_OK)
            fail_msg("accepted bad body #%zu", i);
        assert_int_equal(n, 99); /* untouched on refusal */
    }
}

static void
test_parse_limits(void **state)
{
    static const char two[] =
        "--XyZ" CRLF "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF "--XyZ" CRLF
        "Content-Disposition: form-data; name=b" CRLF CRLF "y" CRLF "--XyZ--";
    char many[2048] = "--XyZ" CRLF;
    struct ct_mp_part parts[2];
    size_t n = 0, i, used = strlen(many);

    (void)state;
    assert_int_equal(parse(two, parts, 1, &n), CT_E_TOOBIG);
    for (i = 0; i < 9; i++)
        used += (size_t)snprintf(many + used, sizeof(many) - used, "X-Header: v" CRLF);
    (void)snprintf(many + used, sizeof(many) - used,
                   "Content-Disposition: form-data; name=a" CRLF CRLF "x" CRLF "--XyZ--");
    assert_int_equal(parse(many, parts, 2, &n), CT_E_BADREQ); /* more than 8 headers */
}

static void
test_sniff_and_types(void **state)
{
    (void)state;
    assert_string_equal(ct_doc_sniff("%PDF-1.7\n", 9), "application/pdf");
    assert_string_equal(ct_doc_sniff("\x89PNG\r\n\x1a\n....", 12), "image/png");
    assert_string_equal(ct_doc_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
    assert_null(ct_doc_sniff("GIF89a", 6));
    assert_null(ct_doc_sniff("%PDF", 4));
    assert_null(ct_doc_sniff("", 0));
    assert_true(ct_doc_type_agrees("application/pdf", "application/pdf"));
    assert_true(ct_doc_type_agrees("Application/PDF; name=x", "application/pdf"));
    assert_true(ct_doc_type_agrees("image/jpg", "image/jpeg"));
    assert_false(ct_doc_type_agrees("image/png", "application/pdf"));
    assert_false(ct_doc_type_agrees("application/pdfx", "application/pdf"));
    assert_false(ct_doc_type_agrees("", "application/pdf"));
    assert_false(ct_doc_type_agrees(NULL, "application/pdf"));
}

static void
test_clean_filename(void **state)
{
    char out[CT_DOC_FILENAME_MAX + 1];
    char longname[300];

    (void)state;
    ct_doc_clean_filename("../../etc/passwd", "application/pdf", out);
    assert_string_equal(out, "passwd");
    ct_doc_clean_filename("C:\\Users\\x\\facture 12.pdf", "application/pdf", out);
    assert_string_equal(out, "facture 12.pdf");
    ct_doc_clean_filename("..", "image/png", out);
    assert_string_equal(out, "document.png");
    ct_doc_clean_filename("", "image/jpeg", out);
    assert_string_equal(out, "document.jpg");
    ct_doc_clean_filename(".hidden\"; x=\r\n.pdf", "application/pdf", out);
    assert_string_equal(out, "hidden__ x___.pdf");
    ct_doc_clean_filename("re\xc3\xa7u.pdf", "application/pdf", out);
    assert_string_equal(out, "re__u.pdf");
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ct_doc_clean_filename(longname, "application/pdf", out);
    assert_int_equal(strlen(out), CT_DOC_FILENAME_MAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_parse_file_and_field),
        cmocka_unit_test(test_parse_binary_and_no_final_crlf),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_sniff_and_types),
        cmocka_unit_test(test_clean_filename),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
