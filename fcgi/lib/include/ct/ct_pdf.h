/* ct_pdf.h - the PDF documents comptoir makes (cairo): account statements and the RIB. */
#ifndef CT_PDF_H
#define CT_PDF_H
#include "ct/ct_buf.h"
#include "ct/ct_err.h"
#include "ct/ct_iban.h"
#include "ct/ct_statement.h"

/* A4 statement: bank (partner name), holder, IBAN (print form) and BIC, the period, opening
 * balance, every line of st->lines (date, label, debit or credit amount) on as many pages as
 * needed (the table header repeats, pages are numbered "Page i / n"), the month's totals and the
 * closing balance. Text that is not valid UTF-8 is shown with '?' in place of the bad bytes.
 * Appends the PDF to out; CT_E_TOOBIG past out's cap, CT_E_INTERNAL when cairo fails. */
enum ct_err ct_pdf_statement(const struct ct_stmt *st, struct ct_buf *out);

/* What a RIB (relevé d'identité bancaire) shows. */
struct ct_rib {
    char bank_name[129]; /* establishment: the partner's name */
    char holder[202];
    char iban[CT_IBAN_MAX + 1];
    char bic[12];
    char currency[4];
    /* national parts of the BBAN (FR/MC: 5 + 5 + 11 + 2); "" where the country has none */
    char bank[13], branch[13], number[31], key[3];
};
/* Split a valid IBAN's BBAN into bank, branch, account number and national key using the
 * registry's positions (FR and MC: code banque, code guichet, numéro de compte, clé RIB; other
 * countries: bank and branch codes, the rest as the number, no key). */
void ct_rib_split(const char *iban, struct ct_rib *r);
/* One A4 page RIB. Same errors as ct_pdf_statement(). */
enum ct_err ct_pdf_rib(const struct ct_rib *r, struct ct_buf *out);

/* dst = src with every byte that is not part of valid UTF-8 (or is a C0 control) replaced by
 * '?', cut at a character boundary to fit dstsz - 1 bytes. Exposed for tests. */
void ct_pdf_clean_utf8(const char *src, char *dst, size_t dstsz);

#endif /* CT_PDF_H */
