/* fees.c - the partner's fee schedule in the admin panel (ADMIN; seed 003, "Fee management"):
 * read it, and replace it whole. The schedule is fee.c's; a struct ct_fee_schedule is about
 * 10 KB, so each lives in the request's arena rather than on a worker's stack. */
#include <stdio.h>
#include "ct/ct_fee.h"
#include "admin.h"

static struct ct_fee_schedule *schedule_new(struct ct_req *req);

static struct ct_fee_schedule *
schedule_new(struct ct_req *req)
{
    return ct_req_alloc(req, sizeof(struct ct_fee_schedule));
}

enum ct_err
admin_fees_get(struct ct_req *req)
{
    struct ct_fee_schedule *s = schedule_new(req);
    enum ct_err err = ct_fee_schedule_load(req->db, req->ident.partner_id, s);

    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the fee schedule could not be read");
    return ct_reply_json(req, 200, ct_fee_schedule_json(s));
}

/* Replaces the whole schedule; a body with the version the client read is refused with 409
 * FEE_SCHEDULE_CHANGED when someone replaced it since. Audited as FEES_SET, whatever the answer,
 * with the new version as the target once it is stored. */
enum ct_err
admin_fees_put(struct ct_req *req)
{
    struct ct_fee_schedule *in = schedule_new(req), *out = schedule_new(req);
    const char *code = NULL;
    char version[24];
    enum ct_err err;

    ct_req_audit(req, "FEES_SET", NULL);
    err = ct_fee_schedule_read_req(req, in);
    if (err == CT_E_BADREQ)
        return err; /* the 400 is set already */
    if (err != CT_OK)
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    err = ct_fee_schedule_set(req->db, req->ident.partner_id, in, in->version, out, &code);
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, code, "the fee schedule was changed since it was read");
    if (err != CT_OK)
        return ct_req_fail(req, err, code, "the fee schedule could not be stored");
    (void)snprintf(version, sizeof(version), "%lld", (long long)out->version);
    ct_req_audit(req, "FEES_SET", version);
    return ct_reply_json(req, 200, ct_fee_schedule_json(out));
}
