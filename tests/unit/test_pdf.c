/* test_pdf.c - statement and RIB PDFs: well-formed, paginated, and (with pdftotext from
 * poppler-utils) showing the bank, holder, IBAN, every operation and the balances. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ct/ct_mem.h"
#include "ct/ct_pdf.h"

#define NLINES 130

static void
fill(struct ct_stmt *st, size_t nlines)
{
    size_t i;

    memset(st, 0, sizeof(*st));
    st->id = 42;
    st->year = 2026;
    st->month = 3;
    memcpy(st->currency, "EUR", 4);
    (void)snprintf(st->bank_name, sizeof(st->bank_name), "Banque Démo");
    (void)snprintf(st->holder, sizeof(st->holder), "Ada Lovelace");
    (void)snprintf(st->iban, sizeof(st->iban), "FR1420041010050500013M02606");
    (void)snprintf(st->bic, sizeof(st->bic), "COMPFRPPXXX");
    (void)snprintf(st->generated_at, sizeof(st->generated_at), "2026-04-01 00:15:00.000000");
    st->opening = 10000;
    st->lines = ct_calloc(nlines > 0 ? nlines : 1, sizeof(*st->lines));
    st->nlines = nlines;
    st->closing = st->opening;
    for (i = 0; i < nlines; i++) {
        struct ct_stmt_line *l = &st->lines[i];

        l->posting_id = (int64_t)i + 1;
        (void)snprintf(l->booked_at, sizeof(l->booked_at), "2026-03-%02u 10:00:00.000000",
                       (unsigned)(1 + i % 28));
        (void)snprintf(l->kind, sizeof(l->kind), "%s", i % 3 == 0 ? "fee" : "reload");
        (void)snprintf(l->label, sizeof(l->label), "Operation %03zu \xff bad byte", i + 1);
        l->amount = i % 3 == 0 ? -(int64_t)(100 + i) : (int64_t)(1000 + i);
        st->closing += l->amount;
        if (l->amount > 0) {
            st->total_credit += l->amount;
            st->credit_count++;
        } else {
            st->total_debit -= l->amount;
            st->debit_count++;
        }
    }
}

/* pdftotext of a PDF in out, or NULL when poppler-utils is missing. Caller frees. */
static char *
to_text(const struct ct_buf *pdf)
{
    char path[] = "/tmp/ct_test_pdf_XXXXXX", cmd[128];
    char *text = ct_calloc(1, 1 << 20);
    size_t got;
    FILE *f, *p;
    int fd;

    if (system("command -v pdftotext >/dev/null 2>&1") != 0) {
        free(text);
        return NULL;
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_int_equal(fwrite(ct_buf_str(pdf), 1, ct_buf_len(pdf), f), ct_buf_len(pdf));
    fclose(f);
    (void)snprintf(cmd, sizeof(cmd), "pdftotext -layout %s -", path);
    p = popen(cmd, "r");
    assert_non_null(p);
    got = fread(text, 1, (1 << 20) - 1, p);
    text[got] = '\0';
    assert_int_equal(pclose(p), 0);
    unlink(path);
    return text;
}

static int
count(const char *hay, const char *needle)
{
    int n = 0;

    for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

static void
test_statement_pdf(void **state)
{
    struct ct_stmt st;
    struct ct_buf pdf;
    char *text, want[64];
    size_t i;

    (void)state;
    fill(&st, NLINES);
    ct_buf_init(&pdf, 16 << 20);
    assert_int_equal(ct_pdf_statement(&st, &pdf), CT_OK);
    assert_memory_equal(ct_buf_str(&pdf), "%PDF-", 5);
    text = to_text(&pdf);
    if (text != NULL) {
        assert_non_null(strstr(text, "Banque Démo"));
        assert_non_null(strstr(text, "Ada Lovelace"));
        assert_non_null(strstr(text, "FR14 2004 1010 0505 0001 3M02 606"));
        assert_non_null(strstr(text, "Opening balance"));
        assert_non_null(strstr(text, "100.00 EUR"));
        assert_non_null(strstr(text, "Closing balance"));
        assert_true(count(text, "Page ") >= 3); /* 130 lines need several pages */
        for (i = 0; i < NLINES; i++) {
            (void)snprintf(want, sizeof(want), "Operation %03zu ? bad byte", i + 1);
            if (strstr(text, want) == NULL)
                fail_msg("line %zu missing from the PDF text", i + 1);
        }
        (void)snprintf(want, sizeof(want), "%lld.%02lld EUR", (long long)(st.closing / 100),
                       (long long)(st.closing % 100));
        assert_non_null(strstr(text, want));
        free(text);
    }
    ct_stmt_free(&st);
    ct_buf_free(&pdf);
}

static void
test_empty_month_and_cap(void **state)
{
    struct ct_stmt st;
    struct ct_buf pdf;

    (void)state;
    fill(&st, 0);
    ct_buf_init(&pdf, 16 << 20);
    assert_int_equal(ct_pdf_statement(&st, &pdf), CT_OK);
    ct_buf_free(&pdf);
    ct_buf_init(&pdf, 100); /* far too small */
    assert_int_equal(ct_pdf_statement(&st, &pdf), CT_E_TOOBIG);
    ct_buf_free(&pdf);
    ct_stmt_free(&st);
}

static void
test_rib(void **state)
{
    struct ct_rib r;
    struct ct_buf pdf;
    char *text;

    (void)state;
    memset(&r, 0, sizeof(r));
    (void)snprintf(r.iban, sizeof(r.iban), "FR1420041010050500013M02606");
    ct_rib_split(r.iban, &r);
    assert_string_equal(r.bank, "20041");
    assert_string_equal(r.branch, "01005");
    assert_string_equal(r.number, "0500013M026");
    assert_string_equal(r.key, "06");
    (void)snprintf(r.bank_name, sizeof(r.bank_name), "Demo Partner");
    (void)snprintf(r.holder, sizeof(r.holder), "Ada Lovelace");
    (void)snprintf(r.bic, sizeof(r.bic), "COMPFRPPXXX");
    ct_buf_init(&pdf, 4 << 20);
    assert_int_equal(ct_pdf_rib(&r, &pdf), CT_OK);
    text = to_text(&pdf);
    if (text != NULL) {
        assert_non_null(strstr(text, "0500013M026"));
        assert_non_null(strstr(text, "FR14 2004 1010 0505 0001 3M02 606"));
        assert_non_null(strstr(text, "COMPFRPPXXX"));
        assert_non_null(strstr(text, "Ada Lovelace"));
        free(text);
    }
    ct_buf_free(&pdf);
    memset(&r, 0, sizeof(r));
    ct_rib_split("PL61109010140000071219812874", &r);
    assert_string_equal(r.key, "");
    assert_true(strlen(r.number) > 0);
}

static void
test_clean_utf8(void **state)
{
    char out[16];

    (void)state;
    ct_pdf_clean_utf8("a\xc3\xa9"
                      "b",
                      out, sizeof(out));
    assert_string_equal(out, "a\xc3\xa9"
                             "b");
    ct_pdf_clean_utf8("a\xc3(\xed\xa0\x80\x01z", out, sizeof(out)); /* bad, surrogate, C0 */
    assert_string_equal(out, "a?(????z");
    ct_pdf_clean_utf8("\xe2\x82\xac\xe2\x82\xac", out, 5); /* never cuts a character */
    assert_string_equal(out, "\xe2\x82\xac");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_pdf),
        cmocka_unit_test(test_empty_month_and_cap),
        cmocka_unit_test(test_rib),
        cmocka_unit_test(test_clean_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
