/* test_camt.c - camt.053.001.08 generation: validates against the ISO XSD
 * (../shared/iso20022/xsd, or COMPTOIR_ISO20022_XSD_DIR) and carries the right balances, sums
 * and entries. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include "ct/ct_camt.h"
#include "ct/ct_mem.h"

static void
fill(struct ct_stmt *st, int64_t id, int64_t opening)
{
    static const int64_t amounts[] = {150000, -2599, -1, 12345, -200000};
    size_t i;

    memset(st, 0, sizeof(*st));
    st->id = id;
    st->year = 2025;
    st->month = 12;
    memcpy(st->currency, "EUR", 4);
    (void)snprintf(st->bank_name, sizeof(st->bank_name), "Banque <Démo> & Cie");
    (void)snprintf(st->holder, sizeof(st->holder), "Zoë \"Q\" O'Neil");
    (void)snprintf(st->iban, sizeof(st->iban), "FR1420041010050500013M02606");
    (void)snprintf(st->bic, sizeof(st->bic), "COMPFRPPXXX");
    (void)snprintf(st->generated_at, sizeof(st->generated_at), "2026-01-01 00:15:00.250000");
    st->opening = opening;
    st->closing = opening;
    st->nlines = sizeof(amounts) / sizeof(amounts[0]);
    st->lines = ct_calloc(st->nlines, sizeof(*st->lines));
    for (i = 0; i < st->nlines; i++) {
        struct ct_stmt_line *l = &st->lines[i];

        l->posting_id = id * 100 + (int64_t)i;
        (void)snprintf(l->booked_at, sizeof(l->booked_at), "2025-12-%02u 09:30:00.000001",
                       (unsigned)((i + 1) % 100));
        (void)snprintf(l->kind, sizeof(l->kind), "%s", i == 1 ? "fee" : "reload");
        (void)snprintf(l->label, sizeof(l->label), "%s", i == 2 ? "" : "Loyer <décembre> & co");
        l->amount = amounts[i];
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

static xmlSchemaPtr
load_schema(void)
{
    const char *dir = getenv("COMPTOIR_ISO20022_XSD_DIR");
    char path[512];
    xmlSchemaParserCtxtPtr pc;
    xmlSchemaPtr schema;

    (void)snprintf(path, sizeof(path), "%s/camt.053.001.08.xsd",
                   dir != NULL ? dir : "../shared/iso20022/xsd");
    if (access(path, R_OK) != 0)
        return NULL;
    pc = xmlSchemaNewParserCtxt(path);
    schema = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    return schema;
}

static void
validate(const struct ct_buf *xml)
{
    xmlSchemaPtr schema = load_schema();
    xmlSchemaValidCtxtPtr vc;
    xmlDocPtr doc;

    doc = xmlReadMemory(ct_buf_str(xml), (int)ct_buf_len(xml), "camt.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    if (schema == NULL) {
        fprintf(stderr, "(camt.053.001.08.xsd not found: schema validation skipped)\n");
        xmlFreeDoc(doc);
        return;
    }
    vc = xmlSchemaNewValidCtxt(schema);
    assert_int_equal(xmlSchemaValidateDoc(vc, doc), 0);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlFreeDoc(doc);
}

static void
test_camt_single(void **state)
{
    struct ct_stmt st;
    struct ct_buf xml;
    const char *s;

    (void)state;
    fill(&st, 7, -5000); /* opens overdrawn: DBIT opening balance */
    ct_buf_init(&xml, 1 << 20);
    assert_int_equal(ct_camt053(&st, 1, &xml), CT_OK);
    validate(&xml);
    s = ct_buf_str(&xml);
    assert_non_null(strstr(s, CT_CAMT053_NS));
    assert_non_null(strstr(s, "<Id>STMT-7</Id>"));
    assert_non_null(strstr(s, "<IBAN>FR1420041010050500013M02606</IBAN>"));
    assert_non_null(strstr(s, "<Cd>OPBD</Cd>"));
    assert_non_null(strstr(s, "<Amt Ccy=\"EUR\">50.00</Amt>"));
    /* closing: -50.00 + 1500 - 25.99 - 0.01 + 123.45 - 2000 = -452.55 */
    assert_non_null(strstr(s, "<Amt Ccy=\"EUR\">452.55</Amt>"));
    assert_non_null(strstr(s, "<NbOfNtries>5</NbOfNtries>"));
    assert_non_null(strstr(s, "<Sum>3649.45</Sum>")); /* 1500+25.99+0.01+123.45+2000 */
    assert_non_null(strstr(s, "<Dt>2025-12-31</Dt>"));
    assert_non_null(strstr(s, "<ToDtTm>2025-12-31T23:59:59Z</ToDtTm>"));
    assert_non_null(strstr(s, "<SubFmlyCd>CHRG</SubFmlyCd>"));
    assert_non_null(strstr(s, "Loyer &lt;décembre&gt; &amp; co"));
    ct_stmt_free(&st);
    ct_buf_free(&xml);
}

static void
test_camt_several(void **state)
{
    struct ct_stmt st[2];
    struct ct_buf xml;

    (void)state;
    fill(&st[0], 8, 0);
    fill(&st[1], 9, 100000);
    ct_buf_init(&xml, 1 << 20);
    assert_int_equal(ct_camt053(st, 2, &xml), CT_OK);
    validate(&xml);
    assert_non_null(strstr(ct_buf_str(&xml), "<Id>STMT-9</Id>"));
    assert_int_equal(ct_camt053(st, 0, &xml), CT_E_RULE);
    ct_stmt_free(&st[0]);
    ct_stmt_free(&st[1]);
    ct_buf_free(&xml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_camt_single),
        cmocka_unit_test(test_camt_several),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    xmlCleanupParser();
    return rc;
}
