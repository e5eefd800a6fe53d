/* ct_camt.h - ISO 20022 bank-to-customer statements, camt.053.001.08 (libxml2 writer). */
#ifndef CT_CAMT_H
#define CT_CAMT_H
#include <stddef.h>
#include "ct/ct_buf.h"
#include "ct/ct_err.h"
#include "ct/ct_statement.h"

#define CT_CAMT053_NS "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"

/* One BkToCstmrStmt message holding one Stmt per element of st[0..n) (n >= 1, each with its lines
 * computed): account (IBAN, currency, owner, servicer BIC and name), OPBD and CLBD balances
 * (CdtDbtInd from the sign), TxsSummry (counts, sums, net), and one booked Ntry per line with its
 * booking date-time, value date, reference (the operation id), bank transaction code and label.
 * The message validates against camt.053.001.08.xsd. Appends UTF-8 XML to out; CT_E_TOOBIG past
 * out's cap, CT_E_INTERNAL when libxml2 fails, CT_E_RULE for n == 0. */
enum ct_err ct_camt053(const struct ct_stmt *st, size_t n, struct ct_buf *out);

#endif /* CT_CAMT_H */
