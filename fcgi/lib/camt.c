/* camt.c - camt.053.001.08 bank-to-customer statements with the libxml2 text writer. Version .08
 * (ISO 2019) is the one the EPC recommends for SEPA customer reporting since the 2024 migration
 * and the one SWIFT CBPR+ uses; .02 is the 2009 one. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libxml/xmlwriter.h>
#include "ct/ct_camt.h"
#include "ct/ct_money.h"
#include "ct/ct_pdf.h"
#include "ct/ct_util.h"

struct camtw {
    xmlTextWriterPtr w;
    int bad; /* any libxml2 call failed */
};

static void start(struct camtw *c, const char *name);
static void end(struct camtw *c);
static void elem(struct camtw *c, const char *name, const char *value);
static void amt(struct camtw *c, const char *name, int64_t minor, const char *ccy);
static void bal(struct camtw *c, const char *code, int64_t minor, const char *ccy,
                const char *date);
static void summary(struct camtw *c, const struct ct_stmt *st);
static void entry(struct camtw *c, const struct ct_stmt *st, const struct ct_stmt_line *l);
static void stmt(struct camtw *c, const struct ct_stmt *st);
static void text_max(const char *src, size_t max_chars, char *dst, size_t dstsz);
static void dates(const struct ct_stmt *st, char from[32], char to[32], char first[11],
                  char last[11]);

static void
start(struct camtw *c, const char *name)
{
    if (xmlTextWriterStartElement(c->w, BAD_CAST name) < 0)
        c->bad = 1;
}

static void
end(struct camtw *c)
{
    if (xmlTextWriterEndElement(c->w) < 0)
        c->bad = 1;
}

static void
elem(struct camtw *c, const char *name, const char *value)
{
    if (xmlTextWriterWriteElement(c->w, BAD_CAST name, BAD_CAST value) < 0)
        c->bad = 1;
}

/* <name Ccy="EUR">12.34</name>: ISO amounts are unsigned; the sign is the CdtDbtInd. */
static void
amt(struct camtw *c, const char *name, int64_t minor, const char *ccy)
{
    char t[CT_MONEY_TEXT_MAX];

    (void)ct_money_format(minor < 0 ? -minor : minor, ct_currency_find(ccy), t, sizeof(t));
    start(c, name);
    if (ccy != NULL && xmlTextWriterWriteAttribute(c->w, BAD_CAST "Ccy", BAD_CAST ccy) < 0)
        c->bad = 1;
    if (xmlTextWriterWriteString(c->w, BAD_CAST t) < 0)
        c->bad = 1;
    end(c);
}

static void
bal(struct camtw *c, const char *code, int64_t minor, const char *ccy, const char *date)
{
    start(c, "Bal");
    start(c, "Tp");
    start(c, "CdOrPrtry");
    elem(c, "Cd", code);
    end(c);
    end(c);
    amt(c, "Amt", minor, ccy);
    elem(c, "CdtDbtInd", minor < 0 ? "DBIT" : "CRDT");
    start(c, "Dt");
    elem(c, "Dt", date);
    end(c);
    end(c);
}

/* At most max_chars characters of valid UTF-8, control characters replaced. */
static void
text_max(const char *src, size_t max_chars, char *dst, size_t dstsz)
{
    size_t i = 0, chars = 0;

    ct_pdf_clean_utf8(src, dst, dstsz);
    while (dst[i] != '\0' && chars < max_chars) {
        i++;
        while ((dst[i] & 0xc0) == 0x80) /* continuation bytes of the same character */
            i++;
        chars++;
    }
    dst[i] = '\0';
}

/* The period as ISO date-times (first instant, last second) and dates (first and last day). */
static void
dates(const struct ct_stmt *st, char from[32], char to[32], char first[11], char last[11])
{
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = st->year - 1900;
    tm.tm_mon = st->month; /* the next month, day 1 */
    tm.tm_mday = 1;
    t = timegm(&tm) - 1; /* normalises month 12 into January of the next year */
    gmtime_r(&t, &tm);
    (void)snprintf(from, 32, "%04d-%02d-01T00:00:00Z", st->year % 10000, st->month % 100);
    (void)strftime(to, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    (void)strftime(first, 11, "%Y-%m-01", &tm);
    (void)strftime(last, 11, "%Y-%m-%d", &tm);
}

static void
summary(struct camtw *c, const struct ct_stmt *st)
{
    char n[24], sum[CT_MONEY_TEXT_MAX];
    const struct ct_currency *cur = ct_currency_find(st->currency);
    int64_t net = st->total_credit - st->total_debit;

    start(c, "TxsSummry");
    start(c, "TtlNtries");
    (void)snprintf(n, sizeof(n), "%d", st->credit_count + st->debit_count);
    elem(c, "NbOfNtries", n);
    (void)ct_money_format(st->total_credit + st->total_debit, cur, sum, sizeof(sum));
    elem(c, "Sum", sum);
    start(c, "TtlNetNtry");
    (void)ct_money_format(net < 0 ? -net : net, cur, sum, sizeof(sum));
    elem(c, "Amt", sum);
    elem(c, "CdtDbtInd", net < 0 ? "DBIT" : "CRDT");
    end(c);
    end(c);
    start(c, "TtlCdtNtries");
    (void)snprintf(n, sizeof(n), "%d", st->credit_count);
    elem(c, "NbOfNtries", n);
    (void)ct_money_format(st->total_credit, cur, sum, sizeof(sum));
    elem(c, "Sum", sum);
    end(c);
    start(c, "TtlDbtNtries");
    (void)snprintf(n, sizeof(n), "%d", st->debit_count);
    elem(c, "NbOfNtries", n);
    (void)ct_money_format(st->total_debit, cur, sum, sizeof(sum));
    elem(c, "Sum", sum);
    end(c);
    end(c);
}

static void
entry(struct camtw *c, const struct ct_stmt *st, const struct ct_stmt_line *l)
{
    char ref[24], when[32], day[11], label[600], kind[40];
    const char *dom = "PMNT", *fam = l->amount < 0 ? "ICDT" : "RCDT", *sub = "OTHR";

    if (strcmp(l->kind, "fee") == 0)
        dom = "ACMT", fam = "MDOP", sub = "CHRG";
    else if (strcmp(l->kind, "card") == 0)
        fam = "CCRD", sub = "POSD";
    (void)snprintf(ref, sizeof(ref), "%lld", (long long)l->posting_id);
    ct_time_from_db(l->booked_at, when);
    (void)snprintf(day, sizeof(day), "%.10s", l->booked_at);
    start(c, "Ntry");
    elem(c, "NtryRef", ref);
    amt(c, "Amt", l->amount, st->currency);
    elem(c, "CdtDbtInd", l->amount < 0 ? "DBIT" : "CRDT");
    start(c, "Sts");
    elem(c, "Cd", "BOOK");
    end(c);
    start(c, "BookgDt");
    elem(c, "DtTm", when);
    end(c);
    start(c, "ValDt");
    elem(c, "Dt", day);
    end(c);
    elem(c, "AcctSvcrRef", ref);
    start(c, "BkTxCd");
    start(c, "Domn");
    elem(c, "Cd", dom);
    start(c, "Fmly");
    elem(c, "Cd", fam);
    elem(c, "SubFmlyCd", sub);
    end(c);
    end(c);
    start(c, "Prtry");
    text_max(l->kind[0] != '\0' ? l->kind : "other", 35, kind, sizeof(kind));
    elem(c, "Cd", kind);
    elem(c, "Issr", "comptoir");
    end(c);
    end(c);
    text_max(l->label, 140, label, sizeof(label));
    if (label[0] != '\0') {
        start(c, "NtryDtls");
        start(c, "TxDtls");
        start(c, "RmtInf");
        elem(c, "Ustrd", label);
        end(c);
        end(c);
        end(c);
        text_max(l->label, 500, label, sizeof(label));
        elem(c, "AddtlNtryInf", label);
    }
    end(c);
}

static void
stmt(struct camtw *c, const struct ct_stmt *st)
{
    char id[40], created[32], from[32], to[32], first[11], last[11], name[600];
    size_t i;

    dates(st, from, to, first, last);
    (void)snprintf(id, sizeof(id), "STMT-%lld", (long long)st->id);
    ct_time_from_db(st->generated_at, created);
    start(c, "Stmt");
    elem(c, "Id", id);
    elem(c, "CreDtTm", created);
    start(c, "FrToDt");
    elem(c, "FrDtTm", from);
    elem(c, "ToDtTm", to);
    end(c);
    start(c, "Acct");
    start(c, "Id");
    elem(c, "IBAN", st->iban);
    end(c);
    elem(c, "Ccy", st->currency);
    start(c, "Ownr");
    text_max(st->holder, 140, name, sizeof(name));
    elem(c, "Nm", name[0] != '\0' ? name : "-");
    end(c);
    start(c, "Svcr");
    start(c, "FinInstnId");
    if (st->bic[0] != '\0')
        elem(c, "BICFI", st->bic);
    text_max(st->bank_name, 140, name, sizeof(name));
    elem(c, "Nm", name[0] != '\0' ? name : "-");
    end(c);
    end(c);
    end(c);
    bal(c, "OPBD", st->opening, st->currency, first);
    bal(c, "CLBD", st->closing, st->currency, last);
    summary(c, st);
    for (i = 0; i < st->nlines; i++)
        entry(c, st, &st->lines[i]);
    end(c);
}

enum ct_err
ct_camt053(const struct ct_stmt *st, size_t n, struct ct_buf *out)
{
    struct camtw c = {NULL, 0};
    xmlBufferPtr xb = NULL;
    char msgid[40], now[32];
    size_t i;
    enum ct_err err = CT_E_INTERNAL;

    if (n == 0)
        return CT_E_RULE;
    xb = xmlBufferCreate();
    if (xb != NULL)
        c.w = xmlNewTextWriterMemory(xb, 0);
    if (c.w == NULL)
        goto out;
    (void)xmlTextWriterSetIndent(c.w, 1);
    (void)xmlTextWriterSetIndentString(c.w, BAD_CAST "  ");
    if (xmlTextWriterStartDocument(c.w, NULL, "UTF-8", NULL) < 0)
        goto out;
    start(&c, "Document");
    if (xmlTextWriterWriteAttribute(c.w, BAD_CAST "xmlns", BAD_CAST CT_CAMT053_NS) < 0)
        c.bad = 1;
    start(&c, "BkToCstmrStmt");
    start(&c, "GrpHdr");
    /* the message is the statement (or the first of several): same id, same creation time */
    (void)snprintf(msgid, sizeof(msgid), "CAMT053-%lld-%zu", (long long)st[0].id, n);
    elem(&c, "MsgId", msgid);
    ct_time_from_db(st[0].generated_at, now);
    elem(&c, "CreDtTm", now);
    end(&c);
    for (i = 0; i < n; i++)
        stmt(&c, &st[i]);
    end(&c);
    end(&c);
    if (c.bad || xmlTextWriterEndDocument(c.w) < 0)
        goto out;
    xmlFreeTextWriter(c.w); /* flushes into xb */
    c.w = NULL;
    err = ct_buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
out:
    if (c.w != NULL)
        xmlFreeTextWriter(c.w);
    if (xb != NULL)
        xmlBufferFree(xb);
    return err;
}
