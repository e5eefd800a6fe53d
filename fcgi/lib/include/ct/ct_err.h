/* ct_err.h - the one error enum of comptoir and its mapping to HTTP. */
#ifndef CT_ERR_H
#define CT_ERR_H

/* Every fallible ct_ function returns one of these. Results travel through out-params that are
 * written only on CT_OK. A domain code (INSUFFICIENT_FUNDS, ...) travels beside the enum as the
 * error's code string, see ct_req_fail(). */
enum ct_err {
    CT_OK = 0,
    CT_E_BADREQ,    /* 400: malformed request (bad JSON, bad header) */
    CT_E_UNAUTH,    /* 401: no or bad identity */
    CT_E_FORBIDDEN, /* 403: identity known, not allowed */
    CT_E_NOTFOUND,  /* 404 */
    CT_E_METHOD,    /* 405: path known, method not */
    CT_E_CONFLICT,  /* 409: duplicate, idempotency key reused with another body */
    CT_E_TOOBIG,    /* 413: body over the cap */
    CT_E_MEDIA,     /* 415: body is not JSON */
    CT_E_RULE,      /* 422: validation or business rule */
    CT_E_TOOMANY,   /* 429: too many attempts (a per-account limit; nginx limits per address) */
    CT_E_BUSY,      /* 503: deadlock / lock wait, retried by the transaction helper first */
    CT_E_INTERNAL,  /* 500: never a client mistake; detail is logged, not returned */
    CT_E__COUNT
};

/* HTTP status for err; out-of-range values map to 500. */
int ct_err_status(enum ct_err err);
/* Stable upper-case code for err ("VALIDATION_ERROR", ...); never NULL. */
const char *ct_err_code(enum ct_err err);
/* Reason phrase for an HTTP status ("Not Found"); never NULL. */
const char *ct_http_reason(int status);

#endif /* CT_ERR_H */
