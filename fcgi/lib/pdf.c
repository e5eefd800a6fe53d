/* pdf.c - statements and RIBs as PDF with cairo: a tiny line-based layout on A4 pages. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include "ct/ct_money.h"
#include "ct/ct_pdf.h"

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 50.0
#define ROW_H 14.0
#define TABLE_END (PAGE_H - 80.0) /* rows stop here; the footer is below */
#define FIRST_TABLE_Y 300.0       /* first row's baseline on page 1 */
#define NEXT_TABLE_Y 110.0        /* on later pages */
#define CLOSING_H 70.0            /* totals and closing balance after the last row */
#define COL_DATE MARGIN
#define COL_LABEL (MARGIN + 70.0)
#define COL_DEBIT 440.0 /* right edges of the amount columns */
#define COL_CREDIT (PAGE_W - MARGIN)
#define LABEL_CHARS 52
#define FONT "DejaVu Sans"

struct pdfw {
    cairo_surface_t *surface;
    cairo_t *cr;
    struct ct_buf *out;
    enum ct_err err;
    int page, pages;
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len);
static void pdf_open(struct pdfw *w, struct ct_buf *out);
static enum ct_err pdf_close(struct pdfw *w);
static void text(struct pdfw *w, double x, double y, double size, int bold, const char *s);
static void text_right(struct pdfw *w, double xr, double y, double size, int bold, const char *s);
static void rule(struct pdfw *w, double y);
static void amount(const struct ct_stmt *st, int64_t minor, char out[CT_MONEY_TEXT_MAX + 8]);
static int count_pages(size_t nlines);
static void stmt_header(struct pdfw *w, const struct ct_stmt *st);
static double table_header(struct pdfw *w, double y);
static void footer(struct pdfw *w, const char *who);
static void stmt_line(struct pdfw *w, const struct ct_stmt *st, const struct ct_stmt_line *l,
                      double y);
static void stmt_closing(struct pdfw *w, const struct ct_stmt *st, double y);
static size_t utf8_len(const unsigned char *s);
static void release_caches(void);

/* Once per process: cairo keeps font faces (and through them fontconfig patterns) in static
 * caches; they are dropped at exit so leak checkers (LSan in the sanitizer builds) see no
 * unreachable font data. The only mutable file-level state here, and only ever set to true. */
static bool exit_hook_set;

static cairo_status_t
write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    struct pdfw *w = closure;

    if (ct_buf_append(w->out, data, len) != CT_OK) {
        w->err = CT_E_TOOBIG;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static void
release_caches(void)
{
    cairo_debug_reset_static_data();
}

/* fontconfig (under cairo's toy font API) leaks a few hundred bytes once per process while it
 * parses its configuration (unreachable, not ours to free). LeakSanitizer asks the program for
 * default suppressions through this hook; in builds without it the function is simply unused. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static void
pdf_open(struct pdfw *w, struct ct_buf *out)
{
    if (!exit_hook_set && atexit(release_caches) == 0)
        exit_hook_set = true;
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->surface = cairo_pdf_surface_create_for_stream(write_cb, w, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(w->surface, CAIRO_PDF_METADATA_CREATOR, "comptoir");
    w->cr = cairo_create(w->surface);
    w->page = 1;
}

static enum ct_err
pdf_close(struct pdfw *w)
{
    cairo_status_t st = cairo_status(w->cr);

    cairo_destroy(w->cr);
    cairo_surface_finish(w->surface);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(w->surface);
    cairo_surface_destroy(w->surface);
    if (w->err == CT_OK && st != CAIRO_STATUS_SUCCESS)
        w->err = CT_E_INTERNAL;
    return w->err;
}

/* Length in bytes of the valid UTF-8 character at s (1..4), 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
    size_t n, i;
    unsigned cp;

    if (s[0] < 0x80)
        return s[0] >= 0x20 && s[0] != 0x7f ? 1 : 0;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07u;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

void
ct_pdf_clean_utf8(const char *src, char *dst, size_t dstsz)
{
    const unsigned char *s = (const unsigned char *)(src != NULL ? src : "");
    size_t o = 0;

    if (dstsz == 0)
        return;
    while (*s != '\0') {
        size_t n = utf8_len(s);

        if (n == 0) {
            if (o + 1 >= dstsz)
                break;
            dst[o++] = '?';
            s++;
            continue;
        }
        if (o + n >= dstsz)
            break;
        memcpy(dst + o, s, n);
        o += n;
        s += n;
    }
    dst[o] = '\0';
}

static void
text(struct pdfw *w, double x, double y, double size, int bold, const char *s)
{
    char clean[512];

    ct_pdf_clean_utf8(s, clean, sizeof(clean));
    cairo_select_font_face(w->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(w->cr, size);
    cairo_move_to(w->cr, x, y);
    cairo_show_text(w->cr, clean);
}

static void
text_right(struct pdfw *w, double xr, double y, double size, int bold, const char *s)
{
    cairo_text_extents_t ext;
    char clean[512];

    ct_pdf_clean_utf8(s, clean, sizeof(clean));
    cairo_select_font_face(w->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(w->cr, size);
    cairo_text_extents(w->cr, clean, &ext);
    cairo_move_to(w->cr, xr - ext.x_advance, y);
    cairo_show_text(w->cr, clean);
}

static void
rule(struct pdfw *w, double y)
{
    cairo_set_line_width(w->cr, 0.5);
    cairo_move_to(w->cr, MARGIN, y);
    cairo_line_to(w->cr, PAGE_W - MARGIN, y);
    cairo_stroke(w->cr);
}

static void
amount(const struct ct_stmt *st, int64_t minor, char out[CT_MONEY_TEXT_MAX + 8])
{
    char t[CT_MONEY_TEXT_MAX];

    (void)ct_money_format(minor, ct_currency_find(st->currency), t, sizeof(t));
    (void)snprintf(out, CT_MONEY_TEXT_MAX + 8, "%s %s", t, st->currency);
}

/* The same arithmetic the renderer follows, so "Page i / n" is known on page 1. */
static int
count_pages(size_t nlines)
{
    size_t first = (size_t)((TABLE_END - FIRST_TABLE_Y) / ROW_H);
    size_t next = (size_t)((TABLE_END - NEXT_TABLE_Y) / ROW_H);
    size_t closing_rows = (size_t)(CLOSING_H / ROW_H) + 1;
    size_t left = nlines + closing_rows;
    int pages = 1;

    if (left <= first)
        return 1;
    left -= first;
    while (left > 0) {
        pages++;
        left -= left < next ? left : next;
    }
    return pages;
}

static void
footer(struct pdfw *w, const char *who)
{
    char t[64];

    (void)snprintf(t, sizeof(t), "Page %d / %d", w->page, w->pages);
    text(w, MARGIN, PAGE_H - 40, 8, 0, who);
    text_right(w, PAGE_W - MARGIN, PAGE_H - 40, 8, 0, t);
}

static double
table_header(struct pdfw *w, double y)
{
    text(w, COL_DATE, y, 9, 1, "Date");
    text(w, COL_LABEL, y, 9, 1, "Libellé / Label");
    text_right(w, COL_DEBIT, y, 9, 1, "Débit / Debit");
    text_right(w, COL_CREDIT, y, 9, 1, "Crédit / Credit");
    rule(w, y + 4);
    return y + ROW_H + 4;
}

static void
stmt_header(struct pdfw *w, const struct ct_stmt *st)
{
    char t[300], iban[CT_IBAN_PRINT_MAX + 1], a[CT_MONEY_TEXT_MAX + 8];
    int ny = st->month == 12 ? st->year + 1 : st->year, nm = st->month == 12 ? 1 : st->month + 1;

    text(w, MARGIN, 60, 18, 1, st->bank_name);
    text(w, MARGIN, 85, 13, 0, "Relevé de compte / Account statement");
    (void)snprintf(t, sizeof(t), "Période / Period: %04d-%02d-01 - %04d-%02d-01 (exclusive), UTC",
                   st->year, st->month, ny, nm);
    text(w, MARGIN, 105, 9, 0, t);
    (void)snprintf(t, sizeof(t), "Statement no. %lld", (long long)st->id);
    text_right(w, PAGE_W - MARGIN, 105, 9, 0, t);
    rule(w, 120);
    text(w, MARGIN, 142, 9, 1, "Titulaire / Account holder");
    text(w, MARGIN + 160, 142, 10, 0, st->holder);
    ct_iban_print(st->iban, iban);
    text(w, MARGIN, 160, 9, 1, "IBAN");
    text(w, MARGIN + 160, 160, 10, 0, iban);
    text(w, MARGIN, 178, 9, 1, "BIC");
    text(w, MARGIN + 160, 178, 10, 0, st->bic);
    text(w, MARGIN, 196, 9, 1, "Devise / Currency");
    text(w, MARGIN + 160, 196, 10, 0, st->currency);
    rule(w, 210);
    amount(st, st->opening, a);
    (void)snprintf(t, sizeof(t), "Solde initial / Opening balance (%04d-%02d-01)", st->year,
                   st->month);
    text(w, MARGIN, 235, 10, 1, t);
    text_right(w, PAGE_W - MARGIN, 235, 10, 1, a);
    (void)table_header(w, 275);
}

static void
stmt_line(struct pdfw *w, const struct ct_stmt *st, const struct ct_stmt_line *l, double y)
{
    char date[11], label[LABEL_CHARS * 4 + 4], a[CT_MONEY_TEXT_MAX + 8];
    size_t i = 0, chars = 0;

    (void)snprintf(date, sizeof(date), "%.10s", l->booked_at);
    ct_pdf_clean_utf8(l->label, label, sizeof(label));
    while (label[i] != '\0' && chars < LABEL_CHARS) { /* cut at a character boundary */
        size_t n = utf8_len((const unsigned char *)label + i);

        i += n > 0 ? n : 1;
        chars++;
    }
    label[i] = '\0';
    amount(st, l->amount < 0 ? -l->amount : l->amount, a);
    text(w, COL_DATE, y, 9, 0, date);
    text(w, COL_LABEL, y, 9, 0, label);
    text_right(w, l->amount < 0 ? COL_DEBIT : COL_CREDIT, y, 9, 0, a);
}

static void
stmt_closing(struct pdfw *w, const struct ct_stmt *st, double y)
{
    char t[200], a[CT_MONEY_TEXT_MAX + 8];
    int ny = st->month == 12 ? st->year + 1 : st->year, nm = st->month == 12 ? 1 : st->month + 1;

    rule(w, y - 10);
    (void)snprintf(t, sizeof(t), "Total des opérations / Total (%d)",
                   st->credit_count + st->debit_count);
    text(w, COL_LABEL, y + 4, 9, 1, t);
    amount(st, st->total_debit, a);
    text_right(w, COL_DEBIT, y + 4, 9, 1, a);
    amount(st, st->total_credit, a);
    text_right(w, COL_CREDIT, y + 4, 9, 1, a);
    amount(st, st->closing, a);
    (void)snprintf(t, sizeof(t), "Solde final / Closing balance (%04d-%02d-01)", ny, nm);
    text(w, MARGIN, y + 34, 10, 1, t);
    text_right(w, PAGE_W - MARGIN, y + 34, 10, 1, a);
}

enum ct_err
ct_pdf_statement(const struct ct_stmt *st, struct ct_buf *out)
{
    struct pdfw w;
    char who[340];
    double y;
    size_t i;

    pdf_open(&w, out);
    w.pages = count_pages(st->nlines);
    (void)snprintf(who, sizeof(who), "%s - %s", st->bank_name, st->holder);
    stmt_header(&w, st);
    y = FIRST_TABLE_Y;
    for (i = 0; i < st->nlines; i++) {
        if (y + ROW_H > TABLE_END) {
            footer(&w, who);
            cairo_show_page(w.cr);
            w.page++;
            y = table_header(&w, NEXT_TABLE_Y - ROW_H - 4);
        }
        stmt_line(&w, st, &st->lines[i], y);
        y += ROW_H;
    }
    if (st->nlines == 0) {
        text(&w, COL_LABEL, y, 9, 0, "Aucune opération / No operation this month");
        y += ROW_H;
    }
    if (y + CLOSING_H > TABLE_END) {
        footer(&w, who);
        cairo_show_page(w.cr);
        w.page++;
        y = NEXT_TABLE_Y;
    }
    stmt_closing(&w, st, y + 10);
    footer(&w, who);
    cairo_show_page(w.cr);
    return pdf_close(&w);
}

void
ct_rib_split(const char *iban, struct ct_rib *r)
{
    const struct ct_iban_country *c = ct_iban_country_find(iban);
    const char *bban = iban + 4;
    size_t len = strlen(iban) > 4 ? strlen(iban) - 4 : 0, rest = 0;

    r->bank[0] = r->branch[0] = r->number[0] = r->key[0] = '\0';
    if (c == NULL || len == 0)
        return;
    if (strcmp(c->code, "FR") == 0 || strcmp(c->code, "MC") == 0) {
        if (len != 23)
            return;
        (void)snprintf(r->bank, sizeof(r->bank), "%.5s", bban);
        (void)snprintf(r->branch, sizeof(r->branch), "%.5s", bban + 5);
        (void)snprintf(r->number, sizeof(r->number), "%.11s", bban + 10);
        (void)snprintf(r->key, sizeof(r->key), "%.2s", bban + 21);
        return;
    }
    if (c->bank_offset >= 0 && (size_t)(c->bank_offset + c->bank_length) <= len) {
        (void)snprintf(r->bank, sizeof(r->bank), "%.*s", c->bank_length, bban + c->bank_offset);
        rest = (size_t)(c->bank_offset + c->bank_length);
    }
    if (c->branch_offset >= 0 && (size_t)(c->branch_offset + c->branch_length) <= len) {
        (void)snprintf(r->branch, sizeof(r->branch), "%.*s", c->branch_length,
                       bban + c->branch_offset);
        if ((size_t)(c->branch_offset + c->branch_length) > rest)
            rest = (size_t)(c->branch_offset + c->branch_length);
    }
    (void)snprintf(r->number, sizeof(r->number), "%s", bban + rest);
}

enum ct_err
ct_pdf_rib(const struct ct_rib *r, struct ct_buf *out)
{
    static const double cols[4] = {MARGIN, MARGIN + 90, MARGIN + 180, MARGIN + 330};
    struct pdfw w;
    char iban[CT_IBAN_PRINT_MAX + 1];

    pdf_open(&w, out);
    w.pages = 1;
    text(&w, MARGIN, 70, 18, 1, "Relevé d'Identité Bancaire (RIB)");
    text(&w, MARGIN, 92, 10, 0, "Bank account details");
    rule(&w, 105);
    text(&w, MARGIN, 130, 9, 1, "Titulaire / Account holder");
    text(&w, MARGIN + 160, 130, 11, 0, r->holder);
    text(&w, MARGIN, 150, 9, 1, "Domiciliation / Bank");
    text(&w, MARGIN + 160, 150, 11, 0, r->bank_name);
    text(&w, MARGIN, 170, 9, 1, "Devise / Currency");
    text(&w, MARGIN + 160, 170, 11, 0, r->currency);
    text(&w, cols[0], 205, 9, 1, "Code banque");
    text(&w, cols[1], 205, 9, 1, "Code guichet");
    text(&w, cols[2], 205, 9, 1, "Numéro de compte");
    text(&w, cols[3], 205, 9, 1, "Clé RIB");
    text(&w, cols[0], 222, 11, 0, r->bank);
    text(&w, cols[1], 222, 11, 0, r->branch);
    text(&w, cols[2], 222, 11, 0, r->number);
    text(&w, cols[3], 222, 11, 0, r->key);
    rule(&w, 236);
    ct_iban_print(r->iban, iban);
    text(&w, MARGIN, 262, 9, 1, "IBAN");
    text(&w, MARGIN + 60, 262, 12, 0, iban);
    text(&w, MARGIN, 284, 9, 1, "BIC");
    text(&w, MARGIN + 60, 284, 12, 0, r->bic);
    footer(&w, r->bank_name);
    cairo_show_page(w.cr);
    return pdf_close(&w);
}
