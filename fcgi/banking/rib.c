/* rib.c - GET /accounts/{id}/rib: the account's RIB as a PDF (the URL accounts.c puts in
 * rib.pdf_url; {id} is the ledger account id, as everywhere in the banking pool). */
#include <stdio.h>
#include <string.h>
#include "ct/ct_buf.h"
#include "ct/ct_pdf.h"
#include "banking.h"

#define RIB_CAP (4u << 20)

enum ct_err
banking_account_rib(struct ct_req *req)
{
    struct ct_visible v;
    struct ct_rib rib;
    struct ct_buf pdf;
    char disp[80];
    enum ct_err err;

    if (banking_visible_path(req, &v) != CT_OK)
        return CT_E_NOTFOUND;
    memset(&rib, 0, sizeof(rib));
    (void)snprintf(rib.bank_name, sizeof(rib.bank_name), "%s", v.establishment);
    (void)snprintf(rib.holder, sizeof(rib.holder), "%s %s", v.owner_first_name, v.owner_last_name);
    (void)snprintf(rib.iban, sizeof(rib.iban), "%s", v.iban);
    (void)snprintf(rib.bic, sizeof(rib.bic), "%s", v.bic);
    (void)snprintf(rib.currency, sizeof(rib.currency), "%s", v.currency);
    ct_rib_split(v.iban, &rib);
    ct_buf_init(&pdf, RIB_CAP);
    err = ct_pdf_rib(&rib, &pdf);
    if (err != CT_OK) {
        ct_buf_free(&pdf);
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "the RIB could not be made");
    }
    (void)snprintf(disp, sizeof(disp), "attachment; filename=\"rib-%lld.pdf\"",
                   (long long)v.account_id);
    ct_reply_header(req, "Content-Disposition", disp);
    err = ct_reply_bytes(req, 200, "application/pdf", ct_buf_str(&pdf), ct_buf_len(&pdf));
    ct_buf_free(&pdf);
    return err;
}
